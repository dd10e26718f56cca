#!/usr/bin/env node
// Fast start: builds the widget (scripts/widget-build.mjs) when a widget source changed, bundles server/main.ts and its dependencies into dist/server/main.mjs with esbuild
// (only when a source changed), then runs the bundle with plain Node. Loading every module
// through tsx's loader hooks is what makes `tsx server/main.ts` take seconds to become healthy;
// one bundle loads in a fraction of that. Native and optional modules stay external.
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
// dist/server/ sits as deep as server/store/, so the bundle's `../../schema.sql` still resolves.
const bundle = join(root, 'dist', 'server', 'main.mjs');

function newestSource(dir, newest = 0) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = newestSource(path, newest);
    else if (/\.(ts|json)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const lockFile = join(root, 'package-lock.json');
const stale =
  !existsSync(bundle) ||
  statSync(bundle).mtimeMs < Math.max(newestSource(join(root, 'server')), existsSync(lockFile) ? statSync(lockFile).mtimeMs : 0);

if (stale) {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(root, 'server', 'main.ts')],
    outfile: bundle,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3', 'esbuild', 'pg-native'],
    // CommonJS dependencies inside an ES module bundle still call require().
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  // Written aside and renamed, so a second start at the same moment never reads half a file.
  mkdirSync(join(root, 'dist', 'server'), { recursive: true });
  const partial = `${bundle}.${process.pid}.tmp`;
  writeFileSync(partial, result.outputFiles[0].contents);
  renameSync(partial, bundle);
}

// The widget files the server serves at /widget/ (dist/widget/), built once and again only when a widget source changed.
const { ensureWidgetBuilt } = await import('./widget-build.mjs');
await ensureWidgetBuilt({ log: (line) => process.stdout.write(`${line}\n`) });

await import(pathToFileURL(bundle).href);
