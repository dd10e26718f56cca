#!/usr/bin/env node
// `npm test`: every suite — server (vitest: unit and integration against real servers) and widget
// (web-test-runner in Chromium) — then one line with the totals: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, mkdirSync } from 'node:fs';

const env = { ...process.env, FORCE_COLOR: process.env.CI ? '0' : process.env.FORCE_COLOR };
rmSync('.tmp/vitest-results.json', { force: true });
rmSync('.tmp/wtr-results.json', { force: true });
mkdirSync('.tmp', { recursive: true });

const run = (command, args) => spawnSync(command, args, { stdio: 'inherit', env }).status ?? 1;

const suites = [
  { name: 'server (vitest)', code: run('npx', ['vitest', 'run']), results: '.tmp/vitest-results.json', read: (r) => ({ passed: r.numPassedTests, failed: r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0) }) },
  { name: 'widget (web-test-runner)', code: run('npx', ['web-test-runner']), results: '.tmp/wtr-results.json', read: (r) => r },
];

let passed = 0;
let failed = 0;
for (const suite of suites) {
  if (!existsSync(suite.results)) {
    console.error(`${suite.name}: no results were written (exit code ${suite.code}); counted as one failure.`);
    failed += 1;
    continue;
  }
  const counts = suite.read(JSON.parse(readFileSync(suite.results, 'utf8')));
  console.log(`${suite.name}: ${counts.passed} passed, ${counts.failed} failed`);
  passed += counts.passed;
  failed += counts.failed;
  if (suite.code !== 0 && counts.failed === 0) {
    console.error(`${suite.name} exited with code ${suite.code}; counted as one failure.`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
