import type { NormalisedEmail } from './address.js';
import type { ProviderEntry } from './providers/index.js';
import { render } from './username.js';
import { withInferredProvider } from './infer.js';
import { isAnswer, type AuthMethod, type Finding, type ServerTemplate } from './finding.js';
import type { DetectedProvider, DetectionAlternative, DetectionResult } from './types.js';

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

/** What a provider accepts today, from the database's dated claims. */
function providerMethods(provider: ProviderEntry): AuthMethod[] {
  if (!provider.oauth) return ['password'];
  return provider.hints.oauthOnly ? ['oauth'] : ['oauth', 'password'];
}

/**
 * The sign-in methods to offer: the provider's (dated, sourced) facts, narrowed by what the
 * domain's own document lists when both speak; OAuth only where a known OAuth provider exists.
 */
export function authMethodsFor(provider: ProviderEntry | undefined, listed: AuthMethod[] | undefined): AuthMethod[] {
  const known = provider ? providerMethods(provider) : ['password' as const];
  if (!listed || listed.length === 0) return known;
  const both = known.filter((method) => listed.includes(method));
  return both.length > 0 ? both : known;
}

/**
 * Shapes ranked findings into the contract's detection result for one address: the provider
 * is inferred from every signal, the best finding wins, distinct runners-up become
 * `alternatives`, notes say what decided the answer.
 */
export function buildResult(address: NormalisedEmail, found: DomainFindings, elapsedMs: number): DetectionResult {
  const ranked = withInferredProvider(found.findings, address.domain).sort((a, b) => a.rank - b.rank);
  const domainNotes = [...found.notes, ...ranked.filter((f) => !isAnswer(f)).flatMap((f) => f.notes ?? [])];
  const winner = ranked.find(isAnswer);
  if (!winner) {
    const concluded = domainNotes.length > 0;
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
        ...new Set([
          ...domainNotes,
          ...(concluded && /does not exist|accepts no email/.test(domainNotes.join(' '))
            ? []
            : [`No settings were found for ${address.domain}. Enter them by hand: your email provider's help pages list the IMAP and SMTP servers.`]),
        ]),
      ],
      alternatives: [],
      elapsedMs,
    };
  }
  const provider = winner.provider;
  const supported = provider ? provider.supported && (winner.imap !== null || winner.smtp !== null) : true;
  const notes = [...domainNotes, ...(provider?.notes ?? []), ...(winner.notes ?? [])];

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
    authMethods: !supported ? [] : authMethodsFor(provider, winner.authMethods),
    notes: [...new Set(notes)],
    alternatives,
    elapsedMs,
  };
}
