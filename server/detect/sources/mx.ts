import { getDomain } from 'tldts';
import { findProviderByDomain, findProviderByMx } from '../providers/index.js';
import type { Finding } from '../types.js';
import { providerFinding } from './builtin.js';
import { RANK } from './context.js';

/**
 * Matches a domain's MX hosts (best first) against hosted-mail patterns: a custom domain on
 * Google Workspace or Microsoft 365 gets their servers and OAuth; a forwarding-only service
 * means there is no mailbox. Failing a pattern, the MX host's registrable domain is looked up
 * in the provider database (mail hosted by a known provider under its own name).
 *
 * @example detectByMx([{ exchange: 'aspmx.l.google.com', priority: 1 }])[0]?.provider?.id // 'google-workspace'
 */
export function detectByMx(mx: Array<{ exchange: string; priority: number }>, domain: string): Finding[] {
  for (const { exchange } of mx) {
    const match = findProviderByMx(exchange);
    if (!match) continue;
    if (match.forwardingOnly) {
      const provider = { ...match.provider, supported: false, imap: null, smtp: null };
      const notes = match.provider.notes.length > 0
        ? []
        : [`${domain} only forwards mail through ${match.provider.name}: there is no mailbox to connect. Connect the mailbox the mail is forwarded to instead.`];
      return [{ ...providerFinding(provider, 'mx', RANK.mx, 'high'), notes }];
    }
    return [providerFinding(match.provider, 'mx', RANK.mx, 'high')];
  }
  for (const { exchange } of mx) {
    const mxDomain = mxBaseDomain(exchange, domain);
    const provider = mxDomain ? findProviderByDomain(mxDomain) : undefined;
    if (provider) return [providerFinding(provider, 'mx', RANK.mx, 'medium')];
  }
  return [];
}

/**
 * The registrable domain of an MX host when it differs from the address domain (mail hosted
 * elsewhere), else undefined.
 *
 * @example mxBaseDomain('mx01.mail.hoster.de', 'shop.example') // 'hoster.de'
 */
export function mxBaseDomain(exchange: string, domain: string): string | undefined {
  if (!exchange || exchange === '.') return undefined;
  const base = getDomain(exchange);
  return base && base !== domain && base !== getDomain(domain) ? base : undefined;
}
