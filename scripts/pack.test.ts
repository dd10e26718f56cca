import { expect, it } from 'vitest';
import { packCheck } from './pack-check.mjs';

/**
 * `npm pack` (with prepack's `npm run build`) unpacked into a project inside this checkout, so
 * its dependencies resolve to this node_modules without a registry: the file list, a default
 * `tsc --init` project type-checking the element and its events (and rejecting a wrong use),
 * `npx email-config-wizard detect` running built JavaScript, and the server export creating an app.
 * The full install as a host does it (`npm install <tarball>`, better-sqlite3's approval) is
 * `node scripts/pack-check.mjs [--sqlite]`: minutes, so not part of npm test.
 */
it('npm pack makes a package a fresh project can type-check, run and import', async () => {
  const lines: string[] = [];
  const result = await packCheck({ mode: 'link', log: (line) => lines.push(line) });
  console.log(`${result.tarball}: ${result.files} files, ${(result.size / 1024).toFixed(0)} kB packed, ${(result.unpackedSize / 1024).toFixed(0)} kB unpacked`);
  expect(result.detect).toBe('posteo');
  expect(result.sqlite).toBe('opened SQLite');
}, 400_000);
