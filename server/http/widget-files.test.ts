import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { ensureWidgetBuilt } from '../../scripts/widget-build.mjs';
import type { AppEnv } from './context.js';
import { IMMUTABLE_CACHE, STABLE_CACHE, chooseEncoding, loadWidgetFiles, mountWidgetFiles, widgetFilesDir, type WidgetFile } from './widget-files.js';

/** What the script tag may cost before the first step shows: the loader plus the entry module it imports. */
const FIRST_LOAD_BUDGET_GZIP = 20_000;

let files: Map<string, WidgetFile>;
let app: Hono<AppEnv>;
let entryName: string;

beforeAll(async () => {
  await ensureWidgetBuilt();
  files = loadWidgetFiles(widgetFilesDir());
  app = new Hono<AppEnv>();
  mountWidgetFiles(app, files);
  entryName = /import\(new URL\("([^"]+)"/.exec(files.get('email-config-wizard.iife.js')!.identity.toString())![1]!;
}, 120_000);

const get = (path: string, headers: Record<string, string> = {}) => app.request(`/widget/${path}`, { headers });

describe('the prebuilt widget, served like a CDN', () => {
  it('sends brotli, gzip or identity by Accept-Encoding, each decoding to the same file', async () => {
    const original = files.get(entryName)!.identity;
    const br = await get(entryName, { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(Buffer.from(await br.arrayBuffer())).equals(original)).toBe(true);
    const gzip = await get(entryName, { 'Accept-Encoding': 'gzip' });
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gzip.arrayBuffer())).equals(original)).toBe(true);
    const none = await get(entryName, { 'Accept-Encoding': 'br;q=0, gzip;q=0' });
    expect(none.headers.get('content-encoding')).toBeNull();
    expect(Buffer.from(await none.arrayBuffer()).equals(original)).toBe(true);
    for (const response of [br, gzip, none]) {
      expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(response.headers.get('vary')).toBe('Accept-Encoding');
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
    }
    expect(new Set([br, gzip, none].map((response) => response.headers.get('etag'))).size).toBe(3);
  });

  it('caches hashed names for a year and the loader briefly, and answers 304 to a matching If-None-Match', async () => {
    const hashed = await get(entryName, { 'Accept-Encoding': 'br' });
    expect(entryName).toMatch(/^script\/email-config-wizard-[\w-]{8}\.js$/);
    expect(hashed.headers.get('cache-control')).toBe(IMMUTABLE_CACHE);
    const loader = await get('email-config-wizard.iife.js', { 'Accept-Encoding': 'gzip' });
    expect(loader.headers.get('cache-control')).toBe(STABLE_CACHE);
    const etag = loader.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+-gz"$/);

    const again = await get('email-config-wizard.iife.js', { 'Accept-Encoding': 'gzip', 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(etag);
    const stale = await get('email-config-wizard.iife.js', { 'If-None-Match': '"something-else"' });
    expect(stale.status).toBe(200);
  });

  it('answers 404 for a name it does not have, and for paths that try to leave the folder', async () => {
    for (const path of ['nope.js', 'email-config-wizard.iife.js.gz']) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    }
    for (const path of ['../package.json', '..%2F..%2Fpackage.json', '%2e%2e/%2e%2e/package.json']) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain('"devDependencies"');
    }
  });

  it('says the files are not built when the folder is empty', async () => {
    const empty = new Hono<AppEnv>();
    mountWidgetFiles(empty, new Map());
    const response = await empty.request('/widget/email-config-wizard.iife.js');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/npm run build/);
  });

  it('prefers brotli, falls back to gzip, honours q=0 and *', () => {
    const file = files.get('email-config-wizard.iife.js')!;
    expect(chooseEncoding('br, gzip', file)).toBe('br');
    expect(chooseEncoding('gzip;q=1.0, br;q=0', file)).toBe('gzip');
    expect(chooseEncoding('*', file)).toBe('gzip');
    expect(chooseEncoding('identity', file)).toBeUndefined();
    expect(chooseEncoding(undefined, file)).toBeUndefined();
  });
});

describe('size budget of the script tag', () => {
  it(`the first step needs at most ${FIRST_LOAD_BUDGET_GZIP} bytes gzipped: the loader and one entry module without static imports`, () => {
    const loader = files.get('email-config-wizard.iife.js')!;
    const entry = files.get(entryName)!;
    // Lit's production build, even when vitest (NODE_ENV=test) triggered the build.
    expect(entry.identity.toString()).not.toContain('Lit is in dev mode');
    // No static import: nothing else is fetched before the element is defined.
    expect(entry.identity.toString()).not.toMatch(/(^|[;}])import\s*[{*\w]/);
    const firstLoad = loader.gzip!.length + entry.gzip!.length;
    console.log(`script tag first load: loader ${loader.gzip!.length} B + entry ${entry.gzip!.length} B = ${firstLoad} B gzipped (brotli ${loader.br!.length + entry.br!.length} B)`);
    expect(firstLoad).toBeLessThanOrEqual(FIRST_LOAD_BUDGET_GZIP);
  });

  it('keeps later steps and every translation out of the first load', () => {
    const entry = files.get(entryName)!.identity.toString();
    const german = readFileSync(join(widgetFilesDir(), 'script', [...files.keys()].find((name) => /^script\/de-[\w-]+\.js$/.test(name))!.slice('script/'.length)), 'utf8');
    expect(german).toContain('Postfach');
    expect(entry).not.toContain('Postfach');
    const later = [...files.keys()].find((name) => /^script\/later-[\w-]+\.js$/.test(name));
    expect(later, 'a lazy chunk for the later steps').toBeDefined();
    expect(entry).toContain(later!.slice('script/'.length));
  });
});
