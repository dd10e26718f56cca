/**
 * Merges the hand-checked (curated) provider entries with the public lists' claims into one
 * database, by a stated rule, and lists every disagreement for review.
 *
 * The rule:
 * 1. A curated entry (checked against the provider's own help pages) wins for every domain it
 *    lists. A list that disagrees with it is reported, never applied.
 * 2. A domain the curated entries do not list takes the servers most sources agree on
 *    ("agree" = the same IMAP host and the same SMTP host). A tie goes to the source ranked
 *    first in PRECEDENCE; within the winning group, the highest-ranked source's ports and
 *    user name form are used.
 * 3. A domain whose winning servers are a curated provider's servers joins that provider (its
 *    regional and alias domains; a hosted offer's tenants); otherwise domains with the same winning servers form one
 *    imported provider, named after the highest-ranked source's entry.
 */
import type { Claim, ServerClaim, SourceId } from './sources.js';

/** Order of trust for ties: actively reviewed and maintained lists first, the list removed in 2023 last. */
export const PRECEDENCE: SourceId[] = ['ispdb', 'fairemail', 'deltachat', 'mailcore2', 'k9'];

export interface ServerSpecJson {
  host: string;
  port: number;
  security: 'tls' | 'starttls';
  username: 'email' | 'localpart';
}

/** The curated file's entries, as far as the merge needs them (other fields pass through untouched). */
export interface CuratedEntry {
  id: string;
  name: string;
  domains: string[];
  imap: ServerSpecJson | null;
  smtp: ServerSpecJson | null;
  supported: boolean;
  oauth?: string | null;
  source: string | string[];
  [key: string]: unknown;
}

export interface Conflict {
  domain: string;
  /** What the database now says, and who said it (`curated` or a source). */
  chosen: { by: string; imap: string; smtp: string };
  others: Array<{ by: string; imap: string; smtp: string }>;
  rule: 'curated entry kept' | 'majority' | 'precedence' | 'left out';
}

export interface MergeResult {
  providers: Array<Record<string, unknown>>;
  conflicts: Conflict[];
  /** Per source: domains it named, and domains where it is the chosen (or a agreeing) source. */
  contributed: Record<SourceId, { named: number; chosen: number; addedToCurated: number; newProviders: number }>;
}

const hostsKey = (c: { imap: ServerClaim | ServerSpecJson | null; smtp: ServerClaim | ServerSpecJson | null }) => `${c.imap?.host ?? '-'} | ${c.smtp?.host ?? '-'}`;
const show = (s: ServerClaim | ServerSpecJson | null) => (s ? `${s.host}:${s.port} ${s.security}` : '—');
const rankOf = (source: SourceId) => PRECEDENCE.indexOf(source);

function slug(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'provider';
}

