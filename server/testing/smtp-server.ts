import { SMTPServer, type SMTPServerAuthentication, type SMTPServerOptions } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { createTestCa, type TestCa } from './certs.js';

export interface SmtpUser {
  username: string;
  password: string;
}

/** A reply the server gives instead of judging the credentials, e.g. Microsoft's 535 5.7.139. */
export interface ScriptedReply {
  code: number;
  message: string;
}

/** Well-known provider replies, word for word, for `setAuthReply`. */
export const PROVIDER_REPLIES = {
  microsoftSmtpAuthDisabled: {
    code: 535,
    message:
      '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [AM0PR01CA0001.eurprd01.prod.exchangelabs.com]',
  },
  gmailAppPasswordRequired: {
    code: 534,
    message: '5.7.9 Application-specific password required. For more information, go to https://support.google.com/mail/?p=InvalidSecondFactor',
  },
  gmailBadCredentials: {
    code: 535,
    message: '5.7.8 Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials',
  },
} satisfies Record<string, ScriptedReply>;

export interface SmtpServerHarnessOptions {
  users?: SmtpUser[];
  /** Maps an XOAUTH2 access token to the mailbox it is valid for (default: no token is valid). */
  tokens?: Record<string, string>;
  /** Asked when `tokens` does not know an XOAUTH2 token: the mailbox it is valid for (e.g. from a local OAuth server's introspection). */
  tokenOwner?: (accessToken: string) => string | undefined;
  /** `false` leaves AUTH out of the EHLO answer, like a relay that does not authenticate. Default true. */
  offerAuth?: boolean;
  ca?: TestCa;
  /** DNS names on the server certificate (default `smtp.mail.test`, `localhost`; 127.0.0.1 is always added). */
  certNames?: string[];
}

export interface ReceivedMessage {
  from: string;
  to: string[];
  raw: string;
}

export interface TestSmtpServer {
  /** Plaintext port that offers STARTTLS (like 587). */
  port: number;
  /** Implicit-TLS port (like 465). */
  securePort: number;
  ca: TestCa;
  certNames: string[];
  users: SmtpUser[];
  /** Messages accepted so far (a test message, for example). */
  messages: ReceivedMessage[];
  /** Authentication attempts so far, with the mechanism used. */
  authAttempts: Array<{ method: string; username: string }>;
  /** From now on every AUTH gets this reply (`null` restores real checking). */
  setAuthReply(reply: ScriptedReply | null): void;
  /** Replaces the XOAUTH2 token table. */
  setTokens(tokens: Record<string, string>): void;
  stop(): Promise<void>;
}

const DEFAULT_USERS: SmtpUser[] = [{ username: 'alice@mail.test', password: 'alice-password' }];

/**
 * Starts an SMTP submission server (the `smtp-server` package) on two ephemeral loopback ports:
 * one plaintext with STARTTLS, one implicit TLS, with PLAIN, LOGIN and XOAUTH2 and scriptable
 * AUTH replies (Microsoft's `535 5.7.139`, Gmail's `534 5.7.9`, …). Start it once per test file.
 *
 * @example
 * const smtp = await startSmtpServer({ tokens: { 'good-token': 'alice@mail.test' } });
 * smtp.setAuthReply(PROVIDER_REPLIES.microsoftSmtpAuthDisabled);
 */
export async function startSmtpServer(options: SmtpServerHarnessOptions = {}): Promise<TestSmtpServer> {
  const users = options.users ?? DEFAULT_USERS;
  const ca = options.ca ?? createTestCa();
  const certNames = options.certNames ?? ['smtp.mail.test', 'localhost'];
  const certificate = ca.issue(certNames);
  let tokens = { ...options.tokens };
  let scripted: ScriptedReply | null = null;
  const messages: ReceivedMessage[] = [];
  const authAttempts: Array<{ method: string; username: string }> = [];

  const onAuth: SMTPServerOptions['onAuth'] = (auth: SMTPServerAuthentication, _session, callback) => {
    authAttempts.push({ method: auth.method, username: auth.username ?? '' });
    if (scripted) return callback(Object.assign(new Error(scripted.message), { responseCode: scripted.code }));
    if (auth.method === 'XOAUTH2') {
      const owner = auth.accessToken ? (tokens[auth.accessToken] ?? options.tokenOwner?.(auth.accessToken)) : undefined;
      if (owner && owner === auth.username) return callback(null, { user: owner });
      return callback(null, { data: { status: '401', schemes: 'bearer', scope: 'https://mail.google.com/' } });
    }
    const user = users.find((u) => u.username === auth.username && u.password === auth.password);
    if (user) return callback(null, { user: user.username });
    return callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
  };

  const common: SMTPServerOptions = {
    key: certificate.key,
    cert: certificate.cert,
    name: certNames[0],
    authMethods: ['PLAIN', 'LOGIN', 'XOAUTH2'],
    disabledCommands: options.offerAuth === false ? ['AUTH'] : [],
    authOptional: options.offerAuth === false,
    // Loopback is as safe as it gets; tests of plaintext AUTH must not be refused for it.
    allowInsecureAuth: true,
    logger: false,
    // The greeting would otherwise wait for a reverse look-up of 127.0.0.1 through the system resolver.
    disableReverseLookup: true,
    onAuth,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  };
  const plain = new SMTPServer({ ...common, secure: false });
  const secure = new SMTPServer({ ...common, secure: true });
  // A client's failed TLS handshake is emitted here; unhandled, it would crash the test process.
  for (const server of [plain, secure]) server.on('error', () => {});
  const listen = (server: SMTPServer) =>
    new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port)));
  const [port, securePort] = await Promise.all([listen(plain), listen(secure)]);

  return {
    port,
    securePort,
    ca,
    certNames,
    users,
    messages,
    authAttempts,
    setAuthReply(reply) {
      scripted = reply;
    },
    setTokens(next) {
      tokens = { ...next };
    },
    stop: async () => {
      await Promise.all([plain, secure].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}
