import { expect } from '@open-wc/testing';
import { readFile } from '@web/test-runner-commands';
import { localeFor } from './index.js';
import { toTemplates } from './templates.js';
import { texts as de } from './de.js';
import { texts as fr } from './fr.js';
import { texts as es } from './es.js';

const SOURCES = [
  '../email-config-wizard.ts',
  '../messages.ts',
  '../oauth-flow.ts',
  '../later-actions.ts',
  ...['address', 'auth', 'detection-summary', 'done', 'explain', 'final', 'manual', 'oauth', 'overview', 'provider-help', 'shared', 'summary', 'test'].map((step) => `../steps/${step}.ts`),
];

/** Every `msg(…, { id })` in the widget's source, with whether it is a `str` template. */
async function sourceIds(): Promise<Map<string, boolean>> {
  const ids = new Map<string, boolean>();
  for (const path of SOURCES) {
    const source = await readFile({ path });
    expect(source, path).to.be.a('string');
    for (const match of source!.matchAll(/msg\(\s*(str)?[`'"][\s\S]*?\{ id: '([^']+)' \}\)/g)) ids.set(match[2]!, match[1] === 'str');
  }
  return ids;
}

describe('locales', () => {
  it('every text id in the source has a translation in every language, and no translation is orphaned', async () => {
    const ids = await sourceIds();
    expect(ids.size).to.be.greaterThan(100);
    for (const [name, texts] of Object.entries({ de, fr, es })) {
      expect(Object.keys(texts).sort(), name).to.deep.equal([...ids.keys()].sort());
      for (const [id, text] of Object.entries(texts)) {
        expect(text.includes('${0}'), `${name} ${id}`).to.equal(ids.get(id));
        expect(text.trim(), `${name} ${id}`).not.to.equal('');
      }
    }
  });

  it('turns a text with a placeholder into a str template and maps language tags', () => {
    const templates = toTemplates(de);
    expect(templates['auth.oauth']).to.include({ strTag: true });
    expect(templates['back']).to.equal('Zurück');
    expect(localeFor('de-AT')).to.equal('de');
    expect(localeFor('pt-BR')).to.equal('en');
    expect(localeFor(undefined)).to.equal('en');
  });
});
