// `custom-elements-manifest analyze` (npm run build) writes custom-elements.json, the Custom
// Elements Manifest that package.json names in `customElements`: IDEs, Storybook and linters read
// the element's attributes, properties, events, parts and CSS properties from it. The JSDoc on the
// class is the source; this plugin only tidies what the analyzer reads literally.
import { readFileSync } from 'node:fs';

/** Internal reactive state (`static properties` entries with `state: true`): the analyzer would list them as attributes. */
const STATE_FIELDS = new Set(
  [...readFileSync(new URL('./widget/email-config-wizard.ts', import.meta.url), 'utf8').matchAll(/^\s+(\w+): \{ state: true \}/gm)].map((match) => match[1]),
);

const DETAIL_TYPES = {
  'ecw-step-change': 'CustomEvent<EcwStepChangeDetail>',
  'ecw-complete': 'CustomEvent<EcwCompleteDetail>',
  'ecw-error': 'CustomEvent<EcwErrorDetail>',
  'ecw-cancel': 'CustomEvent<EcwCancelDetail>',
};

/**
 * `@csspart field, label, input - Form rows…` documents three parts at once; the analyzer reads
 * "field" as the name and the rest as the description. One entry per name, with the real description.
 */
const splitNames = (entries = []) =>
  entries.flatMap((entry) => {
    if (!entry.name.endsWith(',')) return [entry];
    const text = `${entry.name} ${entry.description ?? ''}`.trim();
    const [names, ...description] = text.split(' - ');
    return names
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
      .map((name) => ({ name, ...(description.length ? { description: description.join(' - ') } : {}) }));
  });

export default {
  globs: ['widget/email-config-wizard.ts'],
  outdir: '.',
  litelement: true,
  plugins: [
    {
      name: 'email-config-wizard:tidy',
      packageLinkPhase({ customElementsManifest }) {
        for (const module of customElementsManifest.modules) {
          // The package ships the built module, not the TypeScript source.
          module.path = 'dist/widget/email-config-wizard.js';
          for (const declaration of module.declarations ?? []) {
            if (!declaration.customElement) continue;
            // `emit(type, detail)` is read as an event named "type": keep the documented ones, typed.
            declaration.events = (declaration.events ?? [])
              .filter((event) => event.name in DETAIL_TYPES)
              .map((event) => ({ ...event, type: { text: DETAIL_TYPES[event.name] } }));
            declaration.attributes = (declaration.attributes ?? []).filter((attribute) => !STATE_FIELDS.has(attribute.fieldName));
            declaration.cssParts = splitNames(declaration.cssParts);
            declaration.cssProperties = splitNames(declaration.cssProperties);
            declaration.members = (declaration.members ?? []).filter((member) => member.privacy !== 'private' && member.privacy !== 'protected');
          }
          for (const entry of module.exports ?? []) if (entry.declaration?.module) entry.declaration.module = module.path;
        }
      },
    },
  ],
};
