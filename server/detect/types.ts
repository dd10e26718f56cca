import type { ProviderEntry } from './providers/index.js';

/** Where a detected configuration came from (contract). */
export type DetectionSource = 'builtin' | 'mx' | 'autoconfig' | 'srv' | 'ispdb' | 'guess' | 'none';
export type Confidence = 'high' | 'medium' | 'low';
export type Security = 'tls' | 'starttls' | 'none';

/** One mail server as the widget shows it: the username is already filled in for the address. */
export interface MailServer {
  host: string;
  port: number;
  security: Security;
  username: string;
}

/** The provider part of a detection result. */
export interface DetectedProvider {
  id: string;
  name: string;
  oauth: 'google' | 'microsoft' | null;
  supported: boolean;
}

/** A runner-up configuration from a lower-ranked source. */
export interface DetectionAlternative {
  source: Exclude<DetectionSource, 'none'>;
  imap: MailServer | null;
  smtp: MailServer | null;
  provider?: DetectedProvider;
}

/** The answer of `POST /detect` (contract in DESIGN.md). */
export interface DetectionResult {
  email: string;
  domain: string;
  provider: DetectedProvider | null;
  imap: MailServer | null;
  smtp: MailServer | null;
  source: DetectionSource;
  confidence: Confidence;
  authMethods: Array<'oauth' | 'password'>;
  notes: string[];
  alternatives: DetectionAlternative[];
  elapsedMs: number;
}

/**
 * A server as a source found it, before the address is known: `username` is a template
 * (`%EMAILADDRESS%`, `%EMAILLOCALPART%`, or a fixed name) filled in per address.
 */
export interface ServerTemplate {
  host: string;
  port: number;
  security: Security;
  username: string;
}

/** What one source found for a domain (cached per domain, rendered per address). */
export interface Finding {
  source: Exclude<DetectionSource, 'none'>;
  /** Orders findings: lower wins. Separates sources that share a name (own vs MX-domain autoconfig). */
  rank: number;
  confidence: Confidence;
  imap: ServerTemplate | null;
  smtp: ServerTemplate | null;
  provider?: ProviderEntry;
  /** Extra sentences for the person (why unsupported, what was found where). */
  notes?: string[];
  /** Other ports of the same provider, shown as alternatives. */
  extra?: Array<{ imap: ServerTemplate | null; smtp: ServerTemplate | null }>;
}

/** The sources the pipeline runs, for progress events. */
export type SourceName = 'builtin' | 'mx' | 'autoconfig' | 'srv' | 'ispdb' | 'guess';

/** Progress of one detection, streamed to the widget as server-sent events. */
export type DetectionProgress =
  | { source: SourceName; status: 'start' }
  | { source: SourceName; status: 'end'; found: boolean; ms: number; error?: string };
