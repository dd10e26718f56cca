import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

const run = promisify(execFile);
const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

export interface LoadOptions {
  durationSeconds?: number;
  connections?: number;
  headers?: Record<string, string>;
  /** HTTP method (default GET) and request body, for POST routes. */
  method?: string;
  body?: string;
}

export interface LoadResult {
  requestsPerSecond: number;
  latencyP99Ms: number;
  /** Responses other than 2xx, plus errors and timeouts: must be 0 for the figure to count. */
  failures: number;
}

/**
 * Loads `url` from a separate process with autocannon's CLI (so the load generator never
 * shares an event loop with the server) and returns its averages.
 */
export async function loadTest(url: string, options: LoadOptions = {}): Promise<LoadResult> {
  const { durationSeconds = 3, connections = 20, headers = {} } = options;
  const args = [AUTOCANNON, '--json', '-d', String(durationSeconds), '-c', String(connections)];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
  if (options.method) args.push('-m', options.method);
  if (options.body !== undefined) args.push('-b', options.body);
  args.push(url);
  const { stdout } = await run(process.execPath, args, { maxBuffer: 16 * 1024 * 1024, timeout: (durationSeconds + 30) * 1000 });
  const report = JSON.parse(stdout) as {
    requests: { average: number };
    latency: { p99: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  };
  return { requestsPerSecond: report.requests.average, latencyP99Ms: report.latency.p99, failures: report.non2xx + report.errors + report.timeouts };
}
