import { NetError } from '../../net/index.js';
import type { Security } from '../types.js';
import type { Finding, ServerTemplate } from '../finding.js';
import { RANK, type SourceContext } from './context.js';

type SrvRecord = { name: string; port: number; priority: number; weight: number };

/** RFC 6186 / RFC 8314 service names, implicit TLS first (RFC 8314 prefers it). */
const SERVICES = {
  imap: [
    { label: '_imaps._tcp', security: 'tls' },
    { label: '_imap._tcp', security: 'starttls' },
  ],
  smtp: [
    { label: '_submissions._tcp', security: 'tls' },
    { label: '_submission._tcp', security: 'starttls' },
  ],
} as const satisfies Record<string, ReadonlyArray<{ label: string; security: Security }>>;

/**
 * The best target of one SRV record set: lowest priority, then highest weight. Undefined when
 * there is none or the service is explicitly not offered (a target of ".").
 */
export function bestSrvTarget(records: SrvRecord[]): SrvRecord | undefined {
  const sorted = [...records].sort((a, b) => a.priority - b.priority || b.weight - a.weight);
  const best = sorted[0];
  if (!best || best.name === '.' || best.name === '' || best.port === 0) return undefined;
  return best;
}

/**
 * Reads the domain's RFC 6186 SRV records (all four look-ups in parallel). With private
 * networks disallowed, a target that resolves only to blocked addresses is dropped exactly like
 * one that does not resolve, so detection never tells what internal names exist.
 */
export async function detectBySrv(ctx: SourceContext): Promise<Finding[]> {
  const settled = await Promise.allSettled(
    [...SERVICES.imap, ...SERVICES.smtp].map(({ label }) => ctx.net.resolveSrv(`${label}.${ctx.address.domain}`, ctx.remainingMs())),
  );
  const published = settled.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : []));
  const lookups = ctx.net.allowPrivateNetworks ? published : await withoutInternalTargets(ctx, published);
  const pick = (services: ReadonlyArray<{ security: Security }>, offset: number): ServerTemplate | null => {
    for (const [i, service] of services.entries()) {
      const target = bestSrvTarget(lookups[offset + i] ?? []);
      if (target) return { host: target.name, port: target.port, security: service.security, username: '%EMAILADDRESS%' };
    }
    return null;
  };
  const imap = pick(SERVICES.imap, 0);
  const smtp = pick(SERVICES.smtp, SERVICES.imap.length);
  if (!imap && !smtp) {
    // "Not there" is an answer; a timeout or network failure is worth reporting.
    const failure = settled.find(
      (s): s is PromiseRejectedResult => s.status === 'rejected' && !(s.reason instanceof NetError && s.reason.code === 'DNS_NOT_FOUND'),
    );
    if (failure) throw failure.reason;
    return [];
  }
  return [{ source: 'srv', rank: RANK.srv, confidence: 'medium', imap, smtp }];
}

/** The records whose target resolves to an address the server may connect to. */
async function withoutInternalTargets(ctx: SourceContext, lookups: SrvRecord[][]): Promise<SrvRecord[][]> {
  const names = [...new Set(lookups.flat().map((r) => r.name).filter((name) => name !== '.' && name !== ''))];
  const usable = new Set<string>();
  await Promise.all(
    names.map((name) =>
      ctx.net.resolveSafeAddress(name, ctx.remainingMs()).then(
        () => usable.add(name),
        () => {},
      ),
    ),
  );
  return lookups.map((records) => records.filter((r) => r.name === '.' || r.name === '' || usable.has(r.name)));
}
