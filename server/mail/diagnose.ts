import { NetError, toNetError } from '../net/index.js';
import { stepsFor } from './advice.js';
import { PhaseTimeoutError } from './phases.js';
import type { PeerCertificateInfo } from './socket.js';
import type { MailServer, MailTestCode, PhaseName, Protocol, TestError } from './types.js';
import { PORT_SECURITY, type OAuthProvider } from '../contract/codes.js';

/** Everything known about a failed test when its error is explained. */
export interface FailureContext {
  protocol: Protocol;
  server: MailServer;
  /** The phase that was running when it failed. */
  phase: PhaseName | undefined;
  credentials: 'password' | 'oauth';
  /** OAuth: the signed-in account whose token was used (the mailbox is `server.username`). */
  account?: string;
  oauthProvider?: OAuthProvider;
  /** The greeting's time limit, to name it when it runs out. */
  greetingTimeoutMs?: number;
  certificate?: PeerCertificateInfo;
  /** The address connected to: removed from any server text that is shown. */
  address?: string;
  /** Set when a probe found that the port answers implicit TLS (the test used STARTTLS or none). */
  portSpeaksTls?: boolean;
}

/** A failure before steps are added: code, sentence, field, and steps that must come first. */
interface Finding {
  code: MailTestCode;
  message: string;
  field?: string;
  firstSteps?: string[];
}

const SECURITY_NAME = { tls: 'TLS', starttls: 'STARTTLS', none: 'no encryption' } as const;

const APP_PASSWORD = /application-specific password|app(lication)? password|5\.7\.9\b|InvalidSecondFactor|web login required/i;
const IMAP_DISABLED = /not enabled for IMAP|IMAP (access )?(is )?(disabled|not (enabled|allowed|activated))|enable IMAP|IMAP.{0,40}deaktiviert|User is authenticated but not connected/i;
/** Microsoft's answer when the token is valid but its account may not open this mailbox. */
const NOT_CONNECTED = /User is authenticated but not connected/i;
/** The server refuses to sign in before TLS: IMAP LOGINDISABLED / [PRIVACYREQUIRED], SMTP 530 "Must issue a STARTTLS command first". */
const ENCRYPTION_REQUIRED = /LOGINDISABLED|Login is disabled|PRIVACYREQUIRED|STARTTLS (command )?first|must (issue|use|start) (a )?STARTTLS|encryption required|requires? (TLS|encryption)/i;
const SMTP_AUTH_DISABLED = /SmtpClientAuthentication is disabled|5\.7\.139|SMTP AUTH (is )?disabled|authentication (is )?(disabled|not enabled)/i;
const TOO_MANY_CONNECTIONS = /maximum number of connections|too many (simultaneous |concurrent )?connections|connection limit/i;
const MAILBOX_MISSING = /doesn't exist|does not exist|no such mailbox|unknown mailbox|mailbox not found|NONEXISTENT/i;

/**
 * Explains a failed IMAP or SMTP test as a contract error: code, a sentence naming the host the
 * person typed (never a resolved address), the field to fix and steps, provider-specific where
 * the provider is known.
 */
export function explainFailure(error: unknown, context: FailureContext): TestError {
  const finding = classify(error, context);
  const { server } = context;
  return {
    code: finding.code,
    message: finding.message,
    ...(finding.field ? { field: finding.field } : {}),
    steps: stepsFor(
      finding.code,
      {
        protocol: context.protocol,
        host: server.host,
        port: server.port,
        username: server.username,
        account: context.account,
        certNames: context.certificate?.names,
        oauthProvider: context.oauthProvider,
      },
      finding.firstSteps,
    ),
  };
}

