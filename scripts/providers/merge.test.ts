import { describe, expect, it } from 'vitest';
import { mergeProviders, type CuratedEntry } from './merge.js';
import { cleanDomain, literalDomains, type Claim, type SourceId } from './sources.js';

const spec = (host: string, port = 993, security: 'tls' | 'starttls' = 'tls') => ({ host, port, security, username: 'email' as const });
const claim = (source: SourceId, domains: string[], imap: string, smtp: string, name = imap): Claim => ({
  source,
  ref: `${source}:file@abc`,
  date: '2026-01-02',
  id: name,
  name,
  domains,
  imap: spec(imap),
  smtp: spec(smtp, 465),
  oauth: false,
});
const curated: CuratedEntry[] = [
  { id: 'gmx', name: 'GMX', domains: ['gmx.net', 'gmx.de'], imap: spec('imap.gmx.net'), smtp: spec('mail.gmx.net', 465), supported: true, source: 'https://support.gmx.com/' },
];

describe('reading the public lists', () => {
  it('takes the literal domains of a domain pattern and leaves wildcards out', () => {
    expect(literalDomains('gmx\\\\.de,gmx\\\\.net,outlook\\\\..*')).toEqual(['gmx.de', 'gmx.net']);
    expect(literalDomains('pobox\\.com|bigpond\\.net.au')).toEqual(['pobox.com', 'bigpond.net.au']);
    expect(literalDomains('yahoo\\..*')).toEqual([]);
  });

  it('keeps only real domains under a public suffix, never reserved names', () => {
    expect(cleanDomain('GMX.de.')).toBe('gmx.de');
    expect(cleanDomain('mein.gmx')).toBe('mein.gmx'); // .gmx is a brand TLD
    expect(cleanDomain('mail.notatld')).toBeUndefined();
    expect(cleanDomain('example.com')).toBeUndefined();
    expect(cleanDomain('mail.test')).toBeUndefined();
    expect(cleanDomain('not a domain')).toBeUndefined();
  });
});

describe('the merge rule', () => {
  it('keeps a curated entry for its domains and lists the disagreeing list for review', () => {
    const result = mergeProviders(curated, [claim('deltachat', ['gmx.de'], 'imap.gmx.com', 'mail.gmx.com')], '2026-11-30');
    expect(result.providers.find((p) => p.id === 'gmx')).toMatchObject({ domains: ['gmx.net', 'gmx.de'], imap: { host: 'imap.gmx.net' } });
    expect(result.conflicts).toEqual([expect.objectContaining({ domain: 'gmx.de', rule: 'curated entry kept' })]);
  });

  it('adds a list’s alias domain to the curated provider whose servers it names, with the list’s source and date', () => {
    const result = mergeProviders(curated, [claim('ispdb', ['gmx.at', 'gmx.ch'], 'imap.gmx.net', 'mail.gmx.net')], '2026-11-30');
    const gmx = result.providers.find((p) => p.id === 'gmx')!;
    expect(gmx.domains).toEqual(['gmx.net', 'gmx.de', 'gmx.at', 'gmx.ch']);
    expect(gmx.provenance).toEqual([{ source: 'curated', date: '2026-11-30' }, { source: 'ispdb:file@abc', date: '2026-01-02' }]);
    expect(result.contributed.ispdb).toMatchObject({ named: 2, chosen: 2, addedToCurated: 2 });
  });

  it('lets the majority of lists win, and the first in precedence break a tie', () => {
    const claims = [
      claim('k9', ['alpha.org'], 'imap.old.org', 'smtp.old.org'),
      claim('fairemail', ['alpha.org'], 'imap.alpha.org', 'smtp.alpha.org'),
      claim('mailcore2', ['alpha.org'], 'imap.alpha.org', 'smtp.alpha.org'),
      claim('k9', ['beta.org'], 'imap.k9.org', 'smtp.k9.org'),
      claim('ispdb', ['beta.org'], 'imap.beta.org', 'smtp.beta.org'),
    ];
    const result = mergeProviders([], claims, '2026-11-30');
    const hostOf = (domain: string) => (result.providers.find((p) => (p.domains as string[]).includes(domain))?.imap as { host: string }).host;
    expect(hostOf('alpha.org')).toBe('imap.alpha.org');
    expect(hostOf('beta.org')).toBe('imap.beta.org');
    expect(result.conflicts.map((c) => `${c.domain}:${c.rule}`)).toEqual(['alpha.org:majority', 'beta.org:precedence']);
  });

  it('groups domains with the same servers into one imported provider with an id, a source and a date', () => {
    const result = mergeProviders([], [claim('ispdb', ['one.org', 'two.org'], 'imap.host.org', 'smtp.host.org', 'Host Mail')], '2026-11-30');
    expect(result.providers).toEqual([
      expect.objectContaining({ id: 'one-org', name: 'Host Mail', domains: ['one.org', 'two.org'], oauth: null, supported: true, provenance: [{ source: 'ispdb:file@abc', date: '2026-01-02' }] }),
    ]);
  });
});
