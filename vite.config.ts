import { defineConfig, build, type InlineConfig, type Plugin } from 'vite';

/**
 * `vite build` produces the widget twice, into `dist/widget/`:
 * - `email-config-wizard.js`: an ES module with `lit` external (the host's bundler shares one
 *   Lit), locales split into chunks loaded on demand;
 * - `email-config-wizard.iife.js`: one script-tag file with everything inside (Lit, the element,
 *   English); German, French and Spanish load from `locales/` beside it when a page asks for them.
 * Vite's library mode takes one set of externals per build, so the script-tag build runs as a
 * second build once the first has finished.
 */
const ENTRY = 'widget/index.ts';
const OUT_DIR = 'dist/widget';
const LOCALE_CHUNKS = new Set(['de', 'fr', 'es']);

const shared: InlineConfig = {
  configFile: false,
  logLevel: 'warn',
  build: {
    outDir: OUT_DIR,
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: true,
    minify: true,
    reportCompressedSize: true,
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
      if (!id.endsWith('/widget/styles.ts')) return null;
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
 * Escapes every non-ASCII character of the script-tag file (`·` → `\u00b7`): a classic script
 * is decoded in the host page's charset, which may not be UTF-8. (Module scripts are always
 * UTF-8, so the ES build and the locale files need no escaping.)
 */
function asciiOnly(): Plugin {
  return {
    name: 'email-config-wizard:ascii-only',
    // After minification (which would turn escapes back into characters); columns stay close enough for the map.
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type === 'chunk') chunk.code = chunk.code.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
      }
    },
  };
}

function scriptTagBuild(): Plugin {
  return {
    name: 'email-config-wizard:script-tag-build',
    apply: 'build',
    async closeBundle() {
      await build({
        ...shared,
        define: { __ECW_SCRIPT_TAG__: 'true' },
        plugins: [minifyWidgetCss(), asciiOnly()],
        build: {
          ...shared.build,
          lib: { entry: ENTRY, formats: ['iife'], name: 'EmailConfigWizard', fileName: () => 'email-config-wizard.iife.js' },
          rolldownOptions: { output: { minify: true, codeSplitting: false } },
        },
      });
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
      // Lit stays external; @lit/localize and @lit/task are bundled so the element never shares
      // (or fights over) a host page's own localisation setup.
      external: (id) => id === 'lit' || id.startsWith('lit/') || id.startsWith('lit-html') || id.startsWith('lit-element') || id.startsWith('@lit/reactive-element'),
      // Locale chunks get stable names: the script-tag file loads them from `locales/` beside itself.
      output: { minify: true, chunkFileNames: (chunk) => (LOCALE_CHUNKS.has(chunk.name) ? 'locales/[name].js' : 'chunks/[name]-[hash].js') },
    },
  },
});
