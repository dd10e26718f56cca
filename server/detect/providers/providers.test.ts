import { describe, expect, it } from 'vitest';
import providersJson from './providers.json' with { type: 'json' };
import mxPatternsJson from './mx-patterns.json' with { type: 'json' };
import { buildProviderIndex, ProviderDataError } from './load.js';
import { isValidHostName } from './schema.js';
import { findProviderByDomain, providerById, providerCount } from './index.js';

import type { ProviderEntry } from './types.js';

const clone = <T>(value: T): T => structuredClone(value);

describe('providers.json as a whole', () => {
  const providers = providersJson.providers as unknown as ProviderEntry[];

  it('loads without a single validation problem', () => {
    expect(() => buildProviderIndex(providersJson, mxPatternsJson)).not.toThrow();
  });

  it('never lists plaintext, and only uses mail ports that match their security', () => {
    for (const p of providers) {
      const specs = [p.imap, p.smtp, ...(p.alternatives?.imap ?? []), ...(p.alternatives?.smtp ?? [])];
      for (const spec of specs.filter((s) => s !== null)) {
        expect(['tls', 'starttls'], `${p.id} ${spec.host}`).toContain(spec.security);
        expect(Number.isInteger(spec.port) && spec.port > 0 && spec.port < 65536).toBe(true);
        if (spec.port === 993 || spec.port === 465) expect(spec.security, `${p.id} ${spec.host}:${spec.port}`).toBe('tls');
        // 587 is STARTTLS by standard, but a few providers (Spectrum) run implicit TLS there.
        if (spec.port === 143) expect(spec.security, `${p.id} ${spec.host}:${spec.port}`).toBe('starttls');
        expect(isValidHostName(spec.host), spec.host).toBe(true);
      }
    }
  });

  it('lists every domain once across all providers, lower-case and without a trailing dot', () => {
    const seen = new Map<string, string>();
    for (const p of providers) {
      for (const d of p.domains) {
        expect(seen.get(d), `${d} in ${p.id}`).toBeUndefined();
        seen.set(d, p.id);
        expect(d).toBe(d.toLowerCase());
        expect(d.endsWith('.')).toBe(false);
      }
    }
    expect(seen.size).toBe(providerCount.domains);
  });

  it('gives every unsupported provider null servers and a note saying why', () => {
    for (const p of providers.filter((x) => !x.supported)) {
      expect(p.imap, p.id).toBeNull();
      expect(p.smtp, p.id).toBeNull();
      expect(p.notes.length, p.id).toBeGreaterThan(0);
    }
  });

  it('records a source for every provider, and each source with a date', () => {
    for (const p of providers) {
      expect([p.source].flat().length, p.id).toBeGreaterThan(0);
      expect(p.provenance?.length, p.id).toBeGreaterThan(0);
      for (const entry of p.provenance ?? []) expect(entry.date, p.id).toMatch(/^\d{4}-\d{2}/);
    }
  });

  it('says what Microsoft 365 accepts today — OAuth only — with a source and a date', () => {
    expect(providerById('microsoft-365')).toMatchObject({ hints: { oauthOnly: true }, accepts: { methods: ['oauth'], source: expect.stringMatching(/^https:\/\/learn\.microsoft\.com\//), date: '2022-10-01' } });
    expect(providerById('outlook')?.accepts?.methods).toEqual(['oauth']);
    expect(providerById('gmail')?.accepts?.methods).toEqual(['oauth', 'password']);
  });

  it('makes every provider reachable, by an address domain or an MX pattern', () => {
    const byMx = new Set(mxPatternsJson.patterns.map((pattern) => pattern.provider));
    for (const p of providers) expect(p.domains.length > 0 || byMx.has(p.id), p.id).toBe(true);
  });

  it('explains every app-password or enable-IMAP hint in a note', () => {
    for (const p of providers.filter((x) => x.hints.appPassword || x.hints.enableImap)) {
      expect(p.notes.length, p.id).toBeGreaterThan(0);
    }
  });

  it('gives OAuth only to providers that use that issuer\'s own servers', () => {
    const oauthHosts = { google: /\.gmail\.com$/, microsoft: /(\.office365\.com|\.outlook\.com)$/ };
    for (const p of providers.filter((x) => x.oauth !== null)) {
      expect(p.imap?.host, p.id).toMatch(oauthHosts[p.oauth!]);
      expect(p.smtp?.host, p.id).toMatch(oauthHosts[p.oauth!]);
    }
  });

  it('covers the families the issue names, with over 1,000 domains', () => {
    expect(providerCount.domains).toBeGreaterThan(1000);
    const expected: Record<string, string> = {
      'yahoo.co.uk': 'yahoo', 'hotmail.fr': 'outlook', 'live.com.mx': 'outlook', 'gmx.de': 'gmx', 'web.de': 'webde', 'email.com': 'mailcom',
      't-online.de': 't-online', 'orange.fr': 'orange', 'free.fr': 'free-fr', 'sfr.fr': 'sfr', 'laposte.net': 'laposte',
      'libero.it': 'libero', 'virgilio.it': 'virgilio', 'tiscali.it': 'tiscali-it', 'seznam.cz': 'seznam', 'wp.pl': 'wp-pl',
      'onet.pl': 'onet', 'interia.pl': 'interia', 'mail.ru': 'mailru', 'yandex.ru': 'yandex', 'rambler.ru': 'rambler',
      'ukr.net': 'ukr-net', 'qq.com': 'qq', '163.com': 'netease-163', '126.com': 'netease-126', 'aliyun.com': 'aliyun',
      'naver.com': 'naver', 'daum.net': 'daum', 'kakao.com': 'kakao', 'yahoo.co.jp': 'yahoo-japan', 'docomo.ne.jp': 'docomo',
      'rediffmail.com': 'rediffmail', 'uol.com.br': 'uol', 'bol.com.br': 'bol', 'bigpond.com': 'telstra', 'comcast.net': 'comcast',
      'att.net': 'att', 'verizon.net': 'verizon', 'cox.net': 'cox', 'charter.net': 'charter', 'btinternet.com': 'bt',
      'sky.com': 'sky', 'virginmedia.com': 'virgin-media', 'kpnmail.nl': 'kpn', 'ziggo.nl': 'ziggo', 'bluewin.ch': 'bluewin',
      'posteo.de': 'posteo', 'mailbox.org': 'mailbox-org', 'fastmail.com': 'fastmail', 'sent.com': 'fastmail', 'zoho.com': 'zoho',
      'icloud.com': 'icloud', 'aol.com': 'aol', 'hey.com': 'hey', 'proton.me': 'proton', 'tuta.com': 'tuta',
    };
    for (const [domain, id] of Object.entries(expected)) expect(findProviderByDomain(domain)?.id, domain).toBe(id);
  });
});

describe('findProviderByDomain', () => {
  it('finds a provider by its main domain and by an alias', () => {
    expect(findProviderByDomain('gmail.com')?.id).toBe('gmail');
    expect(findProviderByDomain('googlemail.com')?.id).toBe('gmail');
    expect(findProviderByDomain('hotmail.com')?.oauth).toBe('microsoft');
    expect(findProviderByDomain('gmail.com')?.oauth).toBe('google');
  });

  it('answers icloud with the local part for IMAP and the full address for SMTP', () => {
    const icloud = findProviderByDomain('me.com');
    expect(icloud?.imap).toEqual({ host: 'imap.mail.me.com', port: 993, security: 'tls', username: 'localpart' });
    expect(icloud?.smtp?.username).toBe('email');
  });

  it('marks providers without IMAP as unsupported', () => {
    const proton = findProviderByDomain('proton.me');
    expect(proton?.supported).toBe(false);
    expect(proton?.imap).toBeNull();
    expect(proton?.notes[0]).toMatch(/Bridge/);
    expect(findProviderByDomain('tutanota.com')?.supported).toBe(false);
  });

  it('tolerates upper case and a trailing dot', () => {
    expect(findProviderByDomain('GMAIL.COM')?.id).toBe('gmail');
    expect(findProviderByDomain('gmail.com.')?.id).toBe('gmail');
  });

  it('matches exact domains only', () => {
    expect(findProviderByDomain('mail.gmail.com')).toBeUndefined();
    expect(findProviderByDomain('gmail.com.evil.test')).toBeUndefined();
    expect(findProviderByDomain('xgmail.com')).toBeUndefined();
    expect(findProviderByDomain('')).toBeUndefined();
    expect(findProviderByDomain('example.com')).toBeUndefined();
    expect(findProviderByDomain('constructor')).toBeUndefined();
  });

  it('hands out frozen entries that a caller cannot change', () => {
    const gmail = findProviderByDomain('gmail.com')!;
    expect(Object.isFrozen(gmail)).toBe(true);
    expect(Object.isFrozen(gmail.imap)).toBe(true);
    expect(() => gmail.domains.push('evil.test')).toThrow();
  });

  it('looks providers up by id', () => {
    expect(providerById('microsoft-365')?.oauth).toBe('microsoft');
    expect(providerById('nope')).toBeUndefined();
  });
});

describe('buildProviderIndex rejects bad data', () => {
  const base = () => clone(providersJson) as { providers: Array<Record<string, unknown>> };
  const reject = (data: unknown, mx: unknown = mxPatternsJson) => {
    try {
      buildProviderIndex(data, mx);
    } catch (error) {
      expect(error).toBeInstanceOf(ProviderDataError);
      return (error as ProviderDataError).problems.join('\n');
    }
    throw new Error('expected the data to be rejected');
  };

  it('refuses an OAuth provider that does not say, with a source and a date, what it accepts today', () => {
    const data = base();
    delete data.providers[0]!.accepts;
    expect(reject(data)).toMatch(/accepts today/);
  });

  it('refuses an oauthOnly hint that disagrees with the dated claim', () => {
    const data = base();
    const m365 = data.providers.find((p) => p.id === 'microsoft-365')!;
    (m365.hints as { oauthOnly?: boolean }).oauthOnly = false;
    expect(reject(data)).toMatch(/oauthOnly must agree/);
  });

  it('refuses an entry whose provenance has no date', () => {
    const data = base();
    data.providers[0]!.provenance = [{ source: 'curated' }];
    expect(reject(data)).toMatch(/provenance/);
  });

  it('refuses plaintext security', () => {
    const data = base();
    (data.providers[0]!.imap as { security: string }).security = 'none';
    expect(reject(data)).toMatch(/gmail/);
  });

  it('refuses a port out of range', () => {
    const data = base();
    (data.providers[0]!.smtp as { port: number }).port = 70000;
    expect(reject(data)).toMatch(/smtp\.port/);
  });

  it('refuses an invalid host name', () => {
    for (const host of ['imap..gmail.com', 'IMAP.gmail.com', '-imap.gmail.com', 'imap gmail.com', 'localhost', 'imap.gmail.com.']) {
      const data = base();
      (data.providers[0]!.imap as { host: string }).host = host;
      expect(reject(data), host).toMatch(/host name/);
    }
  });

  it('refuses a domain listed by two providers', () => {
    const data = base();
    (data.providers[1]!.domains as string[]).push('gmail.com');
    expect(reject(data)).toMatch(/"gmail.com" is listed by both/);
  });

  it('refuses an unsupported provider with servers or without a note', () => {
    const data = base();
    const proton = data.providers.find((p) => p.id === 'proton')!;
    proton.imap = { host: 'imap.proton.me', port: 993, security: 'tls', username: 'email' };
    expect(reject(data)).toMatch(/unsupported/);
    const silent = base();
    silent.providers.find((p) => p.id === 'proton')!.notes = [];
    expect(reject(silent)).toMatch(/unsupported/);
  });

  it('refuses an MX pattern that names an unknown provider', () => {
    const mx = { patterns: [{ suffix: 'example.net', provider: 'nobody', source: 'https://example.net/' }] };
    expect(reject(base(), mx)).toMatch(/unknown provider "nobody"/);
  });

  it('refuses a help link that is not https', () => {
    const data = base();
    (data.providers[0]!.hints as { helpUrl: string }).helpUrl = 'http://example.com/help';
    expect(reject(data)).toMatch(/helpUrl/);
  });

  it('refuses a note that is not a sentence', () => {
    const data = base();
    (data.providers[0]!.notes as string[]).push('app password');
    expect(reject(data)).toMatch(/notes/);
  });

  it('refuses a duplicate MX suffix, a regex that does not compile and a pattern with neither suffix nor regex', () => {
    const src = 'https://example.com/';
    expect(reject(base(), { patterns: [{ suffix: 'example.net', provider: 'gmail', source: src }, { suffix: 'example.net', provider: 'gmail', source: src }] }))
      .toMatch(/duplicate MX suffix/);
    expect(reject(base(), { patterns: [{ regex: '([', provider: 'gmail', source: src }] })).toMatch(/does not compile/);
    expect(reject(base(), { patterns: [{ provider: 'gmail', source: src }] })).toMatch(/exactly one of suffix or regex/);
  });

  it('refuses a forwarding-only MX pattern that points at a provider with a mailbox', () => {
    const mx = { patterns: [{ suffix: 'example.net', provider: 'gmail', forwardingOnly: true, source: 'https://example.com/' }] };
    expect(reject(base(), mx)).toMatch(/forwarding-only/);
  });

  it('refuses region-templated hosts that nothing can fill in', () => {
    const data = base();
    const workmail = data.providers.find((p) => p.id === 'amazon-workmail')!;
    (workmail.domains as string[]).push('workmail.example');
    expect(reject(data)).toMatch(/cannot list address domains/);
    const src = 'https://example.com/';
    expect(reject(base(), { patterns: [{ suffix: 'amazonaws.com', provider: 'amazon-workmail', source: src }] })).toMatch(/need a region/);
    expect(reject(base(), { patterns: [{ regex: '^inbound-smtp\\.amazonaws\\.com$', provider: 'amazon-workmail', source: src }] })).toMatch(/captures no region/);
  });

  it('refuses a record without a source', () => {
    const data = base();
    delete data.providers[0]!.source;
    expect(reject(data)).toMatch(/source/);
  });
});