export function mergeProviders(curated: CuratedEntry[], claims: Claim[], curatedDate: string): MergeResult {
  const contributed = Object.fromEntries(PRECEDENCE.map((s) => [s, { named: 0, chosen: 0, addedToCurated: 0, newProviders: 0 }])) as MergeResult['contributed'];
  const curatedByDomain = new Map<string, CuratedEntry>();
  for (const entry of curated) for (const domain of entry.domains) curatedByDomain.set(domain, entry);
  const byDomain = new Map<string, Claim[]>();
  for (const claim of claims) {
    for (const domain of new Set(claim.domains)) {
      contributed[claim.source].named += 1;
      byDomain.set(domain, [...(byDomain.get(domain) ?? []), claim]);
    }
  }

  const conflicts: Conflict[] = [];
  const addedDomains = new Map<string, { domains: Set<string>; claims: Claim[] }>();
  const imported = new Map<string, { claim: Claim; domains: Set<string>; claims: Claim[] }>();

  for (const [domain, domainClaims] of [...byDomain.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    // One claim per source (a source naming a domain twice keeps its first entry).
    const perSource = PRECEDENCE.flatMap((s) => domainClaims.find((c) => c.source === s) ?? []);
    const owner = curatedByDomain.get(domain);
    if (owner) {
      const disagree = perSource.filter((c) => hostsKey(c) !== hostsKey(owner));
      if (disagree.length > 0) {
        conflicts.push({
          domain,
          chosen: { by: `curated (${owner.id})`, imap: show(owner.imap), smtp: show(owner.smtp) },
          others: disagree.map((c) => ({ by: c.ref, imap: show(c.imap), smtp: show(c.smtp) })),
          rule: 'curated entry kept',
        });
      }
      continue;
    }
    const groups = new Map<string, Claim[]>();
    for (const claim of perSource) groups.set(hostsKey(claim), [...(groups.get(hostsKey(claim)) ?? []), claim]);
    const ranked = [...groups.values()].sort((a, b) => b.length - a.length || rankOf(a[0]!.source) - rankOf(b[0]!.source));
    const winners = ranked[0]!;
    const best = winners[0]!;
    if (ranked.length > 1) {
      conflicts.push({
        domain,
        chosen: { by: winners.map((c) => c.ref).join(', '), imap: show(best.imap), smtp: show(best.smtp) },
        others: ranked.slice(1).flat().map((c) => ({ by: c.ref, imap: show(c.imap), smtp: show(c.smtp) })),
        rule: winners.length > (ranked[1]?.length ?? 0) ? 'majority' : 'precedence',
      });
    }
    for (const claim of winners) contributed[claim.source].chosen += 1;
    // A domain missing from the curated lists but on a curated provider's servers is, for a
    // provider that also sells hosted mail (Google Workspace, Microsoft 365), a tenant: the
    // hosted offer (curated with no domains of its own) takes it before the consumer one.
    const homes = curated.filter((entry) => entry.supported && entry.imap?.host === best.imap.host && entry.smtp?.host === best.smtp.host && !entry.imap.host.includes('{region}'));
    const home = homes.find((entry) => entry.domains.length === 0) ?? homes[0];
    if (home) {
      const slot = addedDomains.get(home.id) ?? { domains: new Set<string>(), claims: [] };
      slot.domains.add(domain);
      slot.claims.push(...winners);
      addedDomains.set(home.id, slot);
      contributed[best.source].addedToCurated += 1;
      continue;
    }
    // IMAP at an OAuth provider with some other SMTP server: a tenant whose sign-in rules the
    // database cannot state for that SMTP server. Left to detection (MX and DNS signals).
    const oauthTenant = curated.find((entry) => entry.oauth && entry.imap?.host === best.imap.host);
    if (oauthTenant) {
      conflicts.push({ domain, chosen: { by: `left out (IMAP at ${oauthTenant.id}, another SMTP)`, imap: show(best.imap), smtp: show(best.smtp) }, others: [], rule: 'left out' });
      continue;
    }
    const key = `${show(best.imap)} | ${show(best.smtp)} | ${best.imap.username}/${best.smtp.username}`;
    const slot = imported.get(key) ?? { claim: best, domains: new Set<string>(), claims: [] };
    if (rankOf(best.source) < rankOf(slot.claim.source)) slot.claim = best;
    slot.domains.add(domain);
    slot.claims.push(...winners);
    imported.set(key, slot);
  }

  const provenanceOf = (claims: Claim[]) => {
    const seen = new Map<string, string>();
    for (const claim of claims) if (!seen.has(claim.ref)) seen.set(claim.ref, claim.date);
    return [...seen.entries()].map(([source, date]) => ({ source, date }));
  };

  const providers: Array<Record<string, unknown>> = curated.map((entry) => {
    const added = addedDomains.get(entry.id);
    const provenance = [{ source: 'curated', date: curatedDate }, ...(added ? provenanceOf(added.claims) : [])];
    const sources = [entry.source].flat();
    return {
      ...entry,
      domains: [...entry.domains, ...[...(added?.domains ?? [])].sort()],
      source: [...new Set([...sources, ...(added ? provenanceOf(added.claims).map((p) => p.source) : [])])],
      provenance,
    };
  });

  const usedIds = new Set(providers.map((p) => String(p.id)));
  for (const slot of [...imported.values()].sort((a, b) => [...a.domains][0]!.localeCompare([...b.domains][0]!))) {
    // Named after its first domain: stable across runs, whatever id scheme a list uses.
    const base = slug([...slot.domains].sort()[0]!);
    let id = base;
    for (let n = 2; usedIds.has(id); n += 1) id = `${base}-${n}`;
    usedIds.add(id);
    contributed[slot.claim.source].newProviders += 1;
    const provenance = provenanceOf(slot.claims);
    providers.push({
      id,
      name: slot.claim.name,
      domains: [...slot.domains].sort(),
      imap: { ...slot.claim.imap },
      smtp: { ...slot.claim.smtp },
      oauth: null,
      supported: true,
      notes: [],
      hints: {},
      source: provenance.map((p) => p.source),
      provenance,
    });
  }
  return { providers, conflicts, contributed };
}
