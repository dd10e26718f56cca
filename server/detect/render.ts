import type { NormalisedEmail } from './address.js';
import type { ProviderEntry } from './providers/index.js';
import { render } from './username.js';
import type { DetectedProvider, DetectionAlternative, DetectionResult, Finding, ServerTemplate } from './types.js';

/** What the sources found for a domain, before it is shaped for one address. */
export interface DomainFindings {
  findings: Finding[];
  /** Sentences about the domain itself (it does not exist, it accepts no mail…). */
  notes: string[];
}

function publicProvider(provider: ProviderEntry, supported: boolean): DetectedProvider {
  return { id: provider.id, name: provider.name, oauth: provider.oauth, supported };
}

const sameServer = (a: ServerTemplate | null, b: ServerTemplate | null) =>
  a === b || (a !== null && b !== null && a.host === b.host && a.port === b.port && a.security === b.security);

/**
 * Shapes ranked findings into the contract's detection result for one address: the best
 * finding wins, distinct runners-up become `alternatives`, and a provider known from the MX
 * look-up is attached to a better-ranked finding that points at the same IMAP server (so a
 * custom domain on Microsoft 365 keeps its OAuth even when its own autoconfig answered first).
 */
export function buildResult(address: NormalisedEmail, found: DomainFindings, elapsedMs: number): DetectionResult {
  const ranked = [...found.findings].sort((a, b) => a.rank - b.rank);
  const winner = ranked.find((f) => f.imap || f.smtp || f.provider);
  if (!winner) {
    return {
      email: address.email,
      domain: address.domain,
      provider: null,
      imap: null,
      smtp: null,
      source: 'none',
      confidence: 'low',
      authMethods: ['password'],
      notes: [
        ...found.notes,
        `No settings were found for ${address.domain}. Enter them by hand: your email provider's help pages list the IMAP and SMTP servers.`,
      ],
      alternatives: [],
      elapsedMs,
    };
  }
  const provider = winner.provider ?? ranked.find((f) => f.provider?.supported && f.imap && sameServer(f.imap, winner.imap))?.provider;
  const supported = provider ? provider.supported && (winner.imap !== null || winner.smtp !== null) : true;
  const notes = [...found.notes, ...(provider?.notes ?? []), ...(winner.notes ?? [])];

  const alternatives: DetectionAlternative[] = [];
  const seen: Array<{ imap: ServerTemplate | null; smtp: ServerTemplate | null }> = [{ imap: winner.imap, smtp: winner.smtp }];
  const offer = (source: DetectionAlternative['source'], imap: ServerTemplate | null, smtp: ServerTemplate | null, from?: ProviderEntry) => {
    if (!imap && !smtp) return;
    if (seen.some((s) => sameServer(s.imap, imap) && sameServer(s.smtp, smtp))) return;
    seen.push({ imap, smtp });
    alternatives.push({
      source,
      imap: render(imap, address),
      smtp: render(smtp, address),
      ...(from ? { provider: publicProvider(from, from.supported) } : {}),
    });
  };
  if (supported) {
    for (const extra of winner.extra ?? []) offer(winner.source, extra.imap, extra.smtp, provider);
    for (const finding of ranked) if (finding !== winner) offer(finding.source, finding.imap, finding.smtp, finding.provider);
  }

  return {
    email: address.email,
    domain: address.domain,
    provider: provider ? publicProvider(provider, supported) : null,
    imap: supported ? render(winner.imap, address) : null,
    smtp: supported ? render(winner.smtp, address) : null,
    source: winner.source,
    confidence: winner.confidence,
    authMethods: !supported ? [] : !provider?.oauth ? ['password'] : provider.hints.oauthOnly ? ['oauth'] : ['oauth', 'password'],
    notes: [...new Set(notes)],
    alternatives,
    elapsedMs,
  };
}
