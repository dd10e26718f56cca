import { getDomain } from 'tldts';
import { NetError } from '../../net/index.js';
import { findProviderByDomain, findProviderByMx } from '../providers/index.js';
import { Conclusion } from '../scheduler.js';
import type { Finding, ProviderSignal } from '../finding.js';
import { providerFinding } from './builtin.js';
import { RANK, type MxRecord, type SourceContext } from './context.js';
import { mailFilterOf, signalFromAutodiscover, signalsFromTxt } from './signals.js';

/** DNS look-ups for signals wait at most this long: they can add a provider, never hold the answer up for long. */
const SIGNAL_LOOKUP_MS = 1500;

/** RFC 7505: a single MX record with the root as exchange says the domain accepts no mail. */
export function isNullMx(records: MxRecord[]): boolean {
  return records.length === 1 && (records[0]!.exchange === '' || records[0]!.exchange === '.');
}

/** The most-preferred MX hosts (lowest priority value; several when they tie). */
export function preferredMx(records: MxRecord[]): MxRecord[] {
  const best = Math.min(...records.map((r) => r.priority));
  return records.filter((r) => r.priority === best && r.exchange !== '' && r.exchange !== '.');
}

/**
 * Matches the most-preferred MX hosts against hosted-mail patterns: a custom domain on Google
 * Workspace or Microsoft 365 gets their servers and OAuth; a forwarding-only service means
 * there is no mailbox. Failing a pattern, the MX host's parent domains are looked up in the
 * provider database (mail hosted by a known provider under its own name). A mail filter as MX
 * says nothing about the mailbox, only a note.
 *
 * @example detectByMxRecords([{ exchange: 'aspmx.l.google.com', priority: 1 }], 'x.com')[0]?.provider?.id // 'google-workspace'
 */
export function detectByMxRecords(records: MxRecord[], domain: string): Finding[] {
  const preferred = preferredMx(records);
  for (const { exchange } of preferred) {
    const match = findProviderByMx(exchange);
    if (!match) continue;
    const signal: ProviderSignal = { providerId: match.provider.id, strength: 3, reason: `The MX record of ${domain} points to ${match.provider.name} (${exchange}).` };
    if (match.forwardingOnly) {
      const provider = { ...match.provider, supported: false, imap: null, smtp: null };
      const notes = match.provider.notes.length > 0
        ? []
        : [`${domain} only forwards mail through ${match.provider.name}: there is no mailbox to connect. Connect the mailbox the mail is forwarded to instead.`];
      return [{ ...providerFinding(provider, 'mx', RANK.mx, 'high'), notes, signals: [signal] }];
    }
    return [{ ...providerFinding(match.provider, 'mx', RANK.mx, 'high'), signals: [signal] }];
  }
  for (const { exchange } of preferred) {
    const filter = mailFilterOf(exchange);
    if (filter) {
      return [{ source: 'mx', rank: RANK.mx, confidence: 'low', imap: null, smtp: null, notes: [`Mail for ${domain} passes through the ${filter} filter (${exchange}), which is not where the mailboxes are.`] }];
    }
  }
  for (const { exchange } of preferred) {
    for (const mxDomain of mxDomains(exchange, domain)) {
      const provider = findProviderByDomain(mxDomain);
      if (provider) return [providerFinding(provider, 'mx', RANK.mx, 'medium')];
    }
  }
  return [];
}

/**
 * The domains to ask about an MX host's operator, as Thunderbird and K-9 do: the host minus
 * its first label, and its registrable domain — also when the MX shares the address's
 * registrable domain — but never the address domain itself (already asked) or a public suffix.
 *
 * @example mxDomains('mx01.mail.hoster.de', 'shop.example') // ['mail.hoster.de', 'hoster.de']
 * @example mxDomains('mx1.acme.example', 'helpdesk.acme.example') // ['acme.example']
 */
export function mxDomains(exchange: string, domain: string): string[] {
  const host = exchange.toLowerCase().replace(/\.$/, '');
  if (!host || !host.includes('.')) return [];
  const registrable = getDomain(host);
  if (!registrable) return [];
  const parent = host.split('.').slice(1).join('.');
  const candidates = [parent, registrable].filter((d) => d.length >= registrable.length && d !== domain);
  return [...new Set(candidates)];
}

/** The MX host domains worth an autoconfig/ISPDB look-up: none when the MX already names a provider or a filter. */
export async function mxLookupDomains(ctx: SourceContext): Promise<string[]> {
  const records = await ctx.mx();
  if (isNullMx(records) || detectByMxRecords(records, ctx.address.domain).length > 0) return [];
  const first = preferredMx(records)[0];
  return first ? mxDomains(first.exchange, ctx.address.domain) : [];
}

/**
 * The MX source: the domain's MX records and the DNS records that tell who hosts its mail
 * (SPF includes, verification TXT records, the `autodiscover` alias). Ends the whole detection
 * at once when the domain does not exist or publishes a null MX.
 */
export async function detectByMx(ctx: SourceContext, hooks: { partial(findings: Finding[]): void }): Promise<Finding[]> {
  const domain = ctx.address.domain;
  const txt = ctx.net.resolveTxt(domain, Math.min(ctx.remainingMs(), SIGNAL_LOOKUP_MS)).catch(() => [] as string[]);
  const cname = ctx.net.resolveCname(`autodiscover.${domain}`, Math.min(ctx.remainingMs(), SIGNAL_LOOKUP_MS)).catch(() => undefined);
  let records: MxRecord[];
  try {
    records = await ctx.mx();
  } catch (error) {
    if (error instanceof NetError && error.code === 'DNS_NOT_FOUND') {
      throw new Conclusion([note(`The domain ${domain} does not exist. Check the address for a typing mistake.`)], 'DNS_NOT_FOUND');
    }
    throw error;
  }
  if (isNullMx(records)) {
    throw new Conclusion([note(`${domain} accepts no email: its DNS publishes a “null MX” record (RFC 7505), so there is no mailbox to connect. Check the address for a typing mistake.`)]);
  }
  const found = detectByMxRecords(records, domain);
  hooks.partial(found);
  const signals = [...signalsFromTxt(domain, await txt), ...signalFromAutodiscover(domain, await cname)];
  return signals.length > 0 ? [...found, { source: 'mx', rank: RANK.mx, confidence: 'medium', imap: null, smtp: null, signals }] : found;
}

function note(text: string): Finding {
  return { source: 'mx', rank: RANK.mx, confidence: 'high', imap: null, smtp: null, notes: [text] };
}
