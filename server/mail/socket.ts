import tls from 'node:tls';
import type { Socket } from 'node:net';
import { NetError, parseIpLiteral, toNetError, type SafeNetwork } from '../net/index.js';
import { PhaseTimeoutError, type PhaseTracker } from './phases.js';
import type { MailServer, PhaseName, TesterOptions } from './types.js';

/** The parts of the SSRF-safe network layer a mail test uses. */
export type MailNetwork = Pick<SafeNetwork, 'resolveSafeAddress' | 'connectTcp' | 'isPortAllowed' | 'options'>;

/** What the certificate presented by the server said about itself (for TLS_CERT_INVALID). */
export interface PeerCertificateInfo {
  names: string[];
  validTo?: string;
}

/**
 * One test's connection to a mail server, opened through the SSRF-safe layer. It outlives a
 * failed `open()`, so the tester can still read which certificate the server presented.
 *
 * @example
 * const connection = new MailConnection(services.net, server, options);
 * await connection.open(tracker); // resolve → connect → tls (for security "tls")
 */
export class MailConnection {
  socket: Socket | undefined;
  /** The checked IP actually connected to: for logs only, never for the browser. */
  address: string | undefined;
  /** Names on the last certificate seen, filled in during a handshake. */
  certificate: PeerCertificateInfo | undefined;

  constructor(
    private readonly network: MailNetwork,
    private readonly server: MailServer,
    private readonly options: TesterOptions,
  ) {}

  /**
   * Opens the connection one phase at a time: `resolve` (the host's address, checked against
   * blocked ranges; the port against mail ports), `connect` (TCP to that address), and `tls` for
   * implicit TLS. Failures are `NetError`s (or the tracker's timeout).
   */
  async open(tracker: PhaseTracker): Promise<Socket> {
    const { network, server, options } = this;
    const target = `${server.host}:${server.port}`;
    tracker.begin('resolve');
    const { address } = await abortable(network.resolveSafeAddress(server.host, options.phaseTimeoutMs), tracker, target);
    this.address = address;
    if (!network.isPortAllowed(server.port)) {
      throw new NetError('PORT_NOT_ALLOWED', `Port ${server.port} is not a mail port; use 993 or 143 for IMAP and 465 or 587 for SMTP.`);
    }
    tracker.begin('connect');
    const { socket } = await network.connectTcp({ host: address, port: server.port, timeoutMs: options.phaseTimeoutMs, signal: tracker.signal }).catch(
      (error: unknown) => {
        tracker.throwIfTimedOut();
        // The layer names the address it was given; say the host the person typed instead.
        throw renameTarget(toNetError(error, target), address, server.host);
      },
    );
    this.socket = socket;
    if (server.security === 'tls') {
      tracker.begin('tls');
      this.socket = await handshake(this, socket, tracker, target);
    }
    return this.socket;
  }

  /** Starts TLS on `plain` (implicit TLS, or after STARTTLS) with SNI, name check and the trusted CAs. */
  startTls(plain: Socket, onSecure?: () => void): tls.TLSSocket {
    const secure = tls.connect({ socket: plain, ...this.tlsOptions() }, onSecure);
    secure.once('error', () => {
      this.certificate ??= describeCertificate(secure.getPeerCertificate());
    });
    return secure;
  }

  /** Options for a TLS handshake with this server; they record the certificate's names as a side effect. */
  tlsOptions(): tls.ConnectionOptions {
    return {
      ...trustOptions(this.network, this.server.host, this.options),
      checkServerIdentity: (host, cert) => {
        this.certificate = describeCertificate(cert);
        return tls.checkServerIdentity(host, cert);
      },
    };
  }

  /** Closes the socket, whatever state it is in. */
  destroy(): void {
    this.socket?.destroy();
  }

