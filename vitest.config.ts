import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The suites that take longest start first, so that the last minute is not one long suite alone:
 * the end-to-end suites (each runs a whole stack, some inside a network namespace), then the rest
 * in vitest's own order.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const weight = (file: TestSpecification) => (/\/e2e\/[^/]+\.test\.ts$/.test(file.moduleId) ? 0 : 1);
    return sorted.map((file, index) => ({ file, index })).sort((a, b) => weight(a.file) - weight(b.file) || a.index - b.index).map(({ file }) => file);
  }
}

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'scripts/**/*.test.ts', 'e2e/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most of the suite waits on real servers (Dovecot, PostgreSQL, Chromium, sockets), not on the
    // CPU: two workers per core keep both cores busy. VITEST_MAX_WORKERS overrides it.
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS) || Math.max(2, availableParallelism() * 2),
    sequence: { sequencer: LongestFirst },
    globalSetup: ['scripts/vitest-global-setup.mjs'],
    reporters: ['default', 'json'],
    outputFile: { json: '.tmp/vitest-results.json' },
  },
});
