import { getDomain } from 'tldts';
import { REGION_PATTERN, REGION_PLACEHOLDER } from './schema.js';
import type { ProviderIndex } from './load.js';
import type { MxMatch, ProviderEntry, ServerSpec } from './types.js';

/**
 * Matches one MX host against the index: first the regex patterns (hosts that carry a
 * region), then each parent domain of the host — from the host minus its first label down to
 * its registrable domain (public suffix list via tldts) — against the suffix patterns.
 * Never looks above the registrable domain, so `mx.google.com.evil.test` cannot match `google.com`.
 *
 * @example
 * matchMxHost(index, 'contoso-com.mail.protection.outlook.com')?.provider.id; // 'microsoft-365'
 */
export function matchMxHost(index: ProviderIndex, mxHost: string): MxMatch | undefined {
  const host = mxHost.trim().toLowerCase().replace(/\.$/, '');
  if (!host.includes('.')) return undefined;

  for (const { regex, pattern } of index.mxRegexes) {
    const match = regex.exec(host);
    if (!match) continue;
    const region = match.groups?.region;
    if (region !== undefined && !REGION_PATTERN.test(region)) continue;
    const provider = index.byId.get(pattern.provider);
    if (!provider) continue;
    return {
      provider: region === undefined ? provider : withRegion(provider, region),
      forwardingOnly: pattern.forwardingOnly ?? false,
      ...(region !== undefined || pattern.region !== undefined ? { region: region ?? pattern.region } : {}),
    };
  }

  const registrable = getDomain(host);
  if (!registrable) return undefined;
  const labels = host.split('.');
  const start = host === registrable ? 0 : 1;
  for (let i = start; i < labels.length; i++) {
    const suffix = labels.slice(i).join('.');
    if (suffix.length < registrable.length) break;
    const pattern = index.mxBySuffix.get(suffix);
    if (!pattern) continue;
    const provider = index.byId.get(pattern.provider);
    if (!provider) return undefined;
    return {
      provider,
      forwardingOnly: pattern.forwardingOnly ?? false,
      ...(pattern.region !== undefined ? { region: pattern.region } : {}),
    };
  }
  return undefined;
}

/** A copy of a region-templated provider with `{region}` filled into its host names. */
function withRegion(provider: ProviderEntry, region: string): ProviderEntry {
  const fill = (spec: ServerSpec | null): ServerSpec | null =>
    spec && Object.freeze({ ...spec, host: spec.host.replaceAll(REGION_PLACEHOLDER, region) });
  return Object.freeze({ ...provider, imap: fill(provider.imap), smtp: fill(provider.smtp) });
}
