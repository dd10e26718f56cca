import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Journeys first, then the suites that inspect what they left behind (secrets). */
class ByFileName extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
}

/**
 * Suites that run only inside a loopback-only network namespace (`e2e/support/netns.ts` starts
 * them from `e2e/*.test.ts`). One file at a time, in name order; the journey stack is started
 * once by the global setup when `ECW_JOURNEY_STACK` is set.
 */
export default defineConfig({
  test: {
    include: ['e2e/netns/**/*.inside.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 90_000,
    teardownTimeout: 30_000,
    pool: 'forks',
    fileParallelism: false,
    sequence: { sequencer: ByFileName },
    globalSetup: ['e2e/netns/global-setup.ts'],
  },
});
