/**
 * The built-in provider database: known mailbox providers by address domain, and hosted-mail
 * services by MX host. Data lives in `providers.json` and `mx-patterns.json`; it is validated
 * and indexed once, at import, so every look-up is a Map read.
 */
import providersData from './providers.json' with { type: 'json' };
import mxPatternsData from './mx-patterns.json' with { type: 'json' };
import { buildProviderIndex } from './load.js';
import { matchMxHost } from './mx.js';
import type { MxMatch, ProviderEntry } from './types.js';

export type { MxMatch, ProviderEntry, ServerSpec } from './types.js';
export { ProviderDataError } from './load.js';

const index = buildProviderIndex(providersData, mxPatternsData);

/**
 * The provider whose addresses use `domain` (exact domain or one of its aliases; subdomains do
 * not inherit). Upper case and a trailing dot are tolerated.
 * @param domain punycode domain, as after address normalisation
 * @example findProviderByDomain('hotmail.co.uk')?.oauth; // 'microsoft'
 */
export function findProviderByDomain(domain: string): ProviderEntry | undefined {
  return index.byDomain.get(domain) ?? index.byDomain.get(domain.toLowerCase().replace(/\.$/, ''));
}

/**
 * The hosted-mail service behind an MX host, if known. `forwardingOnly` means the domain only
 * forwards mail (no mailbox to connect); `region` is set when the MX host names one, and the
 * provider's hosts are then filled in for that region.
 * @example findProviderByMx('inbound-smtp.eu-west-1.amazonaws.com')?.provider.imap?.host; // 'imap.mail.eu-west-1.awsapps.com'
 */
export function findProviderByMx(mxHost: string): MxMatch | undefined {
  return matchMxHost(index, mxHost);
}

const hostedByServerHost = (() => {
  const map = new Map<string, ProviderEntry>();
  // OAuth providers first, and among them hosted offers (few address domains of their own:
  // Microsoft 365, Google Workspace), so a custom domain pointing at outlook.office365.com is
  // Microsoft 365, not Outlook.com or an imported tenant.
  const ordered = [...index.byId.values()].sort((a, b) => Number(a.oauth === null) - Number(b.oauth === null) || a.domains.length - b.domains.length);
  for (const provider of ordered) {
    if (!provider.supported) continue;
    for (const spec of [provider.imap, provider.smtp, ...(provider.alternatives?.imap ?? []), ...(provider.alternatives?.smtp ?? [])]) {
      if (spec && !map.has(spec.host)) map.set(spec.host, provider);
    }
  }
  return map;
})();

/**
 * The provider that runs a mail server host, for a custom domain whose own configuration names
 * it (hosted offers preferred over consumer ones).
 * @example findProviderByServerHost('outlook.office365.com')?.id; // 'microsoft-365'
 */
export function findProviderByServerHost(host: string): ProviderEntry | undefined {
  return hostedByServerHost.get(host.toLowerCase().replace(/\.$/, ''));
}

/** The provider with this id (`gmail`, `microsoft-365`, …). */
export function providerById(id: string): ProviderEntry | undefined {
  return index.byId.get(id);
}

/** How many providers and address domains the built-in database knows. */
export const providerCount: { providers: number; domains: number } = Object.freeze({
  providers: index.byId.size,
  domains: index.byDomain.size,
});
