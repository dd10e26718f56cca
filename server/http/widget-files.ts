import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Hono } from 'hono';
import type { AppEnv } from './context.js';

/** One prebuilt widget file, with its compressed forms, ready to answer. */
export interface WidgetFile {
  contentType: string;
  /** Content hash: the strong validator (each encoding adds its own suffix). */
  hash: string;
  /** A content-hashed name (`script/…-<hash>.js`, `chunks/…`): its content never changes. */
  immutable: boolean;
  identity: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

export const WIDGET_PATH = '/widget';
/** Hashed names: a year, never revalidated. The loader and other stable names: five minutes, then a 304 by ETag. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
export const STABLE_CACHE = 'public, max-age=300';

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.map': 'application/json; charset=utf-8' };

/** The folder `vite build` writes the widget to, found from this module (source, tsc build or esbuild bundle alike). */
export function widgetFilesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'dist', 'widget');
    if (existsSync(join(dir, 'package.json')) && (existsSync(candidate) || existsSync(join(dir, 'widget')))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return join(dirname(fileURLToPath(import.meta.url)), 'widget');
    dir = parent;
  }
}

/**
 * Reads every `.js` and `.map` under `dir` (and the `.br`/`.gz` written beside them at build
 * time) into memory: the widget is a few hundred kilobytes, and serving from memory needs no
 * file system access per request. An empty map when nothing is built.
 */
export function loadWidgetFiles(dir: string = widgetFilesDir()): Map<string, WidgetFile> {
  const files = new Map<string, WidgetFile>();
  if (!existsSync(dir)) return files;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const extension = /\.(js|map)$/.exec(entry.name)?.[0];
    if (!entry.isFile() || !extension) continue;
    const path = join(entry.parentPath, entry.name);
    const name = relative(dir, path).split(sep).join('/');
    const identity = readFileSync(path);
    const read = (suffix: string) => (existsSync(path + suffix) ? readFileSync(path + suffix) : undefined);
    files.set(name, {
      contentType: TYPES[extension]!,
      hash: createHash('sha256').update(identity).digest('base64url').slice(0, 22),
      immutable: name.includes('/'),
      identity,
      br: read('.br'),
      gzip: read('.gz'),
    });
  }
  return files;
}

/** The encoding to send: brotli when accepted, else gzip, else none (`q=0` refuses). */
export function chooseEncoding(acceptEncoding: string | undefined, file: WidgetFile): 'br' | 'gzip' | undefined {
  const accepted = new Set<string>();
  for (const part of (acceptEncoding ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((param) => /^\s*q=([\d.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
    if (name && (q === undefined || Number(q) > 0)) accepted.add(name.trim());
  }
  if (file.br && accepted.has('br')) return 'br';
  if (file.gzip && (accepted.has('gzip') || accepted.has('*'))) return 'gzip';
  return undefined;
}

/** True when `If-None-Match` names this file's content (any encoding's tag, weak or strong). */
function matches(ifNoneMatch: string | undefined, file: WidgetFile): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '').replace(/^"|"$/g, '').replace(/-(br|gz)$/, '') === file.hash);
}

/**
 * Serves the prebuilt widget at `/widget/*` the way a CDN would: brotli or gzip by
 * `Accept-Encoding` (compressed once at build time), an `ETag` per representation and `304` on
 * `If-None-Match`, a year's immutable cache for content-hashed names and five minutes for the
 * stable ones, and `Access-Control-Allow-Origin: *` (the loader imports modules from another
 * origin's page). Nothing is built at run time.
 */
export function mountWidgetFiles(app: Hono<AppEnv>, files: Map<string, WidgetFile> = loadWidgetFiles()): void {
  const answer = (c: Context<AppEnv>) => {
    const name = decodeURIComponent(c.req.path.slice(WIDGET_PATH.length + 1));
    const file = files.get(name);
    if (!file) {
      const message =
        files.size === 0
          ? 'The widget files are not built on this server: run `npm run build` (npm start builds them).'
          : `There is no widget file ${name}.`;
      return c.json({ error: { code: 'NOT_FOUND', message } }, 404);
    }
    const encoding = chooseEncoding(c.req.header('accept-encoding'), file);
    const etag = `"${file.hash}${encoding === 'br' ? '-br' : encoding === 'gzip' ? '-gz' : ''}"`;
    const headers: Record<string, string> = {
      'Cache-Control': file.immutable ? IMMUTABLE_CACHE : STABLE_CACHE,
      ETag: etag,
      Vary: 'Accept-Encoding',
      'Access-Control-Allow-Origin': '*',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    };
    if (matches(c.req.header('if-none-match'), file)) return c.body(null, 304, headers);
    const body = encoding === 'br' ? file.br! : encoding === 'gzip' ? file.gzip! : file.identity;
    headers['Content-Type'] = file.contentType;
    headers['Content-Length'] = String(body.length);
    if (encoding) headers['Content-Encoding'] = encoding;
    if (c.req.method === 'HEAD') return c.body(null, 200, headers);
    return c.body(new Uint8Array(body), 200, headers);
  };
  app.get(`${WIDGET_PATH}/*`, answer);
  app.on('HEAD', `${WIDGET_PATH}/*`, answer);
}