function classify(error: unknown, context: FailureContext): Finding {
  const { protocol, server } = context;
  const field = (name: 'host' | 'port' | 'security' | 'username') => `${protocol}.${name}`;
  const target = `${server.host}:${server.port}`;
  const name = protocol.toUpperCase();

  if (error instanceof PhaseTimeoutError || isTimeout(error)) {
    const phase = error instanceof PhaseTimeoutError ? error.phase : context.phase;
    if (phase === 'greeting' && error instanceof PhaseTimeoutError && !error.overall && (server.security === 'tls' || context.portSpeaksTls === false)) {
      // The TLS handshake worked, or the probe found that the port does not speak TLS: the security setting is ruled out.
      return {
        code: 'TIMEOUT',
        message:
          `${target} accepted the connection but sent no ${name} greeting within ${secondsText(error.limitMs)}. ` +
          (server.security === 'tls' ? 'The TLS connection worked, ' : 'The port does not answer TLS either, ') +
          'so the security setting is not the cause: the server may be overloaded, or this port belongs to another service.',
        firstSteps: ['Wait a few minutes and test again: a busy server can be slow to greet.', `Check that port ${server.port} is the ${name} port your provider names.`],
      };
    }
    if (phase === 'greeting' && server.security !== 'tls') {
      if (context.portSpeaksTls) return wrongSecurity(context, 'tls');
      return {
        code: 'TIMEOUT',
        message: `${target} accepted the connection but sent no ${name} greeting.${expectedSecurityHint(server)}`,
        field: field('security'),
      };
    }
    const what = phase === 'resolve' ? `Looking up ${server.host}` : phase ? `The ${phaseLabel(phase)} step with ${target}` : `The test of ${target}`;
    if (error instanceof PhaseTimeoutError && error.overall) {
      // The whole test ran out: say which limit, and blame no field for a step that had not run out of its own time.
      return { code: 'TIMEOUT', message: `${what} was still running when the whole test reached its limit of ${secondsText(error.limitMs)}.` };
    }
    return { code: 'TIMEOUT', message: `${what} took too long; the server did not answer in time.`, field: phase === 'resolve' || phase === 'connect' ? field('host') : undefined };
  }

  const mailError = error as MailLibraryError;
  const serverText = shownServerText(mailError, context.address);

  if (error instanceof NetError || isSocketError(mailError)) {
    // nodemailer wraps socket errors as ESOCKET and keeps Node's own code in `originalCode`.
    const nodeError = error instanceof NetError ? error : Object.assign(new Error(mailError.message), { code: mailError.originalCode ?? mailError.code });
    return classifyNetwork(toNetError(nodeError, target), mailError, context);
  }

  if (ENCRYPTION_REQUIRED.test(`${serverText} ${mailError?.message ?? ''} ${mailError?.serverResponseCode ?? ''}`) || (mailError?.code === 'SMTP_AUTH_NOT_OFFERED' && mailError.startTlsOffered && server.security === 'none')) {
    return {
      code: 'ENCRYPTION_REQUIRED',
      message: `${target} only accepts a sign-in over an encrypted connection, and this connection is not encrypted.${serverText ? ` The server said: "${serverText}"` : ''}`,
      field: field('security'),
      firstSteps: [`Set ${name} security to ${protocol === 'imap' ? 'STARTTLS (port 143) or TLS (port 993)' : 'STARTTLS (port 587) or TLS (port 465)'}.`],
    };
  }

  if (isTemporary(mailError, serverText)) {
    const said = serverText ? ` The server said: "${serverText}"` : '';
    const why = TOO_MANY_CONNECTIONS.test(serverText)
      ? 'allows no more simultaneous connections to this mailbox right now'
      : context.phase === 'authenticate' || mailError?.authenticationFailed
        ? 'could not check the sign-in right now (a temporary failure on its side)'
        : 'said it cannot serve this request right now';
    return { code: 'TEMPORARY_FAILURE', message: `${target} ${why}; nothing in the settings is wrong, try again in a few minutes.${said}` };
  }

  if (context.credentials === 'oauth' && (context.phase === 'authenticate' || mailError?.authenticationFailed || mailError?.code === 'EAUTH')) {
    const said = serverText ? ` The server said: "${serverText}"` : '';
    const otherMailbox = context.account !== undefined && context.account.toLowerCase() !== server.username.toLowerCase();
    if (NOT_CONNECTED.test(serverText) || otherMailbox) {
      const who = context.account ?? 'The signed-in account';
      return {
        code: 'ACCOUNT_MISMATCH',
        message: `${who} signed in, but it cannot open the mailbox ${server.username}.${said}`,
        field: 'auth',
      };
    }
  }

  if (protocol === 'smtp' && context.phase === 'authenticate' && mailError?.code === 'SMTP_AUTH_NOT_OFFERED') {
    return {
      code: 'SMTP_AUTH_DISABLED',
      message: `${target} does not offer authentication (no AUTH in its EHLO answer), so it cannot send mail for this mailbox.${server.security === 'none' ? ' Many servers only offer AUTH after STARTTLS.' : ''}`,
      field: field('port'),
    };
  }

  if (context.phase === 'authenticate' || mailError?.authenticationFailed || mailError?.code === 'EAUTH') {
    const said = serverText ? ` The server said: "${serverText}"` : '';
    if (SMTP_AUTH_DISABLED.test(serverText) && protocol === 'smtp') {
      return { code: 'SMTP_AUTH_DISABLED', message: `The server refused SMTP authentication for this mailbox: it is switched off by the administrator.${said}` };
    }
    if (IMAP_DISABLED.test(serverText)) {
      return { code: 'IMAP_DISABLED', message: `IMAP access is switched off for this mailbox, so mail programs cannot read it.${said}` };
    }
    if (APP_PASSWORD.test(serverText)) {
      return { code: 'APP_PASSWORD_REQUIRED', message: `The server wants an app password instead of the account password.${said}`, field: 'auth.password' };
    }
    if (context.credentials === 'oauth') {
      return { code: 'OAUTH_TOKEN_INVALID', message: `The server did not accept the OAuth sign-in for ${server.username}.${said}`, field: 'auth.provider' };
    }
    return { code: 'AUTH_FAILED', message: `The server did not accept the user name ${server.username} with this password.${said}`, field: 'auth.password' };
  }

  if (context.phase === 'inbox' && (mailError?.serverResponseCode === 'NONEXISTENT' || MAILBOX_MISSING.test(serverText))) {
    return { code: 'MAILBOX_NOT_FOUND', message: `Signed in, but the mailbox has no INBOX to open.${serverText ? ` The server said: "${serverText}"` : ''}`, field: field('username') };
  }

  if (mailError?.tlsFailed || context.phase === 'starttls') {
    return {
      code: 'TLS_FAILED',
      message: `${target} did not start TLS after STARTTLS.${serverText ? ` The server said: "${serverText}"` : ''}`,
      field: field('security'),
      firstSteps: PORT_SECURITY[server.port] === 'tls' ? [`Port ${server.port} expects implicit TLS: set security to TLS.`] : undefined,
    };
  }

  if (context.phase === 'greeting' || mailError?.code === 'EPROTOCOL') {
    if (context.portSpeaksTls) return wrongSecurity(context, 'tls');
    return {
      code: 'PROTOCOL_ERROR',
      message: `${target} did not answer like an ${name} server.${serverText ? ` It said: "${serverText}"` : ''}${expectedSecurityHint(server)}`,
      field: field('port'),
    };
  }

  return { code: 'UNKNOWN', message: `The ${name} test of ${target} failed unexpectedly${context.phase ? ` during the ${phaseLabel(context.phase)} step` : ''}.${serverText ? ` The server said: "${serverText}"` : ''}` };
}

