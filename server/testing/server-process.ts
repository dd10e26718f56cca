import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const READY_LINE = /ready on http:\/\/localhost:(\d+)\//;
const START_TIMEOUT_MS = 30_000;

/** A DNS server address where nothing listens: every look-up fails at once, on loopback. */
export const NO_DNS = '127.0.0.1:9';

export interface ServerProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `url` + the API base path, e.g. `http://127.0.0.1:41234/api/email-settings`. */
  apiUrl: string;
  port: number;
  /** The server's process id (for memory readings and kill -9 tests). */
  pid: number;
  /** Everything the process wrote so far. */
  stdout: () => string;
  stderr: () => string;
  /** Milliseconds from spawn until `/health` first answered 200. */
  startToHealthyMs: number;
  /** SIGTERM to the whole process group, SIGKILL after 5 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface StartServerOptions {
  /** Added to the current environment. `PORT` defaults to 0 (a free port). */
  env?: Record<string, string | undefined>;
  /**
   * `node` (default): `node --import tsx server/main.ts`; `npm`: `npm start` exactly as a user
   * runs it; `bundle`: `node scripts/start.mjs`, the esbuild-bundled fast start.
   */
  via?: 'npm' | 'node' | 'bundle';
  basePath?: string;
}

/**
 * Starts the real server (`server/main.ts`) as a child process on 127.0.0.1 and a free port, and
 * waits until `/health` answers. For smoke tests, benchmarks and multi-instance tests.
 *
 * @example
 * const server = await startServerProcess({ env: { DATABASE_URL: url, EMAIL_WIZARD_API_KEYS: 'k' } });
 * await fetch(`${server.apiUrl}/health`);
 * await server.stop();
 */
export async function startServerProcess(options: StartServerOptions = {}): Promise<ServerProcess> {
  const started = performance.now();
  // No look-up leaves this machine: names resolve only through a test's own DNS server (a closed
  // loopback port answers nothing) unless the test brings one.
  const env: Record<string, string | undefined> = { ...process.env, PORT: '0', HOST: '127.0.0.1', EMAIL_WIZARD_DNS_SERVERS: NO_DNS, ...options.env };
  const [command, args] =
    options.via === 'npm'
      ? ['npm', ['start', '--silent']]
      : options.via === 'bundle'
        ? [process.execPath, ['scripts/start.mjs']]
        : [process.execPath, ['--import', 'tsx', 'server/main.ts']];
  const child = spawn(command, args as string[], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(`no "ready" line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      killGroup(child, 'SIGKILL');
      reject(new Error(`The server did not start: ${why}.\nstdout: ${out}\nstderr: ${err}`));
    };
    child.stdout!.on('data', () => {
      const match = READY_LINE.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then((code) => fail(`it exited with code ${code}`));
  });

  const url = `http://127.0.0.1:${port}`;
  const apiUrl = url + (options.basePath ?? (env.EMAIL_WIZARD_BASE_PATH || '/api/email-settings'));
  await waitForHealth(`${apiUrl}/health`);
  const startToHealthyMs = performance.now() - started;

  return {
    url,
    apiUrl,
    port,
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    startToHealthyMs,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
}

async function waitForHealth(healthUrl: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      const response = await fetch(healthUrl, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
    } catch {
      // Not accepting connections yet.
    }
    if (Date.now() > deadline) throw new Error(`${healthUrl} did not answer 200 within ${START_TIMEOUT_MS} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
