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

function scriptTagBuild(): Plugin {
  return {
    name: 'email-config-wizard:script-tag-build',
    apply: 'build',
    async closeBundle() {
      await build({
        ...shared,
        define: { __ECW_SCRIPT_TAG__: 'true' },
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
  plugins: [scriptTagBuild()],
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
