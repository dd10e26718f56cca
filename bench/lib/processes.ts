import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export { startServerProcess, type ServerProcess } from '../../server/testing/server-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Starts `bench/lib/bare-hono-server.ts` in its own process; resolves once it listens. */
export async function startBareHono(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/bare-hono-server.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the bare Hono server exited with code ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}
