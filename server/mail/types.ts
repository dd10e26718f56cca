import type { MailServer } from '../settings/schema.js';

/** The connection-test error codes of the contract (DESIGN.md). */
export const MAIL_TEST_CODES = [
  'DNS_NOT_FOUND',
  'CONNECTION_REFUSED',
  'TIMEOUT',
  'TLS_CERT_INVALID',
  'TLS_FAILED',
  'AUTH_FAILED',
  'APP_PASSWORD_REQUIRED',
  'OAUTH_TOKEN_INVALID',
  'IMAP_DISABLED',
  'SMTP_AUTH_DISABLED',
  'MAILBOX_NOT_FOUND',
  'BLOCKED_ADDRESS',
  'PROTOCOL_ERROR',
  'UNKNOWN',
  'ENCRYPTION_REQUIRED',
  'TEMPORARY_FAILURE',
  'ACCOUNT_MISMATCH',
] as const;

export type MailTestCode = (typeof MAIL_TEST_CODES)[number];

export type Protocol = 'imap' | 'smtp';

/** Phase names in the order they happen; a result lists the ones that ran. */
export type PhaseName =
  | 'token'
  | 'resolve'
  | 'connect'
  | 'tls'
  | 'greeting'
  | 'starttls'
  | 'authenticate'
  | 'inbox'
  | 'send';

export interface Phase {
  name: PhaseName;
  ok: boolean;
  ms: number;
}

/** A failure as the browser sees it: code, sentence, the field to fix and steps to take. */
export interface TestError {
  code: MailTestCode;
  message: string;
  field?: string;
  steps: string[];
}

/** One protocol's outcome (contract `ProtocolResultSchema`), plus optional facts for the caller. */
export interface ProtocolResult {
  ok: boolean;
  phases: Phase[];
  error?: TestError;
  /** IMAP: messages in INBOX. */
  messages?: number;
  /** Warnings a person should see even on success (an untrusted certificate accepted by choice). */
  warnings?: string[];
}

/** How to log in: a password, or an OAuth access token (XOAUTH2 / OAUTHBEARER). */
export type MailCredentials =
  | { kind: 'password'; user: string; password: string }
  /** `user` is the mailbox; `account` the signed-in account whose token this is (they differ for a shared mailbox). */
  | { kind: 'oauth'; user: string; accessToken: string; account?: string };

/** A finished phase, reported as it happens (server-sent events). */
export type PhaseListener = (protocol: Protocol, phase: Phase) => void;

/** What every tester needs besides the server and the credentials. */
export interface TesterOptions {
  /** Time one phase may take before the test stops with TIMEOUT. */
  phaseTimeoutMs: number;
  /**
   * Time the server may take to send its greeting (default: the phase limit). RFC 5321 lets a
   * server take minutes; a busy one often takes 10–20 s, so this is longer than other phases.
   */
  greetingTimeoutMs?: number;
  /** Aborts the whole test (the overall deadline). */
  signal?: AbortSignal;
  /** Extra CA to trust (tests); production uses the system store. */
  ca?: string | Buffer;
  /** The account chose to accept an untrusted certificate: verification is off and a warning is shown. */
  allowUntrustedCertificates?: boolean;
  /** The overall limit, to name it when it runs out. */
  overallTimeoutMs?: number;
  /** Called as each phase finishes. */
  onPhase?: (phase: Phase) => void;
  /** Called as each phase starts (to show "waiting for the server's greeting" while it lasts). */
  onPhaseStart?: (name: PhaseName) => void;
  /** The OAuth issuer, for provider-specific advice when a token is refused. */
  oauthProvider?: 'google' | 'microsoft';
}

export type { MailServer };
