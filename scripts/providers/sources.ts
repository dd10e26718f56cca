/**
 * Readers for the public provider lists the built-in database is built from. Each reads one
 * snapshot of a git repository (never its code, only its data files) and returns plain claims:
 * "these domains use these IMAP and SMTP servers", with where and when the claim was made.
 */
import { execFileSync } from 'node:child_process';
import { XMLParser } from 'fast-xml-parser';
import { parse as parseYaml } from 'yaml';
import { parse as parseDomain } from 'tldts';

export type SourceId = 'ispdb' | 'fairemail' | 'deltachat' | 'mailcore2' | 'k9';

export interface ServerClaim {
  host: string;
  port: number;
  security: 'tls' | 'starttls';
  username: 'email' | 'localpart';
}

/** One provider entry of one source. */
export interface Claim {
  source: SourceId;
  /** `<source>:<path>@<short commit>`, stored as the entry's source. */
  ref: string;
  /** When the source last changed this claim (commit date, or the source's own check date). */
  date: string;
  id: string;
  name: string;
  domains: string[];
  imap: ServerClaim;
  smtp: ServerClaim;
  /** The source lists OAuth2 sign-in for these servers. */
  oauth: boolean;
}

export interface Snapshot {
  source: SourceId;
  repository: string;
  commit: string;
  date: string;
  claims: Claim[];
  /** Entries read, and why the others were left out. */
  read: number;
  skipped: Record<string, number>;
}

/** Where each source lives (repository, data path). */
export const SOURCES: Record<SourceId, { repository: string; describe: string }> = {
  ispdb: { repository: 'thunderbird/autoconfig', describe: "Thunderbird's ISPDB (ispdb/*.xml)" },
  fairemail: { repository: 'M66B/FairEmail', describe: "FairEmail's app/src/main/res/xml/providers.xml" },
  deltachat: { repository: 'deltachat/provider-db', describe: "Delta Chat's provider database (_providers/*.md)" },
  mailcore2: { repository: 'MailCore/mailcore2', describe: "MailCore2's resources/providers.json" },
  k9: { repository: 'thunderbird/thunderbird-android', describe: "K-9 / Thunderbird for Android's providers.xml (last version before its removal)" },
};

const git = (gitDir: string, ...args: string[]) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

const HOST = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

/** Names reserved for documentation and testing (RFC 2606, RFC 6761): never a provider's domain. */
const RESERVED = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/;

/** A lower-case domain under a known public suffix (and not a reserved name), else undefined. */
export function cleanDomain(raw: string): string | undefined {
  const domain = raw.trim().toLowerCase().replace(/\.$/, '');
  if (!HOST.test(domain) || RESERVED.test(domain)) return undefined;
  const parsed = parseDomain(domain);
  return parsed.isIcann && parsed.domain ? domain : undefined;
}

/**
 * The literal domains of a domain regex list (`gmx\\.de,gmx\\.net`, `pobox\\.com|x\\.org`);
 * alternatives with wildcards (`outlook\\..*`) are left out: they name no domain.
 */
export function literalDomains(pattern: string): string[] {
  return pattern
    .split(/[,|]/)
    .map((alt) => alt.trim().replace(/^\^|\$$/g, '').replaceAll('\\\\.', '.').replaceAll('\\.', '.'))
    .filter((alt) => !/[*+?()[\]{}^$\\]/.test(alt))
    .flatMap((alt) => cleanDomain(alt) ?? []);
}

function server(host: unknown, port: unknown, security: 'tls' | 'starttls' | undefined, username: 'email' | 'localpart' | undefined): ServerClaim | undefined {
  const h = typeof host === 'string' ? host.trim().toLowerCase().replace(/\.$/, '') : '';
  const p = Number(port);
  if (!HOST.test(h) || !security || !username || !Number.isInteger(p) || p < 1 || p > 65535) return undefined;
  // Implicit-TLS ports speak TLS and STARTTLS ports start in the clear: anything else is a data error.
  if ((p === 993 || p === 465) && security !== 'tls') return undefined;
  if ((p === 143 || p === 587) && security !== 'starttls') return undefined;
  return { host: h, port: p, security, username };
}

