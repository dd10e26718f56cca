#!/usr/bin/env node
// `npm test`: every suite — server (vitest: unit and integration against real servers) and widget
// (web-test-runner in Chromium) — then one line with the totals: "N passed, N failed, N skipped".
// It first makes the real peers available (scripts/peers.mjs): a missing one is installed or
// named, never skipped. The two runners are independent, so they run side by side; the browser
// suite's output is held back and printed whole after the server suite's.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { ensurePeers } from './peers.mjs';

const problem = ensurePeers();
if (problem) {
  console.error(problem);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const env = { ...process.env, FORCE_COLOR: process.env.CI ? '0' : process.env.FORCE_COLOR };
mkdirSync('.tmp', { recursive: true });

/** Runs a command; `echo` streams its output, otherwise it is kept and returned. */
function run(command, args, { echo }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: echo ? 'inherit' : ['ignore', 'pipe', 'pipe'], env });
    const chunks = [];
    child.stdout?.on('data', (chunk) => chunks.push(chunk));
    child.stderr?.on('data', (chunk) => chunks.push(chunk));
    child.on('error', (error) => resolve({ code: 1, output: String(error) }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output: Buffer.concat(chunks).toString() }));
  });
}

const suites = [
  {
    name: 'server (vitest)',
    command: ['npx', ['vitest', 'run']],
    echo: true,
    results: '.tmp/vitest-results.json',
    // A file that failed outside its tests (an import error, a failing hook) counts as one failure.
    read: (r) => ({
      passed: r.numPassedTests,
      failed: r.numFailedTests + r.testResults.filter((file) => file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed')).length,
      skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
    }),
  },
  {
    name: 'widget (web-test-runner)',
    command: ['npx', ['web-test-runner']],
    echo: false,
    results: '.tmp/wtr-results.json',
    read: (r) => ({ passed: r.passed, failed: r.failed, skipped: r.skipped ?? 0 }),
  },
];
for (const suite of suites) rmSync(suite.results, { force: true });

const started = Date.now();
const outcomes = await Promise.all(suites.map((suite) => run(...suite.command, { echo: suite.echo })));

let passed = 0;
let failed = 0;
let skipped = 0;
suites.forEach((suite, index) => {
  const { code, output } = outcomes[index];
  if (!suite.echo) process.stdout.write(`\n── ${suite.name} ──\n${output}`);
  if (!existsSync(suite.results)) {
    console.error(`${suite.name}: no results were written (exit code ${code}); counted as one failure.`);
    failed += 1;
    return;
  }
  const counts = suite.read(JSON.parse(readFileSync(suite.results, 'utf8')));
  console.log(`${suite.name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  passed += counts.passed;
  failed += counts.failed;
  skipped += counts.skipped;
  if (code !== 0 && counts.failed === 0) {
    console.error(`${suite.name} exited with code ${code}; counted as one failure.`);
    failed += 1;
  }
});
console.log(`All suites took ${Math.round((Date.now() - started) / 1000)} s.`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
