import { defineConfig, build, type InlineConfig, type Plugin } from 'vite';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

/**
 * `vite build` writes the widget into `dist/widget/` (or `$ECW_WIDGET_OUT_DIR`), twice:
 * - `email-config-wizard.js` (+ `chunks/`): the package's ES module for bundlers, `lit` external
 *   (the host's bundler shares one Lit); later steps and translations are split into chunks.
 * - the script-tag files: `email-config-wizard.iife.js`, a few hundred bytes that never change
 *   name, imports `script/email-config-wizard-<hash>.js` (Lit, the element and the first step)
 *   from beside itself; later steps and each translation are further `script/*-<hash>.js`
 *   chunks fetched when needed. Hashed names never change content, so a server may cache them
 *   for a year; the loader is the only file whose content changes under the same name.
 * Every `.js` also gets a `.gz` and a `.br` beside it, which the server sends by
 * `Accept-Encoding` (`server/http/widget-files.ts`).
 */
const ROOT = fileURLToPath(new URL('.', import.meta.url));
const ENTRY = resolve(ROOT, 'widget/index.ts');
const OUT_DIR = resolve(ROOT, process.env.ECW_WIDGET_OUT_DIR ?? 'dist/widget');
export const LOADER_FILE = 'email-config-wizard.iife.js';

const shared: InlineConfig = {
  configFile: false,
  logLevel: 'warn',
  build: {
    outDir: OUT_DIR,
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: true,
    minify: true,
    reportCompressedSize: false,
  },
};

/**
 * Minifies the widget's stylesheet (one `css` literal without expressions in `widget/styles.ts`):
 * comments and runs of white space go, as do spaces around `{ } ; , > :`.
 */
function minifyWidgetCss(): Plugin {
  return {
    name: 'email-config-wizard:minify-css',
    enforce: 'pre',
    transform(code, id) {
      if (!/\/widget\/styles(-later)?\.ts$/.test(id)) return null;
      // Only the inside of one literal changes, so the source map is left as it is (map: null).
      const minified = code.replace(/css`([^`$]*)`/g, (_whole, text: string) => {
        const css = text
          .replace(/\/\*[\s\S]*?\*\//g, '')
          .replace(/\s+/g, ' ')
          .replace(/\s*([{};,>])\s*/g, '$1')
          .replace(/:\s+/g, ':')
          .replace(/;}/g, '}')
          .trim();
        return `css\`${css}\``;
      });
      return { code: minified, map: null };
    },
  };
}

/**
 * The classic script a page includes with `<script src>`: it finds its own URL and imports the
 * hashed entry module from beside it. ASCII only, so any page charset reads it.
 */
function scriptTagLoader(): Plugin {
  return {
    name: 'email-config-wizard:script-tag-loader',
    generateBundle(_options, bundle) {
      const entry = Object.values(bundle).find((chunk) => chunk.type === 'chunk' && chunk.isEntry);
      if (!entry) throw new Error('script-tag build: no entry chunk');
      const code =
        `/*! email-config-wizard: loads ${entry.fileName} from beside this file */\n` +
        `(function(){var s=document.currentScript,b=s&&s.src||document.baseURI;` +
        `import(new URL(${JSON.stringify(entry.fileName)},b).href).catch(function(e){console.error("<email-config-wizard> could not load ${entry.fileName}:",e)})})();\n`;
      this.emitFile({ type: 'asset', fileName: LOADER_FILE, source: code });
    },
  };
}

/** Writes `<file>.gz` and `<file>.br` beside every `.js` in `dir` (best compression: done once, served many times). */
export function precompress(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const path = join(entry.parentPath, entry.name);
    const raw = readFileSync(path);
    writeFileSync(`${path}.gz`, gzipSync(raw, { level: 9 }));
    writeFileSync(`${path}.br`, brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } }));
  }
}

function scriptTagBuild(): Plugin {
  return {
    name: 'email-config-wizard:script-tag-build',
    apply: 'build',
    async closeBundle() {
      await build({
        ...shared,
        plugins: [minifyWidgetCss(), scriptTagLoader()],
        build: {
          ...shared.build,
          modulePreload: false,
          lib: { entry: ENTRY, formats: ['es'], fileName: () => 'script/email-config-wizard-[hash].js' },
          // The entry may export more than widget/index.ts does (what the later chunks share with it), so
          // the shared code stays in the entry instead of a third file fetched after it.
          rolldownOptions: { preserveEntrySignatures: 'allow-extension', output: { minify: true, chunkFileNames: 'script/[name]-[hash].js' } },
        },
      });
      precompress(OUT_DIR);
      // scripts/widget-build.mjs compares sources with this file's time to know whether to build again.
      if (process.env.NODE_ENV === 'production') writeFileSync(join(OUT_DIR, '.built'), `production ${new Date().toISOString()}`);
    },
  };
}

export default defineConfig({
  ...shared,
  plugins: [minifyWidgetCss(), scriptTagBuild()],
  build: {
    ...shared.build,
    emptyOutDir: true,
    lib: { entry: ENTRY, formats: ['es'], fileName: () => 'email-config-wizard.js' },
    rolldownOptions: {
      preserveEntrySignatures: 'allow-extension',
      // Lit stays external; @lit/localize and @lit/task are bundled so the element never shares
      // (or fights over) a host page's own localisation setup.
      external: (id) => id === 'lit' || id.startsWith('lit/') || id.startsWith('lit-html') || id.startsWith('lit-element') || id.startsWith('@lit/reactive-element'),
      output: { minify: true, chunkFileNames: 'chunks/[name]-[hash].js' },
    },
  },
});