function classifyNetwork(error: NetError, cause: MailLibraryError, context: FailureContext): Finding {
  const { protocol, server } = context;
  const field = (name: 'host' | 'port' | 'security') => `${protocol}.${name}`;
  const target = `${server.host}:${server.port}`;
  const detail = error.detail ?? cause?.originalCode ?? cause?.code ?? '';
  switch (error.code) {
    case 'BLOCKED_ADDRESS':
      return { code: 'BLOCKED_ADDRESS', message: `${server.host} points to a private or reserved network address, which this service does not connect to.`, field: field('host') };
    case 'PORT_NOT_ALLOWED':
      return { code: 'BLOCKED_ADDRESS', message: error.message, field: field('port') };
    case 'DNS_NOT_FOUND':
      return { code: 'DNS_NOT_FOUND', message: `The server name ${server.host} does not exist (DNS has no address for it).`, field: field('host') };
    case 'CONNECTION_REFUSED':
      return { code: 'CONNECTION_REFUSED', message: `${server.host} refused the connection on port ${server.port}: no mail service listens there.`, field: field('port') };
    case 'TIMEOUT':
      return classify(new PhaseTimeoutError(context.phase ?? 'connect', 0, false), context);
    case 'TLS_CERT_INVALID': {
      const names = context.certificate?.names ?? [];
      const forNames = names.length ? ` The certificate is for ${names.join(', ')}.` : '';
      const reason = detail === 'ERR_TLS_CERT_ALTNAME_INVALID' ? `its certificate is not issued for ${server.host}` : certificateReason(detail);
      return { code: 'TLS_CERT_INVALID', message: `${target} cannot be trusted: ${reason}.${forNames}`, field: field('host') };
    }
    case 'TLS_FAILED':
      if (/WRONG_VERSION_NUMBER|wrong version number|packet length too long|unknown protocol/i.test(`${detail} ${error.message} ${cause?.message ?? ''}`) && server.security === 'tls') {
        return wrongSecurity(context, 'starttls');
      }
      return { code: 'TLS_FAILED', message: `The secure (TLS) connection to ${target} failed.${expectedSecurityHint(server)}`, field: field('security') };
    default:
      if (context.phase === 'tls' || context.phase === 'starttls') {
        return { code: 'TLS_FAILED', message: `${target} closed the connection during the TLS handshake.${expectedSecurityHint(server)}`, field: field('security') };
      }
      if (context.phase === 'greeting') {
        return { code: 'PROTOCOL_ERROR', message: `${target} closed the connection before it sent a ${protocol.toUpperCase()} greeting.${expectedSecurityHint(server)}`, field: field('port') };
      }
      return { code: 'UNKNOWN', message: `${target}: ${error.message}` };
  }
}

