import { findProviderByServerHost, providerById, type ProviderEntry } from './providers/index.js';
import type { Finding, ProviderSignal } from './finding.js';
import { providerFinding } from './sources/builtin.js';
import { RANK } from './sources/context.js';

/** A provider needs at least this much evidence (say an SPF include, or a verification record and more) to be inferred. */
const MIN_STRENGTH = 2;

/** Hosts a provider's clients connect to. */
function hostsOf(provider: ProviderEntry): Set<string> {
  return new Set(
    [provider.imap, provider.smtp, ...(provider.alternatives?.imap ?? []), ...(provider.alternatives?.smtp ?? [])].flatMap((spec) => (spec ? [spec.host] : [])),
  );
}

/** Signals from the servers a domain's own configuration (autoconfig, SRV) names. */
function serverSignals(findings: Finding[], domain: string): ProviderSignal[] {
  const signals: ProviderSignal[] = [];
  for (const finding of findings) {
    if (finding.source !== 'autoconfig' && finding.source !== 'srv') continue;
    for (const server of [finding.imap, finding.smtp]) {
      const provider = server ? findProviderByServerHost(server.host) : undefined;
      if (!provider || !server) continue;
      const where = finding.source === 'srv' ? 'SRV records' : 'autoconfig';
      signals.push({ providerId: provider.id, strength: 3, reason: `The ${where} of ${domain} name ${server.host}, a ${provider.name} server.` });
      break;
    }
  }
  return signals;
}

/**
 * Weighs every signal about who hosts a domain's mailboxes — the MX, the servers its own
 * autoconfig or SRV records name, the `autodiscover` alias, SPF includes, verification TXT
 * records — and adds the best-supported provider: attached to the findings that point at its
 * servers, or as a finding of its own (ranked after the domain's published configuration and
 * the MX) when nothing else names it. The note says which signals decided it.
 *
 * @example withInferredProvider(findings, 'contoso.example') // + Microsoft 365, "autodiscover.contoso.example points to …"
 */
export function withInferredProvider(findings: Finding[], domain: string): Finding[] {
  const signals = [...findings.flatMap((f) => f.signals ?? []), ...serverSignals(findings, domain)];
  if (signals.length === 0) return findings;
  const totals = new Map<string, number>();
  for (const signal of signals) totals.set(signal.providerId, (totals.get(signal.providerId) ?? 0) + signal.strength);
  const [bestId, strength] = [...totals.entries()].sort((a, b) => b[1] - a[1])[0]!;
  const provider = providerById(bestId);
  if (!provider || strength < MIN_STRENGTH) return findings;
  const reasons = [...new Set(signals.filter((s) => s.providerId === bestId).map((s) => s.reason))];
  const note = `${provider.name} was recognised from: ${reasons.join(' ')}`;
  const direct = findings.some((f) => f.provider?.id === bestId);
  const hosts = hostsOf(provider);
  let attached = false;
  const result = findings.map((finding) => {
    if (finding.provider || !finding.imap || !hosts.has(finding.imap.host)) return finding;
    attached = true;
    return { ...finding, provider, notes: [...(finding.notes ?? []), note] };
  });
  if (!direct && !attached && provider.supported) {
    const rank = strength >= 3 ? RANK.mx + 0.5 : RANK.guess - 0.5;
    result.push({ ...providerFinding(provider, 'mx', rank, strength >= 3 ? 'medium' : 'low'), notes: [note] });
  }
  return result;
}
