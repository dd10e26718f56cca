import type { Confidence, DetectionSource } from '../contract/detection.js';
import type { Security } from '../contract/codes.js';
import type { ProviderEntry } from './providers/index.js';

/** The contract shapes of `POST /detect` live in server/contract/detection.ts; detection code imports them from here. */
export type {
  Confidence,
  DetectedProvider,
  DetectedServer as MailServer,
  DetectionAlternative,
  DetectionProgress,
  DetectionResult,
  DetectionSource,
  SourceName,
} from '../contract/detection.js';
export type { Security } from '../contract/codes.js';

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