function snapshotInfo(gitDir: string, rev: string, path: string): { commit: string; date: string } {
  const [commit = '', date = ''] = git(gitDir, 'log', '-1', '--format=%H %cs', rev, '--', path).trim().split(' ');
  return { commit, date };
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', processEntities: false, parseTagValue: false, isArray: (name) => ['emailProvider', 'incomingServer', 'outgoingServer', 'domain', 'authentication', 'provider', 'incoming', 'outgoing'].includes(name) });
const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value.trim() : value && typeof value === 'object' && '#text' in value ? text((value as { '#text': unknown })['#text']) : undefined;

/** Thunderbird's ISPDB: one config-v1.1 file per provider, the file name its main domain. */
export function readIspdb(gitDir: string, rev = 'HEAD'): Snapshot {
  const head = snapshotInfo(gitDir, rev, 'ispdb');
  const files = git(gitDir, 'ls-tree', '--name-only', rev, 'ispdb/').split('\n').filter((f) => f.endsWith('.xml'));
  const claims: Claim[] = [];
  const skipped: Record<string, number> = {};
  const skip = (why: string) => void (skipped[why] = (skipped[why] ?? 0) + 1);
  // A missing <username> means the address, as Thunderbird reads it.
  const usernameOf = (u: string | undefined) => (u === undefined || u === '%EMAILADDRESS%' ? 'email' : u === '%EMAILLOCALPART%' ? 'localpart' : undefined);
  const SECURITY: Record<string, 'tls' | 'starttls'> = { SSL: 'tls', TLS: 'tls', STARTTLS: 'starttls' };
  const securityOf = (s: string | undefined) => SECURITY[s?.toUpperCase() ?? ''];
  for (const file of files) {
    const tree = xml.parse(git(gitDir, 'show', `${rev}:${file}`)) as { clientConfig?: { emailProvider?: Array<Record<string, unknown>> } };
    const provider = tree.clientConfig?.emailProvider?.[0];
    if (!provider) {
      skip('not a config-v1.1 document');
      continue;
    }
    const pick = (list: unknown, type: string) =>
      ((Array.isArray(list) ? list : []) as Array<Record<string, unknown>>)
        .filter((s) => s['@type'] === type)
        .map((s) => ({
          spec: server(text(s.hostname), text(s.port), securityOf(text(s.socketType)), usernameOf(text(s.username))),
          oauth: ((s.authentication as unknown[]) ?? []).some((a) => text(a)?.toLowerCase() === 'oauth2'),
        }))
        .find((s) => s.spec);
    const imap = pick(provider.incomingServer, 'imap');
    const smtp = pick(provider.outgoingServer, 'smtp');
    if (!imap?.spec || !smtp?.spec) {
      skip('no usable IMAP and SMTP pair');
      continue;
    }
    const domains = ((provider.domain as unknown[]) ?? []).filter((d) => typeof d === 'string' || (d as Record<string, unknown>)['@purpose'] !== 'mx').flatMap((d) => cleanDomain(text(d) ?? '') ?? []);
    const { date } = snapshotInfo(gitDir, rev, file);
    claims.push({
      source: 'ispdb',
      ref: `ispdb:${file.replace(/^ispdb\//, '')}@${head.commit.slice(0, 10)}`,
      date,
      id: String(provider['@id'] ?? file),
      name: text(provider.displayName) ?? file,
      domains,
      imap: imap.spec,
      smtp: smtp.spec,
      oauth: imap.oauth,
    });
  }
  return { source: 'ispdb', repository: SOURCES.ispdb.repository, ...head, claims, read: files.length, skipped };
}

/** FairEmail's providers.xml: domain regexes, one IMAP and one SMTP server per provider. */
export function readFairEmail(gitDir: string, rev = 'HEAD'): Snapshot {
  const path = 'app/src/main/res/xml/providers.xml';
  const head = snapshotInfo(gitDir, rev, path);
  const tree = xml.parse(git(gitDir, 'show', `${rev}:${path}`)) as { providers: { provider: Array<Record<string, unknown>> } };
  const claims: Claim[] = [];
  const skipped: Record<string, number> = {};
  const skip = (why: string) => void (skipped[why] = (skipped[why] ?? 0) + 1);
  for (const p of tree.providers.provider) {
    const domains = literalDomains(String(p['@domain'] ?? ''));
    if (domains.length === 0) {
      skip('no literal domain (only a pattern, or none)');
      continue;
    }
    const user = String(p['@user'] ?? '');
    const username = user === '' ? 'email' : user === 'local' ? 'localpart' : undefined;
    const one = (s: unknown) => {
      const attrs = (Array.isArray(s) ? s[0] : s) as Record<string, unknown> | undefined;
      return attrs ? server(attrs['@host'], attrs['@port'], attrs['@starttls'] === 'true' ? 'starttls' : 'tls', username) : undefined;
    };
    const imap = one(p.imap);
    const smtp = one(p.smtp);
    if (!imap || !smtp) {
      skip(username ? 'no usable IMAP and SMTP pair' : 'a fixed or unusual user name');
      continue;
    }
    claims.push({ source: 'fairemail', ref: `fairemail:providers.xml@${head.commit.slice(0, 10)}`, date: head.date, id: String(p['@id'] ?? p['@name']), name: String(p['@name']), domains, imap, smtp, oauth: p.oauth !== undefined });
  }
  return { source: 'fairemail', repository: SOURCES.fairemail.repository, ...head, claims, read: tree.providers.provider.length, skipped };
}

/** Delta Chat's provider database: YAML front matter in _providers/*.md. */
export function readDeltaChat(gitDir: string, rev = 'HEAD'): Snapshot {
  const head = snapshotInfo(gitDir, rev, '_providers');
  const files = git(gitDir, 'ls-tree', '--name-only', rev, '_providers/').split('\n').filter((f) => f.endsWith('.md'));
  const claims: Claim[] = [];
  const skipped: Record<string, number> = {};
  const skip = (why: string) => void (skipped[why] = (skipped[why] ?? 0) + 1);
  for (const file of files) {
    const body = git(gitDir, 'show', `${rev}:${file}`);
    const front = /^---\n([\s\S]*?)\n---/.exec(body)?.[1];
    const data = front ? (parseYaml(front) as Record<string, unknown>) : undefined;
    if (!data) {
      skip('no front matter');
      continue;
    }
    const servers = (data.server as Array<Record<string, unknown>> | undefined) ?? [];
    const pick = (type: string) =>
      servers
        .filter((s) => s.type === type)
        .map((s) => {
          const pattern = String(s.username_pattern ?? 'EMAIL');
          const username = pattern === 'EMAIL' ? 'email' : pattern === 'EMAILLOCALPART' ? 'localpart' : undefined;
          return server(s.hostname, s.port, s.socket === 'SSL' ? 'tls' : s.socket === 'STARTTLS' ? 'starttls' : undefined, username);
        })
        .find((s) => s);
    const imap = pick('imap');
    const smtp = pick('smtp');
    const domains = ((data.domains as unknown[]) ?? []).flatMap((d) => cleanDomain(String(d)) ?? []);
    if (!imap || !smtp || domains.length === 0) {
      skip(domains.length === 0 ? 'no domain' : 'no usable IMAP and SMTP pair (e.g. IMAP not offered)');
      continue;
    }
    const checked = typeof data.last_checked === 'string' ? data.last_checked : undefined;
    claims.push({
      source: 'deltachat',
      ref: `deltachat:${file}@${head.commit.slice(0, 10)}`,
      date: checked && /^\d{4}-\d{2}/.test(checked) ? checked : snapshotInfo(gitDir, rev, file).date,
      id: file.replace(/^_providers\/|\.md$/g, ''),
      name: String(data.name ?? file),
      domains,
      imap,
      smtp,
      oauth: Array.isArray(data.oauth2) || typeof data.oauth2 === 'string',
    });
  }
  return { source: 'deltachat', repository: SOURCES.deltachat.repository, ...head, claims, read: files.length, skipped };
}

/** MailCore2's providers.json: domain and MX regexes, lists of servers. */
export function readMailCore2(gitDir: string, rev = 'HEAD'): Snapshot {
  const path = 'resources/providers.json';
  const head = snapshotInfo(gitDir, rev, path);
  const data = JSON.parse(git(gitDir, 'show', `${rev}:${path}`)) as Record<string, { servers?: Record<string, Array<Record<string, unknown>>>; 'domain-match'?: string[] }>;
  const claims: Claim[] = [];
  const skipped: Record<string, number> = {};
  const skip = (why: string) => void (skipped[why] = (skipped[why] ?? 0) + 1);
  for (const [id, entry] of Object.entries(data)) {
    const domains = (entry['domain-match'] ?? []).flatMap(literalDomains);
    const pick = (list: Array<Record<string, unknown>> | undefined) =>
      (list ?? []).map((s) => server(s.hostname, s.port, s.ssl === true ? 'tls' : s.starttls === true ? 'starttls' : undefined, 'email')).find((s) => s);
    const imap = pick(entry.servers?.imap);
    const smtp = pick(entry.servers?.smtp);
    if (!imap || !smtp || domains.length === 0) {
      skip(domains.length === 0 ? 'no literal domain (MX patterns only)' : 'no usable IMAP and SMTP pair');
      continue;
    }
    claims.push({ source: 'mailcore2', ref: `mailcore2:providers.json@${head.commit.slice(0, 10)}`, date: head.date, id, name: id, domains, imap, smtp, oauth: false });
  }
  return { source: 'mailcore2', repository: SOURCES.mailcore2.repository, ...head, claims, read: Object.keys(data).length, skipped };
}

/** K-9's providers.xml, from the last commit before Thunderbird for Android removed it. */
export function readK9(gitDir: string): Snapshot {
  const path = 'feature/autodiscovery/providersxml/src/main/res/xml/providers.xml';
  const removal = git(gitDir, 'log', '-1', '--format=%H', '--diff-filter=D', 'HEAD', '--', path).trim();
  const rev = removal ? `${removal}^` : 'HEAD';
  const head = snapshotInfo(gitDir, rev, path);
  const tree = xml.parse(git(gitDir, 'show', `${rev}:${path}`)) as { providers: { provider: Array<Record<string, unknown>> } };
  const claims: Claim[] = [];
  const skipped: Record<string, number> = {};
  const skip = (why: string) => void (skipped[why] = (skipped[why] ?? 0) + 1);
  const parseUri = (entry: unknown, protocol: 'imap' | 'smtp') => {
    const attrs = (Array.isArray(entry) ? entry[0] : entry) as Record<string, unknown> | undefined;
    const match = /^(imap|smtp)\+(ssl|tls)\+:\/\/([^:/]+)(?::(\d+))?$/.exec(String(attrs?.['@uri'] ?? ''));
    if (!match || match[1] !== protocol) return undefined;
    const security = match[2] === 'ssl' ? 'tls' : 'starttls';
    const port = match[4] ? Number(match[4]) : protocol === 'imap' ? (security === 'tls' ? 993 : 143) : security === 'tls' ? 465 : 587;
    const user = String(attrs?.['@username'] ?? '');
    const username = user === '$email' ? 'email' : user === '$user' ? 'localpart' : undefined;
    return server(match[3], port, security, username);
  };
  for (const p of tree.providers.provider) {
    const domain = cleanDomain(String(p['@domain'] ?? ''));
    const imap = parseUri(p.incoming, 'imap');
    const smtp = parseUri(p.outgoing, 'smtp');
    if (!domain || !imap || !smtp) {
      skip(!domain ? 'no domain' : 'no usable IMAP and SMTP pair');
      continue;
    }
    claims.push({ source: 'k9', ref: `k9:providers.xml@${head.commit.slice(0, 10)}`, date: head.date, id: String(p['@id']), name: String(p['@label'] ?? p['@id']), domains: [domain], imap, smtp, oauth: false });
  }
  return { source: 'k9', repository: SOURCES.k9.repository, ...head, claims, read: tree.providers.provider.length, skipped };
}
