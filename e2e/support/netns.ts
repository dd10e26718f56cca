import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INNER_RUN_TIMEOUT_MS = 240_000;

/**
 * A global unicast address aliased on the namespace's `lo`: the server classifies it as public
 * (allowed), yet every packet to it stays inside the namespace. Lets the SSRF suite serve an
 * "allowed" autoconfig host that redirects to an internal one.
 */
export const NETNS_PUBLIC_ADDRESS = '93.184.216.34';

/** One test as the inner vitest run reported it. */
export interface InnerTestResult {
  file: string;
  name: string;
  status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo' | 'disabled';
  failureMessages: string[];
}

export interface InnerRun {
  tests: InnerTestResult[];
  /** Files that failed outside any test (import error, failing hook), with the reason. */
  fileErrors: Array<{ file: string; message: string }>;
  /** Everything the inner run printed, for a failure report. */
  output: string;
}

/**
 * Runs vitest on `files` inside a fresh network namespace that has only a loopback interface
 * (plus `NETNS_PUBLIC_ADDRESS` on it): whatever the code under test tries, no packet can leave
 * the machine, and fixed ports (993, 443, …) are free because the namespace is ours alone.
 * Needs root and iproute2. The namespace is deleted afterwards.
 *
 * @example
 * const run = await runVitestInNetns('e2e/netns/plain.config.ts', ['e2e/netns/ssrf.inside.ts']);
 */
export async function runVitestInNetns(config: string, files: string[], env: Record<string, string> = {}): Promise<InnerRun> {
  const name = `ecw-e2e-${process.pid}-${randomBytes(3).toString('hex')}`;
  const resultsDir = mkdtempSync(join(tmpdir(), 'ecw-netns-results-'));
  const resultsFile = join(resultsDir, 'results.json');
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
  try {
    ip('netns', 'add', name);
  } catch (error) {
    const reason = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
    const run: InnerRun = { tests: [], fileErrors: [], output: '' };
    run.fileErrors.push({ file: files.join(', '), message: `Cannot create a network namespace (these suites need root and iproute2): ${reason}` });
    return run;
  }
  try {
    ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
    ip('netns', 'exec', name, 'ip', 'addr', 'add', `${NETNS_PUBLIC_ADDRESS}/32`, 'dev', 'lo');
    const vitest = join(ROOT, 'node_modules/vitest/vitest.mjs');
    const args = ['netns', 'exec', name, process.execPath, vitest, 'run', '--config', config, '--reporter=default', '--reporter=json', `--outputFile.json=${resultsFile}`, ...files];
    const output = await new Promise<string>((resolve) => {
      const child = spawn('ip', args, { cwd: ROOT, env: { ...outerEnvironment(), ...env, ECW_NETNS: name, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), INNER_RUN_TIMEOUT_MS);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    return readResults(resultsFile, output);
  } finally {
    try {
      ip('netns', 'del', name);
    } catch {
      // Already gone.
    }
    rmSync(resultsDir, { recursive: true, force: true });
  }
}

/** This process's environment without the outer vitest worker's own variables (they confuse a nested run). */
function outerEnvironment(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS'));
}

interface VitestJson {
  testResults: Array<{
    name: string;
    status: string;
    message?: string;
    assertionResults: Array<{ fullName: string; status: InnerTestResult['status']; failureMessages?: string[] }>;
  }>;
}

function readResults(file: string, output: string): InnerRun {
  let json: VitestJson;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as VitestJson;
  } catch {
    return { tests: [], fileErrors: [{ file: '(inner run)', message: `The inner vitest run wrote no results.\n${output.slice(-4000)}` }], output };
  }
  const tests: InnerTestResult[] = [];
  const fileErrors: InnerRun['fileErrors'] = [];
  for (const result of json.testResults) {
    const file = result.name.replace(ROOT, '');
    for (const test of result.assertionResults) {
      tests.push({ file, name: test.fullName, status: test.status, failureMessages: test.failureMessages ?? [] });
    }
    if (result.status === 'failed' && result.assertionResults.every((test) => test.status !== 'failed')) {
      fileErrors.push({ file, message: result.message || 'The file failed outside its tests.' });
    }
  }
  return { tests, fileErrors, output };
}

/**
 * Declares one outer test per inner test of a namespace run, so `npm test` counts each of them.
 * Call at the top level of a test file (it awaits the inner run while vitest collects).
 */
export function reportInnerRun(title: string, run: InnerRun): void {
  describe(title, () => {
    if (run.tests.length === 0 && run.fileErrors.length === 0) {
      it('ran at least one test inside the namespace', () => {
        throw new Error(`No tests ran inside the namespace.\n${run.output.slice(-4000)}`);
      });
    }
    for (const error of run.fileErrors) {
      it(`${error.file} loads and its hooks pass`, () => {
        throw new Error(error.message);
      });
    }
    for (const test of run.tests) {
      const label = `${test.file.replace(/^e2e\/netns\//, '')} › ${test.name}`;
      if (test.status === 'passed') it(label, () => undefined);
      else if (test.status === 'failed') {
        it(label, () => {
          throw new Error(test.failureMessages.join('\n\n'));
        });
      } else it.skip(label, () => undefined);
    }
  });
}
