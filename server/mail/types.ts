import type { MailServer } from '../contract/mail-server.js';
import type { OAuthProvider, Protocol } from '../contract/codes.js';
import type { PhaseName, ProtocolResult, TestError, TestPhase } from '../contract/test-result.js';

/** The `POST /test` vocabulary lives in server/contract/ (codes.ts, test-result.ts); mail code imports it from here. */
export { MAIL_TEST_CODES, type MailTestCode, type Protocol } from '../contract/codes.js';
export type { PhaseName, ProtocolResult, TestError };
/** One finished phase of a test. */
export type Phase = TestPhase;

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
  oauthProvider?: OAuthProvider;
}

export type { MailServer };
