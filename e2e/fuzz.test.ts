import { runVitestInNetns, reportInnerRun } from './support/netns.js';

/**
 * The fuzz suite (e2e/netns/fuzz.inside.ts) runs inside a network namespace that has only
 * loopback: generated addresses may be public ones, and no packet may leave the machine.
 */
const run = await runVitestInNetns('e2e/netns/vitest.config.ts', ['e2e/netns/fuzz.inside.ts']);
reportInnerRun('fuzz (inside a loopback-only network namespace)', run);
