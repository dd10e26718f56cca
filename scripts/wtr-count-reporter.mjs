import { mkdirSync, writeFileSync } from 'node:fs';

/** A web-test-runner reporter that writes pass/fail/skip totals for scripts/test.mjs to sum up. */
export function countReporter(outputFile = '.tmp/wtr-results.json') {
  return {
    onTestRunFinished({ sessions }) {
      let passed = 0;
      let failed = 0;
      let skipped = 0;
      const walk = (suite) => {
        for (const test of suite?.tests ?? []) {
          if (test.skipped) {
            skipped += 1;
            continue;
          }
          if (test.passed) passed += 1;
          else failed += 1;
        }
        for (const child of suite?.suites ?? []) walk(child);
      };
      for (const session of sessions) {
        walk(session.testResults);
        // A file that failed to load counts as a failure, not as zero tests.
        if ((session.errors?.length ?? 0) > 0 && !session.testResults?.tests?.length && !session.testResults?.suites?.length) failed += 1;
      }
      mkdirSync('.tmp', { recursive: true });
      writeFileSync(outputFile, JSON.stringify({ passed, failed, skipped }));
    },
  };
}
