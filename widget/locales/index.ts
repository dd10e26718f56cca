import { configureLocalization } from '@lit/localize';

/** The languages the widget speaks; English is the source. */
export const LOCALES = ['en', 'de', 'fr', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

const loaders = {
  de: () => import('./de.js'),
  fr: () => import('./fr.js'),
  es: () => import('./es.js'),
};

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
    loadLocale: (locale) => loaders[locale as keyof typeof loaders](),
  });
  return controls.setLocale(localeFor(tag));
}
