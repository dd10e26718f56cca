import { configureLocalization, str } from '@lit/localize';

/** The languages the widget speaks; English is the source. */
export const LOCALES = ['en', 'de', 'fr', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

const loaders = {
  de: () => import('./de.js'),
  fr: () => import('./fr.js'),
  es: () => import('./es.js'),
};

/** Each translation is its own chunk, fetched only when a page asks for that language. */
function loadTexts(locale: keyof typeof loaders): Promise<{ texts: Record<string, string> }> {
  return loaders[locale]();
}

let controls: ReturnType<typeof configureLocalization> | undefined;

/**
 * The supported locale for a language tag: `de-AT` → `de`, anything unknown → `en`.
 *
 * @example localeFor('fr-CA') // 'fr'
 */
export function localeFor(tag: string | null | undefined): Locale {
  const base = (tag ?? '').toLowerCase().split(/[-_]/)[0] as Locale;
  return LOCALES.includes(base) ? base : 'en';
}

/** Switches the widget's language (runtime @lit/localize; configured once, on first use). */
export function setWidgetLocale(tag: string | null | undefined): Promise<void> {
  controls ??= configureLocalization({
    sourceLocale: 'en',
    targetLocales: ['de', 'fr', 'es'],
    loadLocale: async (locale) => ({ templates: toTemplates((await loadTexts(locale as keyof typeof loaders)).texts) }),
  });
  return controls.setLocale(localeFor(tag));
}

/**
 * Turns a locale's texts into @lit/localize templates: a text with `${0}`, `${1}`… becomes a `str`
 * template whose placeholders name the source's values by position (a translation may reorder them).
 */
export function toTemplates(texts: Record<string, string>) {
  const templates: Record<string, string | ReturnType<typeof str>> = {};
  for (const [id, text] of Object.entries(texts)) {
    const parts = text.split(/\$\{(\d+)\}/);
    if (parts.length === 1) {
      templates[id] = text;
      continue;
    }
    const strings = parts.filter((_, index) => index % 2 === 0);
    const order = parts.filter((_, index) => index % 2 === 1).map(Number);
    templates[id] = str(Object.assign(strings, { raw: strings }) as unknown as TemplateStringsArray, ...order);
  }
  return templates;
}
