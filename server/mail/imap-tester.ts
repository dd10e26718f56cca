import { ImapFlow } from 'imapflow';
import { failedResult } from './failed-result.js';
import { PhaseTracker } from './phases.js';
import { MailConnection, type MailNetwork } from './socket.js';
import type { MailCredentials, MailServer, ProtocolResult, TesterOptions } from './types.js';

export interface ImapTestOptions extends TesterOptions {
  /** The folder to open and count (default INBOX). */
  mailbox?: string;
}

/**
 * Tests an IMAP server for real: resolve → connect → TLS → greeting → STARTTLS → authenticate →
 * open INBOX read-only and count its messages. Never throws: a failure is a result with the
 * code, sentence and steps (see `explainFailure`).
 *
 * @example
 * const result = await testImap(services.net, { host: 'imap.example.com', port: 993, security: 'tls', username: 'me@example.com' },
 *   { kind: 'password', user: 'me@example.com', password }, { phaseTimeoutMs: 8000 });
 */
export async function testImap(network: MailNetwork, server: MailServer, credentials: MailCredentials, options: ImapTestOptions): Promise<ProtocolResult> {
  const connection = new MailConnection(network, server, options);
  let client: ImapFlow | undefined;
  let notImap: string | undefined;
  let byeGreeting: string | undefined;
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
    client = new ImapFlow({
      host: server.host,
      port: server.port,
      secure: server.security === 'tls',
      doSTARTTLS: server.security === 'starttls' ? true : server.security === 'none' ? false : undefined,
      servername: server.host,
      auth: credentials.kind === 'password' ? { user: credentials.user, pass: credentials.password } : { user: credentials.user, accessToken: credentials.accessToken },
      logger: phaseLogger(
        tracker,
        (line) => {
          // Another protocol's banner (SSH, HTTP, SMTP…): no point waiting for an IMAP greeting.
          notImap = line;
          client?.close();
        },
        (line) => {
          // "* BYE Too many connections…": the server will not serve us now (RFC 3501 §7.1.5).
          byeGreeting = line;
        },
      ),
      transport: {
        connect: (_options, onConnect) => {
          setImmediate(onConnect);
          return socket;
        },
        upgrade: (plain, _options, onSecure) => connection.startTls(plain as never, onSecure),
      },
      // The tracker's per-phase limit stops a hanging server first; these are backstops.
      greetingTimeout: (options.greetingTimeoutMs ?? options.phaseTimeoutMs) * 2,
      connectionTimeout: (options.greetingTimeoutMs ?? options.phaseTimeoutMs) * 4,
      socketTimeout: options.phaseTimeoutMs * 4,
      disableAutoIdle: true,
      disableCompression: true,
      qresync: false,
    });
    client.on('error', () => {});
    await client.connect();
    tracker.begin('inbox');
    const mailbox = await client.mailboxOpen(options.mailbox ?? 'INBOX', { readOnly: true });
    tracker.finish();
    // A polite LOGOUT, but a server that dawdles over it does not hold up the answer.
    const done = client;
    void Promise.race([done.logout(), new Promise((resolve) => setTimeout(resolve, 1000).unref())])
      .catch(() => undefined)
      .finally(() => done.close());
    return {
      ok: true,
      phases: tracker.phases,
      messages: mailbox.exists,
      ...(options.allowUntrustedCertificates ? { warnings: [untrustedWarning(server)] } : {}),
    };
  } catch (error) {
    const failure =
      notImap !== undefined
        ? Object.assign(new Error('Not an IMAP greeting'), { code: 'EPROTOCOL', response: notImap })
        : byeGreeting !== undefined
          ? Object.assign(new Error('The server refused the connection at its greeting'), { code: 'EBYEGREETING', response: byeGreeting })
          : (tracker.timedOut ?? error);
    return failedResult('imap', failure, { tracker, connection, client, server, credentials, options });
  }
}

/**
 * A logger for imapflow that only moves the phase tracker along and checks the greeting; it keeps
 * nothing, so no secret can leak. `onForeignGreeting` hears a first line that is not IMAP's,
 * `onByeGreeting` a greeting that is a refusal (`* BYE …`).
 */
function phaseLogger(tracker: PhaseTracker, onForeignGreeting: (line: string) => void, onByeGreeting: (line: string) => void) {
  let greeted = false;
  const watch = (entry: unknown) => {
    const { src, msg } = (entry ?? {}) as { src?: string; msg?: string };
    if (typeof msg !== 'string') return;
    if (src === 's' && !greeted) {
      greeted = true;
      if (/^\* BYE\b/i.test(msg)) onByeGreeting(msg.slice(0, 200));
      else if (!/^\* (OK|PREAUTH)\b/i.test(msg)) onForeignGreeting(msg.slice(0, 200));
    } else if (src === 'c' && /^\S+ STARTTLS\b/i.test(msg)) tracker.begin('starttls');
    else if (src === 'c' && /^\S+ (LOGIN|AUTHENTICATE)\b/i.test(msg)) tracker.begin('authenticate');
  };
  return { trace: watch, debug: watch, info: watch, warn: watch, error: watch, fatal: watch };
}

export function untrustedWarning(server: MailServer): string {
  return `The certificate of ${server.host} is not checked for this account (untrusted certificates allowed): the connection is encrypted but its identity is not verified.`;
}
