import { runVitestInNetns, reportInnerRun } from './support/netns.js';

/**
 * The SSRF suite (e2e/netns/ssrf.inside.ts) runs inside a network namespace that has only
 * loopback: even a regression cannot send a packet to a real private or metadata address.
 */
const run = await runVitestInNetns('e2e/netns/vitest.config.ts', ['e2e/netns/ssrf.inside.ts']);
reportInnerRun('SSRF (inside a loopback-only network namespace)', run);
