import { str } from '@lit/localize';

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
