import { configureLocalization } from '@lit/localize';

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
    // The text → template conversion is fetched with the first translation: an English page never needs it.
    loadLocale: async (locale) => {
      const [{ texts }, { toTemplates }] = await Promise.all([loadTexts(locale as keyof typeof loaders), import('./templates.js')]);
      return { templates: toTemplates(texts) };
    },
  });
  return controls.setLocale(localeFor(tag));
}
