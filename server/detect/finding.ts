/**
 * Detection's internal vocabulary: what one source found for a domain, before it is shaped
 * into the contract's detection result for one address. Not part of the contract.
 */
import type { ProviderEntry } from './providers/index.js';
import type { Confidence, DetectionSource } from '../contract/detection.js';
import type { Security } from '../contract/codes.js';

/**
 * A server as a source found it, before the address is known: `host` and `username` are
 * templates that may hold `%EMAILADDRESS%`, `%EMAILLOCALPART%` and `%EMAILDOMAIN%`
 * (Thunderbird's autoconfig placeholders), filled in per address by `render`.
 */
export interface ServerTemplate {
  host: string;
  port: number;
  security: Security;
  username: string;
}

export type AuthMethod = 'oauth' | 'password';

/** One piece of evidence about who hosts the mailboxes of a domain. */
export interface ProviderSignal {
  /** Provider id in the built-in database (`microsoft-365`, `google-workspace`, …). */
  providerId: string;
  /** 3 = names the mailbox servers (MX, autoconfig/SRV hosts, autodiscover CNAME); 2 = SPF include; 1 = a verification TXT record. */
  strength: 1 | 2 | 3;
  /** A sentence saying what was seen, for `notes`. */
  reason: string;
}

/** What one source found for a domain (cached per domain unless `scope` is `address`). */
export interface Finding {
  source: Exclude<DetectionSource, 'none'>;
  /** Orders findings: lower wins. Separates sources that share a name (own vs MX-domain autoconfig). */
  rank: number;
  confidence: Confidence;
  imap: ServerTemplate | null;
  smtp: ServerTemplate | null;
  provider?: ProviderEntry;
  /** Sign-in methods the document itself lists (autoconfig `<authentication>`); unset = not said. */
  authMethods?: AuthMethod[];
  /** Evidence about the hosting provider (DNS records, filter MX), weighed by `inferProvider`. */
  signals?: ProviderSignal[];
  /**
   * `address`: the answer was made for one address (an autoconfig server that filled in the
   * login for `?emailaddress=`); it is never served to another address.
   */
  scope?: 'address';
  /** Extra sentences for the person (why unsupported, what was found where). */
  notes?: string[];
  /** Other ports of the same provider, shown as alternatives. */
  extra?: Array<{ imap: ServerTemplate | null; smtp: ServerTemplate | null }>;
}

/** True when a finding names a server or a provider (not only notes or signals). */
export function isAnswer(finding: Finding): boolean {
  return finding.imap !== null || finding.smtp !== null || finding.provider !== undefined;
}
