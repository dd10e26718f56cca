import { runVitestInNetns, reportInnerRun } from './support/netns.js';

/**
 * The journeys (e2e/netns/journeys.inside.ts) and the secrets audit of what they left behind
 * (e2e/netns/secrets.inside.ts), run inside a loopback-only network namespace where the stack
 * can take the providers' standard ports and nothing can leave the machine.
 */
const run = await runVitestInNetns('e2e/netns/vitest.config.ts', ['e2e/netns/journeys.inside.ts', 'e2e/netns/secrets.inside.ts'], { ECW_JOURNEY_STACK: '1' });
reportInnerRun('journeys and secrets (inside a loopback-only network namespace)', run);
