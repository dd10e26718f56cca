import type { OAuthProvider } from '../../contract/codes.js';

/** How a client connects to one mail server. `security` is never plaintext in the built-in data. */
export interface ServerSpec {
  host: string;
  port: number;
  security: 'tls' | 'starttls';
  /** Whether the login name is the full address or only the part before the `@`. */
  username: 'email' | 'localpart';
}

/** A mailbox provider known to the built-in database. */
export interface ProviderEntry {
  id: string;
  name: string;
  /** Lower-case punycode domains whose addresses live at this provider (may be empty for hosted-only providers). */
  domains: string[];
  imap: ServerSpec | null;
  smtp: ServerSpec | null;
  oauth: OAuthProvider | null;
  /** `false` when the mailbox cannot be reached over IMAP/SMTP; `imap`/`smtp` are then null. */
  supported: boolean;
  /** Sentences a person can act on. */
  notes: string[];
  /** `oauthOnly`: the provider refuses passwords over IMAP/SMTP (no app passwords either). */
  hints: { appPassword?: boolean; enableImap?: boolean; oauthOnly?: boolean; helpUrl?: string };
  alternatives?: { imap?: ServerSpec[]; smtp?: ServerSpec[] };
  /** Where the facts come from: a URL, or `<list>:<file>[@commit]` for the public provider lists. */
  source: string | string[];
  /** Each source with the date of its facts (written by scripts/providers/import.ts). */
  provenance?: Array<{ source: string; date: string }>;
  /** What the provider accepts today for IMAP/SMTP sign-in, with the page that says so, its date and when it was checked. */
  accepts?: { methods: Array<'oauth' | 'password'>; source: string; date: string; checked: string };
}

/** The result of matching a domain's MX host against hosted-mail patterns. */
export interface MxMatch {
  provider: ProviderEntry;
  /** The MX belongs to a forwarding service: there is no mailbox to connect to. */
  forwardingOnly: boolean;
  /** Data-centre region taken from the MX host (Amazon WorkMail, Zoho). */
  region?: string;
}