  /**
   * After a failure: true when a STARTTLS or plaintext test got no greeting but the port answers
   * implicit TLS (wrong security for the port). Undefined when the question does not arise or the
   * whole test is out of time.
   */
  async portSpeaksTlsAfter(phase: PhaseName | undefined, failure: unknown): Promise<boolean | undefined> {
    if (phase !== 'greeting' || this.server.security === 'tls' || !this.address) return undefined;
    if (failure instanceof PhaseTimeoutError && failure.overall) return undefined;
    return probeImplicitTls(this.network, this.server, this.address);
  }
}

/** Runs a TLS handshake on `plain` under the tracker's deadline; a NetError on failure. */
export function handshake(state: MailConnection, plain: Socket, tracker: PhaseTracker, target: string): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = state.startTls(plain, () => {
      tracker.signal.removeEventListener('abort', onAbort);
      resolve(secure);
    });
    const onAbort = () => {
      secure.destroy();
      reject(tracker.timedOut);
    };
    tracker.signal.addEventListener('abort', onAbort, { once: true });
    secure.once('error', (error) => {
      tracker.signal.removeEventListener('abort', onAbort);
      secure.destroy();
      reject(toNetError(error, target));
    });
    secure.once('close', () => reject(new NetError('TLS_FAILED', `${target} closed the connection during the TLS handshake.`)));
  });
}

/** TLS options for a mail connection: SNI and name check for `host`, configured and extra CAs. */
function trustOptions(network: MailNetwork, host: string, options: TesterOptions): tls.ConnectionOptions {
  const configured = network.options.ca === undefined ? [] : Array.isArray(network.options.ca) ? network.options.ca : [network.options.ca];
  const extra = [...configured, ...(options.ca ? [options.ca] : [])];
  return {
    servername: parseIpLiteral(host) ? undefined : host,
    rejectUnauthorized: !options.allowUntrustedCertificates,
    // `ca` replaces Node's trust store, so the extra authorities are added to it.
    ...(extra.length > 0 ? { ca: [...tls.rootCertificates, ...extra] } : {}),
  };
}

function describeCertificate(cert: tls.PeerCertificate | undefined): PeerCertificateInfo | undefined {
  if (!cert || Object.keys(cert).length === 0) return undefined;
  const names = (cert.subjectaltname ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
  const commonName = typeof cert.subject?.CN === 'string' ? cert.subject.CN : undefined;
  if (names.length === 0 && commonName) names.push(commonName);
  return { names, validTo: cert.valid_to };
}

/** Rejects with the tracker's timeout when it fires first. */
export function abortable<T>(work: Promise<T>, tracker: PhaseTracker, target: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(tracker.timedOut);
    if (tracker.signal.aborted) return onAbort();
    tracker.signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        tracker.signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        tracker.signal.removeEventListener('abort', onAbort);
        reject(toNetError(error, target));
      },
    );
  });
}

function renameTarget(error: NetError, address: string, host: string): NetError {
  if (!error.message.includes(address)) return error;
  return new NetError(error.code, error.message.split(address).join(host), error.detail);
}

const PROBE_TIMEOUT_MS = 3000;

/**
 * Whether `server.port` answers a TLS handshake at once — asked when a STARTTLS or plaintext
 * test got no greeting, to tell "wrong security for this port" from "server hangs". Certificate
 * checks are off: only the protocol matters here, and nothing is sent after the handshake.
 */
async function probeImplicitTls(network: MailNetwork, server: MailServer, address: string): Promise<boolean> {
  // Its own short limit, not the phase limit: a busy server still finishes a handshake in this time.
  const timeoutMs = PROBE_TIMEOUT_MS;
  let socket: Socket | undefined;
  try {
    ({ socket } = await network.connectTcp({ host: address, port: server.port, timeoutMs }));
    const plain = socket;
    return await new Promise<boolean>((resolve) => {
      const secure = tls.connect({ socket: plain, servername: parseIpLiteral(server.host) ? undefined : server.host, rejectUnauthorized: false });
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (answer: boolean) => {
        clearTimeout(timer);
        secure.destroy();
        resolve(answer);
      };
      secure.once('secureConnect', () => done(true));
      secure.once('error', () => done(false));
    });
  } catch {
    return false;
  } finally {
    socket?.destroy();
  }
}
