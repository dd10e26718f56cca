import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { randomUUID } from 'node:crypto';
import { failedResult } from './failed-result.js';
import { PhaseTracker } from './phases.js';
import { MailConnection, type MailNetwork } from './socket.js';
import { untrustedWarning } from './imap-tester.js';
import type { MailCredentials, MailServer, ProtocolResult, TesterOptions } from './types.js';

export interface SmtpTestOptions extends TesterOptions {
  /** Send a short test message to this address after signing in (nothing is sent otherwise). */
  sendTestTo?: string;
  /** The sender address of the test message (default: the login user). */
  from?: string;
}

/** Raised when the server's EHLO answer has no AUTH: it cannot authenticate this mailbox. */
class AuthNotOfferedError extends Error {
  readonly code = 'SMTP_AUTH_NOT_OFFERED';
  constructor(
    message: string,
    /** STARTTLS was offered instead: many servers offer AUTH only after it. */
    readonly startTlsOffered: boolean,
  ) {
    super(message);
  }
}

/**
 * Tests an SMTP submission server for real: resolve → connect → TLS → greeting (and EHLO) →
 * STARTTLS → authenticate, and `send` only when `sendTestTo` is given. Never throws: a failure
 * is a result with the code, sentence and steps.
 *
 * @example
 * const result = await testSmtp(services.net, { host: 'smtp.example.com', port: 587, security: 'starttls', username: 'me@example.com' },
 *   { kind: 'password', user: 'me@example.com', password }, { phaseTimeoutMs: 8000 });
 */
export async function testSmtp(network: MailNetwork, server: MailServer, credentials: MailCredentials, options: SmtpTestOptions): Promise<ProtocolResult> {
  const connection = new MailConnection(network, server, options);
  let client: SMTPConnection | undefined;
  const tracker = new PhaseTracker({
    ...options,
    onTimeout: () => {
      client?.close();
      connection.destroy();
    },
  });
  try {
    const socket = await connection.open(tracker);
    tracker.begin('greeting');
    const smtp = new SMTPConnection({
      host: server.host,
      port: server.port,
      connection: socket,
      secure: server.security === 'tls',
      secured: server.security === 'tls',
      requireTLS: server.security === 'starttls',
      ignoreTLS: server.security === 'none',
      tls: connection.tlsOptions(),
      // The tracker's per-phase limit stops a hanging server first; these are backstops.
      greetingTimeout: (options.greetingTimeoutMs ?? options.phaseTimeoutMs) * 2,
      connectionTimeout: (options.greetingTimeoutMs ?? options.phaseTimeoutMs) * 4,
      socketTimeout: options.phaseTimeoutMs * 4,
      socketCloseTimeout: 0,
      debug: true,
      logger: phaseLogger(tracker),
    } as SMTPConnection.Options & { connection: unknown; secured: boolean; socketCloseTimeout: number });
    client = smtp;
    // Errors reach the pending step through `failed`; without a listener they would crash the process.
    const failed = new Promise<never>((_, reject) => {
      smtp.on('error', reject);
      smtp.on('end', () => reject(Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' })));
      tracker.signal.addEventListener('abort', () => reject(tracker.timedOut), { once: true });
    });
    failed.catch(() => {});
    await Promise.race([new Promise<void>((resolve) => smtp.connect(() => resolve())), failed]);
    tracker.begin('authenticate');
    if (!smtp.allowsAuth) {
      // nodemailer keeps the EHLO lines (without the status code) on the connection.
      const ehlo = (smtp as unknown as { _ehloLines?: string[] })._ehloLines ?? [];
      throw new AuthNotOfferedError(`${server.host} does not offer AUTH.`, ehlo.some((line) => /^STARTTLS\b/i.test(line)));
    }
    await Promise.race([login(smtp, credentials), failed]);
    if (options.sendTestTo) {
      tracker.begin('send');
      await Promise.race([sendTestMessage(smtp, options.from ?? credentials.user, options.sendTestTo), failed]);
    }
    tracker.finish();
    smtp.quit();
    return {
      ok: true,
      phases: tracker.phases,
      ...(options.allowUntrustedCertificates ? { warnings: [untrustedWarning(server)] } : {}),
    };
  } catch (error) {
    const failure = tracker.timedOut ?? error;
    return failedResult('smtp', failure, { tracker, connection, client, server, credentials, options });
  }
}

function login(smtp: SMTPConnection, credentials: MailCredentials): Promise<void> {
  const auth =
    credentials.kind === 'password'
      ? { user: credentials.user, pass: credentials.password }
      : {
          user: credentials.user,
          method: 'XOAUTH2',
          oauth2: {
            getToken: (_renew: boolean, callback: (error: Error | null, token?: string) => void) => callback(null, credentials.accessToken),
            buildXOAuth2Token: (token: string) => Buffer.from(`user=${credentials.user}\x01auth=Bearer ${token}\x01\x01`).toString('base64'),
          },
        };
  return new Promise((resolve, reject) => smtp.login(auth as never, (error) => (error ? reject(error) : resolve())));
}

function sendTestMessage(smtp: SMTPConnection, from: string, to: string): Promise<void> {
  const domain = from.split('@')[1] ?? 'localhost';
  const message = [
    `From: ${from}`,
    `To: ${to}`,
    'Subject: Test message from your support mailbox setup',
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomUUID()}@${domain}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'This message confirms that the mailbox can send mail. No action is needed.',
    '',
  ].join('\r\n');
  return new Promise((resolve, reject) => smtp.send({ from, to: [to] }, message, (error) => (error ? reject(error) : resolve())));
}

/** A logger for nodemailer that only moves the phase tracker along; it keeps nothing, so no secret can leak. */
function phaseLogger(tracker: PhaseTracker) {
  const watch = (entry: unknown, message?: unknown) => {
    const { tnx } = (entry ?? {}) as { tnx?: string };
    if (tnx === 'client' && typeof message === 'string' && /^STARTTLS\b/i.test(message)) tracker.begin('starttls');
  };
  return { trace: watch, debug: watch, info: watch, warn: watch, error: watch, fatal: watch, level: () => {} };
}
