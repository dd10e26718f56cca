#!/usr/bin/env node
// `npx email-config-wizard <command>` runs the built CLI (dist/server/cli.js, written by
// `npm run build` and shipped in the package). In a checkout that was never built, the
// TypeScript source runs through tsx instead.
import { existsSync } from 'node:fs';

const built = new URL('../dist/server/cli.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../server/cli.ts', import.meta.url).href);
}
