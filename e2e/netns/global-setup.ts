import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startJourneyStack, type StackInfo } from '../support/stack.js';
import { JOURNEY_ARTIFACTS } from '../support/browser.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The running journey stack; absent when the run does not include the journeys. */
    stack: StackInfo | null;
  }
}

/** Starts the journey stack once for the journeys and the suites that inspect them. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!process.env.ECW_JOURNEY_STACK) {
    project.provide('stack', null);
    return async () => undefined;
  }
  rmSync(JOURNEY_ARTIFACTS, { recursive: true, force: true });
  const stack = await startJourneyStack();
  project.provide('stack', stack.info);
  return () => stack.stop();
}