/** The port answered with the other kind of security: say which setting works. */
function wrongSecurity(context: FailureContext, works: 'tls' | 'starttls'): Finding {
  const { server, protocol } = context;
  const conventional = PORT_SECURITY[server.port];
  const setting = works === 'tls' ? 'TLS' : conventional === 'starttls' ? 'STARTTLS' : 'STARTTLS (or no encryption)';
  const message =
    works === 'tls'
      ? `Port ${server.port} expects TLS (implicit TLS from the first byte), not ${SECURITY_NAME[server.security]}: set security to TLS.`
      : `Port ${server.port} expects ${conventional === 'starttls' ? 'STARTTLS' : 'a plain connection upgraded with STARTTLS'}, not implicit TLS: set security to STARTTLS${conventional ? '' : ', or use the TLS port'}.`;
  const standard = protocol === 'imap' ? { tls: 993, starttls: 143 } : { tls: 465, starttls: 587 };
  return {
    code: 'TLS_FAILED',
    message,
    field: `${protocol}.security`,
    firstSteps: [`Set security to ${setting} for port ${server.port} (or use port ${standard[server.security === 'tls' ? 'tls' : 'starttls']} with ${SECURITY_NAME[server.security]}).`],
  };
}

/** " Port 993 usually expects TLS." when the chosen security contradicts the port's convention. */
function expectedSecurityHint(server: MailServer): string {
  const expected = PORT_SECURITY[server.port];
  if (!expected || expected === server.security) return '';
  return ` Port ${server.port} usually expects ${SECURITY_NAME[expected]}.`;
}

function certificateReason(code: string): string {
  if (code === 'CERT_HAS_EXPIRED') return 'its certificate has expired';
  if (code === 'CERT_NOT_YET_VALID') return 'its certificate is not valid yet';
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN') return 'its certificate is self-signed';
  return 'its certificate is not signed by a trusted authority';
}

function phaseLabel(phase: PhaseName): string {
  return { token: 'OAuth token', resolve: 'name look-up', connect: 'connect', tls: 'TLS', greeting: 'greeting', starttls: 'STARTTLS', authenticate: 'sign-in', inbox: 'open INBOX', send: 'test message' }[phase];
}

/** The fields imapflow and nodemailer put on their errors. */
interface MailLibraryError {
  message?: string;
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  responseText?: string;
  serverResponseCode?: string;
  authenticationFailed?: boolean;
  /** SMTP: the EHLO answer offered STARTTLS (set with SMTP_AUTH_NOT_OFFERED). */
  startTlsOffered?: boolean;
  tlsFailed?: boolean;
}

const SOCKET_CODES = /^(ECONNREFUSED|ECONNRESET|EPIPE|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ERR_SSL|ERR_TLS|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO)/;

function isSocketError(error: MailLibraryError | undefined): boolean {
  const code = error?.originalCode ?? error?.code ?? '';
  return SOCKET_CODES.test(code) || (error?.code === 'ESOCKET' && SOCKET_CODES.test(error.originalCode ?? '')) || (error?.code === 'ETLS');
}

/**
 * True when the server refused the OAuth token itself — a revoked grant looks like this — so one
 * forced refresh may help. Not for Exchange's "authenticated but not connected": the token was
 * accepted there, only the mailbox is out of its reach.
 */
export function refusedTheToken(error: TestError | undefined): boolean {
  if (!error) return false;
  return error.code === 'OAUTH_TOKEN_INVALID' || (error.code === 'ACCOUNT_MISMATCH' && !NOT_CONNECTED.test(error.message));
}

/** 30000 → "30 s", 1500 → "1.5 s". */
function secondsText(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** "Not now": SMTP 4xx, IMAP [UNAVAILABLE] or a `* BYE` greeting, too many connections. */
function isTemporary(error: MailLibraryError | undefined, serverText: string): boolean {
  const code = error?.responseCode ?? 0;
  return (
    (code >= 400 && code < 500) ||
    error?.code === 'EBYEGREETING' ||
    error?.serverResponseCode === 'UNAVAILABLE' ||
    /\[UNAVAILABLE\]/i.test(serverText) ||
    TOO_MANY_CONNECTIONS.test(serverText)
  );
}

function isTimeout(error: unknown): boolean {
  const code = (error as MailLibraryError | undefined)?.code;
  return code === 'GREETING_TIMEOUT' || code === 'ETIMEDOUT' || code === 'SOCKET_TIMEOUT' || code === 'CONNECT_TIMEOUT';
}

/** The server's own words, shortened, with the connected address hidden. */
function shownServerText(error: MailLibraryError | undefined, address: string | undefined): string {
  const raw = (error?.responseText ?? error?.response ?? '').replace(/\s+/g, ' ').trim();
  const hidden = address ? raw.split(address).join('[address hidden]') : raw;
  return hidden.length > 300 ? `${hidden.slice(0, 297)}…` : hidden;
}
