#!/usr/bin/env node
// Proves that `npm pack` makes a package a host can install and use:
//   node scripts/pack-check.mjs             the whole thing as a host does it: a fresh project in a
//                                           temp dir, `npm install <tarball> --prefer-offline`
//                                           (minutes on a slow registry link), npm 11's default of
//                                           skipping better-sqlite3's build script included
//   node scripts/pack-check.mjs --sqlite    …then approves and rebuilds better-sqlite3 as the README
//                                           says (compiles it: another ~90 s) and opens SQLite
//   node scripts/pack-check.mjs --link      fast: the tarball unpacked into a project inside this
//                                           checkout, so its dependencies resolve to this
//                                           node_modules (what scripts/pack.test.ts runs)
//   --no-build                              pack what dist/ holds (skips prepack's `npm run build`)
// Each check: the tarball's file list (built JS, .d.ts, custom-elements.json; no sources, tests
// or test harness), a default `tsc --init` project type-checking the element and its events (and
// failing on a wrong use), `npx email-config-wizard detect` running the built CLI, and
// `import('email-config-wizard/server')` creating an app that answers /health.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Files the package must hold, and patterns it must not. */
const REQUIRED = [
  'bin/email-config-wizard.mjs',
  'custom-elements.json',
  'dist/types/widget/index.d.ts',
  'dist/types/widget/events.d.ts',
  'dist/widget/email-config-wizard.js',
  'dist/widget/email-config-wizard.iife.js',
  'dist/server/index.js',
  'dist/server/index.d.ts',
  'dist/server/cli.js',
  'dist/schema.sql',
  'README.md',
  'package.json',
];
const FORBIDDEN = [/(^|\/)testing\//, /\.test\./, /(?<!\.d)\.ts$/, /^(widget|server|e2e|bench|scripts)\//, /^demo\/.*\.ts$/, /^dist\/server\/main\.mjs$/, /\.built$/];

/** A host's use of the element: must type-check under `tsc --init`'s defaults. */
const HOST_TS = `import 'email-config-wizard';
import type { EcwCompleteEvent, EmailConfigWizard } from 'email-config-wizard';

const wizard: EmailConfigWizard = document.createElement('email-config-wizard');
wizard.apiBase = 'https://wizard.example.com/api/email-settings';
wizard.setAttribute('locale', 'de');
wizard.fetchSessionToken = async () => (await (await fetch('/my-backend/email-session', { method: 'POST' })).json()).token;
wizard.addEventListener('ecw-complete', (event) => console.log(event.detail.email, event.detail.imap?.host, event.detail.authMethod));
wizard.addEventListener('ecw-error', (event) => console.log(event.detail.code, event.detail.message, event.detail.step));
wizard.addEventListener('ecw-cancel', (event) => console.log(event.detail.step));
document.addEventListener('ecw-step-change', (event) => console.log(event.detail.step, event.detail.previousStep, event.detail.stage));
const onComplete = (event: EcwCompleteEvent): string => event.detail.email;
wizard.addEventListener('ecw-complete', onComplete);
document.querySelector('email-config-wizard')?.reset();
`;
/** The same with two mistakes: the types are real, not `any`. */
const HOST_TS_WRONG = `import 'email-config-wizard';
const wizard = document.createElement('email-config-wizard');
wizard.addEventListener('ecw-error', (event) => event.detail.nope);
const base: number = wizard.apiBase;
`;

const run = (command, args, options = {}) => {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) throw result.error;
  return { code: result.status, out: `${result.stdout ?? ''}${result.stderr ?? ''}`, stdout: result.stdout ?? '' };
};
const must = (label, result) => {
  if (result.code !== 0) throw new Error(`${label} failed (exit ${result.code}):\n${result.out.slice(-4000)}`);
  return result;
};

/**
 * Packs and checks. Answers what it found, or throws with the failing step.
 *
 * @param {{ mode?: 'npm' | 'link', build?: boolean, sqlite?: boolean, log?: (line: string) => void }} [options]
 */
