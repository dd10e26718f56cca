import { findProviderByDomain, type ProviderEntry } from '../providers/index.js';
import { fromSpec } from '../username.js';
import type { Confidence } from '../types.js';
import type { Finding } from '../finding.js';
import { RANK } from './context.js';

/**
 * A finding made of a provider database entry: its servers, its other ports as extras, its
 * notes. An unsupported provider yields no servers.
 */
export function providerFinding(provider: ProviderEntry, source: Finding['source'], rank: number, confidence: Confidence): Finding {
  const supported = provider.supported && (provider.imap !== null || provider.smtp !== null);
  const extraImap = provider.alternatives?.imap ?? [];
  const extraSmtp = provider.alternatives?.smtp ?? [];
  return {
    source,
    rank,
    confidence,
    provider,
    imap: supported ? fromSpec(provider.imap) : null,
    smtp: supported ? fromSpec(provider.smtp) : null,
    extra: supported
      ? [
          ...extraImap.map((spec) => ({ imap: fromSpec(spec), smtp: fromSpec(provider.smtp) })),
          ...extraSmtp.map((spec) => ({ imap: fromSpec(provider.imap), smtp: fromSpec(spec) })),
        ]
      : [],
  };
}

/**
 * The built-in database's answer for an address domain (exact domain or alias), if any: high
 * confidence for hand-checked (curated) entries, medium for entries only the public lists give.
 */
export function detectBuiltin(domain: string): Finding | undefined {
  const provider = findProviderByDomain(domain);
  if (!provider) return undefined;
  const curated = provider.provenance === undefined || provider.provenance[0]?.source === 'curated';
  return providerFinding(provider, 'builtin', RANK.builtin, curated ? 'high' : 'medium');
}
