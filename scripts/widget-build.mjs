// Builds dist/widget/ with `vite build` when it is missing or older than a widget source, once,
// even when several processes ask at the same moment (a lock directory; the losers wait for the
// winner's result). Used by `npm start` (scripts/start.mjs), by the server in demo mode, and by
// the tests that serve the real files. Production never builds: it serves what `npm run build` made.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const LOCK_STALE_MS = 180_000;

/** Where the widget files are, and the file whose time says when they were built. */
export const WIDGET_DIR = join(ROOT, 'dist', 'widget');
const STAMP = join(WIDGET_DIR, '.built');

function newest(path, found = 0) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return /\.(ts|json)$/.test(path) && !path.endsWith('.test.ts') ? Math.max(found, stat.mtimeMs) : found;
  for (const name of readdirSync(path)) if (name !== 'testing') found = newest(join(path, name), found);
  return found;
}

/** True when dist/widget/ is missing or a widget source, the Vite config or the lock file changed after it was built. */
export function widgetBuildIsStale() {
  // A build made under NODE_ENV=test (vitest) would hold Lit's development build: never reuse one that is not marked production.
  if (!existsSync(STAMP) || !readFileSync(STAMP, 'utf8').startsWith('production')) return true;
  const sources = [join(ROOT, 'widget'), join(ROOT, 'vite.config.ts'), join(ROOT, 'package-lock.json')].filter((path) => existsSync(path));
  return statSync(STAMP).mtimeMs < Math.max(...sources.map((path) => newest(path)));
}

/**
 * Builds the widget when stale. Resolves once dist/widget/ is current; rejects with the build's
 * error. `log` receives one line when a build starts.
 *
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Promise<boolean>} whether this call built
 */
export async function ensureWidgetBuilt({ log = () => undefined } = {}) {
  if (!widgetBuildIsStale()) return false;
  const lock = join(ROOT, 'dist', '.widget-build.lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another process builds: wait for it, unless its lock is abandoned.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (!widgetBuildIsStale()) return false;
    }
  }
  try {
    if (!widgetBuildIsStale()) return false;
    log('building the widget (vite build → dist/widget/)…');
    // Into a folder of its own, then swapped in: a server reading dist/widget/ never sees half a build.
    const partial = join(ROOT, 'dist', `widget.${process.pid}.tmp`);
    rmSync(partial, { recursive: true, force: true });
    const { build } = await import('vite');
    // Production, whoever asks: under vitest NODE_ENV is "test", and Vite would then resolve Lit's development build.
    const nodeEnv = process.env.NODE_ENV;
    process.env.ECW_WIDGET_OUT_DIR = partial;
    process.env.NODE_ENV = 'production';
    try {
      await build({ configFile: join(ROOT, 'vite.config.ts'), root: ROOT, mode: 'production', logLevel: 'warn' });
    } finally {
      delete process.env.ECW_WIDGET_OUT_DIR;
      if (nodeEnv === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = nodeEnv;
    }
    writeFileSync(join(partial, '.built'), `production ${new Date().toISOString()}`);
    const old = join(ROOT, 'dist', `widget.${process.pid}.old`);
    if (existsSync(WIDGET_DIR)) renameSync(WIDGET_DIR, old);
    renameSync(partial, WIDGET_DIR);
    rmSync(old, { recursive: true, force: true });
    return true;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await ensureWidgetBuilt({ log: (line) => process.stdout.write(`${line}\n`) });
}