export async function packCheck({ mode = 'npm', build = true, sqlite = false, log = () => undefined } = {}) {
  const work = mode === 'link' ? join(ROOT, '.tmp', `pack-host-${process.pid}`) : mkdtempSync(join(tmpdir(), 'ecw-pack-'));
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    log(`npm pack${build ? ' (prepack: npm run build)' : ' --ignore-scripts'} → ${work}`);
    const packed = must('npm pack', run('npm', ['pack', '--json', '--pack-destination', work, ...(build ? [] : ['--ignore-scripts'])], { cwd: ROOT }));
    // prepack's build logs come first; npm's JSON answer starts at a line holding only "[".
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[$/m)));
    const files = info.files.map((file) => file.path);
    const missing = REQUIRED.filter((file) => !files.includes(file));
    const forbidden = files.filter((file) => FORBIDDEN.some((pattern) => pattern.test(file)));
    if (missing.length || forbidden.length) throw new Error(`package contents: missing ${missing.join(', ') || 'nothing'}; must not ship ${forbidden.join(', ') || 'nothing'}`);
    const tarball = join(work, info.filename);

    const host = join(work, 'host');
    mkdirSync(host);
    writeFileSync(join(host, 'package.json'), JSON.stringify({ name: 'host-app', version: '1.0.0', private: true }, null, 2));
    if (mode === 'npm') {
      log('npm install <tarball> --prefer-offline (npm 11 skips unapproved install scripts)');
      must('npm install', run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: host }));
    } else {
      // Unpacked as npm would, with the dependencies found one level up in this checkout's node_modules.
      const target = join(host, 'node_modules', 'email-config-wizard');
      mkdirSync(target, { recursive: true });
      must('tar', run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']));
      mkdirSync(join(host, 'node_modules', '.bin'));
      symlinkSync('../email-config-wizard/bin/email-config-wizard.mjs', join(host, 'node_modules', '.bin', 'email-config-wizard'));
    }

    log('tsc --init, then type-check a use of the element and its events');
    must('tsc --init', run(process.execPath, [TSC, '--init'], { cwd: host }));
    writeFileSync(join(host, 'index.ts'), HOST_TS);
    must('tsc (host use)', run(process.execPath, [TSC, '-p', '.', '--noEmit'], { cwd: host }));
    writeFileSync(join(host, 'index.ts'), HOST_TS_WRONG);
    const wrong = run(process.execPath, [TSC, '-p', '.', '--noEmit'], { cwd: host });
    if (wrong.code === 0 || !/nope/.test(wrong.out) || !/not assignable to type 'number'/.test(wrong.out)) throw new Error(`tsc accepted a wrong use:\n${wrong.out}`);
    rmSync(join(host, 'index.ts'));

    log('npx email-config-wizard detect support@posteo.de --json');
    const detected = must('npx email-config-wizard detect', run('npx', ['--no-install', 'email-config-wizard', 'detect', 'support@posteo.de', '--json'], { cwd: host, env: { ...process.env, EMAIL_WIZARD_DNS_SERVERS: '127.0.0.1:9' } }));
    const detection = JSON.parse(detected.stdout);
    if (detection.provider?.id !== 'posteo') throw new Error(`detect answered ${detected.stdout.slice(0, 300)}`);

    const serverScript = `import { createApp } from 'email-config-wizard/server';
const app = await createApp({ env: { EMAIL_WIZARD_DB: ${JSON.stringify(join(host, 'data', 'db.sqlite'))}, EMAIL_WIZARD_API_KEYS: 'host-key-0123456789abcdef', LOG_LEVEL: 'error' } });
const health = await app.fetch(new Request('http://localhost/api/email-settings/health'));
console.log(JSON.stringify({ status: health.status }));
await app.close();`;
    const server = () => run(process.execPath, ['--input-type=module', '-e', serverScript], { cwd: host });
    let opened = server();
    let sqliteNote = 'opened SQLite';
    if (opened.code !== 0 && mode === 'npm') {
      if (!/install-scripts approve better-sqlite3/.test(opened.out)) throw new Error(`the server import failed without naming the fix:\n${opened.out.slice(-2000)}`);
      sqliteNote = 'without approval: the clear "npm install-scripts approve better-sqlite3" message';
      if (sqlite) {
        log('npm install-scripts approve better-sqlite3 && npm rebuild better-sqlite3 (compiles it)');
        must('approve', run('npm', ['install-scripts', 'approve', 'better-sqlite3'], { cwd: host }));
        must('rebuild', run('npm', ['rebuild', 'better-sqlite3'], { cwd: host }));
        opened = server();
        sqliteNote = 'approved, rebuilt, opened SQLite';
      }
    }
    if (opened.code === 0 && !/"status":200/.test(opened.stdout)) throw new Error(`/health answered ${opened.out}`);
    if (opened.code !== 0 && (mode !== 'npm' || sqlite)) throw new Error(`import('email-config-wizard/server') failed:\n${opened.out.slice(-2000)}`);
    return { tarball: info.filename, size: info.size, unpackedSize: info.unpackedSize, files: files.length, detect: detection.provider.id, sqlite: sqliteNote };
  } finally {
    if (mode === 'link') rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = new Set(process.argv.slice(2));
  const result = await packCheck({
    mode: args.has('--link') ? 'link' : 'npm',
    build: !args.has('--no-build'),
    sqlite: args.has('--sqlite'),
    log: (line) => process.stdout.write(`· ${line}\n`),
  });
  process.stdout.write(`ok ${JSON.stringify(result)}\n`);
}
