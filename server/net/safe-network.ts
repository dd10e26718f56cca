import net from 'node:net';
import tls from 'node:tls';
import { classifyAddress, parseIpLiteral } from './address.js';
import { DnsClient, DEFAULT_DNS_TIMEOUT_MS, normaliseHostName } from './dns.js';
import { NetError, toNetError } from './errors.js';
import { httpExchange, type HttpResponse } from './http.js';
import { isLocalhostName } from './host.js';

/** How the network layer reaches the outside world. */
export interface NetOptions {
  /** `ip[:port]` DNS servers for every look-up (EMAIL_WIZARD_DNS_SERVERS); system resolver when unset. */
  dnsServers?: string[];
  /** True lets connections reach loopback, private and other non-public addresses (tests, on-premise). */
  allowPrivateNetworks: boolean;
  dnsTimeoutMs?: number;
  /** Extra certificate authorities trusted on top of Node's (a test CA, a company CA). */
  ca?: string | Buffer | Array<string | Buffer>;
}

/** Mail ports a user-supplied host may be reached on when private networks are not allowed. */
export const MAIL_PORTS: ReadonlySet<number> = new Set([25, 143, 465, 587, 993, 2525]);
/** Ports `fetchText` may reach when private networks are not allowed. */
export const WEB_PORTS: ReadonlySet<number> = new Set([80, 443]);

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Runs `work` under a deadline and an optional caller signal; the returned signal fires on either. */
function deadlineSignal(timeoutMs: number, outer?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(Math.max(1, timeoutMs));
  return outer ? AbortSignal.any([timeout, outer]) : timeout;
}

function abortReason(target: string, signal: AbortSignal): NetError {
  return new NetError('TIMEOUT', `${target} did not answer in time.`, signal.reason instanceof Error ? signal.reason.name : 'ABORT_ERR');
}

/**
 * The one door to the network for everything the server does on a user's behalf: DNS through
 * the configured servers, no connection to a non-public address unless private networks are
 * allowed, connections made to the checked IP (so a second resolution cannot rebind them), TLS
 * verified against the host name, every operation under a deadline, every failure a NetError.
 *
 * @example
 * const net = new SafeNetwork({ allowPrivateNetworks: false, dnsServers: ['127.0.0.1:5353'] });
 * const { socket, address } = await net.connectTls({ host: 'imap.example.com', port: 993, timeoutMs: 5000 });
 * // imapflow: new ImapFlow({ host: address, servername: 'imap.example.com', port: 993, secure: true, … })
 */
export class SafeNetwork {
  readonly allowPrivateNetworks: boolean;
  private readonly dns: DnsClient;
  private readonly ca: Array<string | Buffer> | undefined;
  /** Built once: parsing Node's ~140 root certificates per connection costs ~100 ms. */
  private readonly secureContext: tls.SecureContext | undefined;

  constructor(readonly options: NetOptions) {
    this.allowPrivateNetworks = options.allowPrivateNetworks;
    this.dns = new DnsClient(options.dnsServers, options.dnsTimeoutMs ?? DEFAULT_DNS_TIMEOUT_MS);
    const extra = options.ca === undefined ? [] : Array.isArray(options.ca) ? options.ca : [options.ca];
    // `ca` replaces Node's trust store, so the extra authorities are added to it, not swapped in.
    this.ca = extra.length > 0 ? [...tls.rootCertificates, ...extra] : undefined;
    this.secureContext = this.ca ? tls.createSecureContext({ ca: this.ca }) : undefined;
  }

  /** MX records, best (lowest priority) first; [] when the domain has none; DNS_NOT_FOUND for NXDOMAIN. */
  async resolveMx(domain: string, timeoutMs?: number): Promise<{ exchange: string; priority: number }[]> {
    const records = await this.dns.query(domain, 'MX', timeoutMs, (r, n) => r.resolveMx(n), []);
    return records
      .map((record) => ({ exchange: record.exchange.replace(/\.$/, '').toLowerCase(), priority: record.priority }))
      .sort((a, b) => a.priority - b.priority);
  }

  /** SRV records as served (sorting by priority and weight is the caller's choice); `name` '' or '.' means "not offered". */
  async resolveSrv(name: string, timeoutMs?: number): Promise<{ name: string; port: number; priority: number; weight: number }[]> {
    const records = await this.dns.query(name, 'SRV', timeoutMs, (r, n) => r.resolveSrv(n), []);
    return records.map((record) => ({ ...record, name: record.name.replace(/\.$/, '').toLowerCase() || '.' }));
  }

  /** TXT records, each record's strings joined. */
  async resolveTxt(name: string, timeoutMs?: number): Promise<string[]> {
    const records = await this.dns.query(name, 'TXT', timeoutMs, (r, n) => r.resolveTxt(n), []);
    return records.map((chunks) => chunks.join(''));
  }

  /** The target of a CNAME record (lower-case, no trailing dot); undefined when the name is not an alias. */
  async resolveCname(name: string, timeoutMs?: number): Promise<string | undefined> {
    const records = await this.dns.query(name, 'CNAME', timeoutMs, (r, n) => r.resolveCname(n), [] as string[]);
    return records[0]?.replace(/\.$/, '').toLowerCase();
  }

  /**
   * The address to connect to for `host`: an IP literal (any spelling) as is, a name through
   * EMAIL_WIZARD_DNS_SERVERS when set (never `dns.lookup` then). Blocked addresses are skipped.
   * With private networks not allowed: a blocked literal, `localhost` or `*.localhost` is
   * BLOCKED_ADDRESS; a name with nothing but blocked addresses is DNS_NOT_FOUND, worded exactly as
   * for a name that does not exist (`revealBlocked`: BLOCKED_ADDRESS, for the host's own API).
   *
   * @example await net.resolveSafeAddress('imap.example.com') // { address: '203.0.113.7', family: 4 }
   */
  async resolveSafeAddress(host: string, timeoutMs?: number, options: { revealBlocked?: boolean } = {}): Promise<ResolvedAddress> {
    const literal = parseIpLiteral(host);
    if (!literal && !this.allowPrivateNetworks && isLocalhostName(host)) {
      throw new NetError('BLOCKED_ADDRESS', `${normaliseHostName(host)} is this server itself, which it does not connect to on a user's behalf.`);
    }
    const candidates = literal ? [literal] : await this.dns.addresses(host, timeoutMs);
    if (this.allowPrivateNetworks) {
      const first = candidates.find((c) => c.family === 4) ?? candidates[0];
      if (first) return first;
    }
    const allowed = candidates.filter((candidate) => !classifyAddress(candidate.address).blocked);
    const chosen = allowed.find((c) => c.family === 4) ?? allowed[0];
    if (chosen) return chosen;
    if (!literal && !options.revealBlocked) {
      // A name that leads only to blocked addresses answers exactly like a name that does not
      // exist, so nobody can map this server's internal network through it (logs see the detail).
      throw new NetError('DNS_NOT_FOUND', `The host name ${normaliseHostName(host)} does not exist.`, 'BLOCKED_ADDRESS');
    }
    const shown = literal ? 'That address' : normaliseHostName(host);
    throw new NetError(
      'BLOCKED_ADDRESS',
      `${shown} points to a private or local network address, which this server does not connect to on a user's behalf.`,
    );
  }

  /** True when `port` may be reached: any port with private networks allowed, else only mail ports. */
  isPortAllowed(port: number): boolean {
    if (!Number.isInteger(port) || port < 1 || port > 65535) return false;
    return this.allowPrivateNetworks || MAIL_PORTS.has(port);
  }

  private checkPort(port: number): void {
    if (!this.isPortAllowed(port)) {
      throw new NetError('PORT_NOT_ALLOWED', `Port ${port} is not a mail port; use 993 or 143 for IMAP and 465 or 587 for SMTP.`);
    }
  }

  /**
   * A TCP connection to the checked address of `host`. `timeoutMs` covers the look-up and the
   * connect; the socket has no timeout afterwards.
   */
  async connectTcp(opts: { host: string; port: number; timeoutMs: number; signal?: AbortSignal }): Promise<{ socket: net.Socket; address: string }> {
    this.checkPort(opts.port);
    const signal = deadlineSignal(opts.timeoutMs, opts.signal);
    const target = `${opts.host}:${opts.port}`;
    const { address } = await this.withSignal(this.resolveSafeAddress(opts.host, opts.timeoutMs), signal, target);
    const socket = net.connect({ host: address, port: opts.port });
    await this.settle(socket, 'connect', signal, target);
    return { socket, address };
  }

  /**
   * Implicit TLS to the checked address of `host`, verified against `host` (servername), with
   * the configured extra CAs plus `ca`. TLS_CERT_INVALID when the certificate does not hold.
   */
  async connectTls(opts: {
    host: string;
    port: number;
    timeoutMs: number;
    rejectUnauthorized?: boolean;
    ca?: string | Buffer;
    signal?: AbortSignal;
  }): Promise<{ socket: tls.TLSSocket; address: string }> {
    this.checkPort(opts.port);
    const signal = deadlineSignal(opts.timeoutMs, opts.signal);
    const target = `${opts.host}:${opts.port}`;
    const { address } = await this.withSignal(this.resolveSafeAddress(opts.host, opts.timeoutMs), signal, target);
    const socket = tls.connect({ host: address, port: opts.port, ...this.tlsOptions(opts.host, opts.rejectUnauthorized, opts.ca) });
    await this.settle(socket, 'secureConnect', signal, target);
    return { socket, address };
  }

  /**
   * Upgrades an open plain socket to TLS (after STARTTLS was accepted), verified against `host`.
   *
   * @example
   * socket.write('a1 STARTTLS\r\n'); // … after "a1 OK"
   * const secure = await net.upgradeTls({ socket, host: 'imap.example.com', timeoutMs: 3000 });
   */
  async upgradeTls(opts: { socket: net.Socket; host: string; timeoutMs: number; rejectUnauthorized?: boolean; ca?: string | Buffer; signal?: AbortSignal }): Promise<tls.TLSSocket> {
    const signal = deadlineSignal(opts.timeoutMs, opts.signal);
    const secure = tls.connect({ socket: opts.socket, ...this.tlsOptions(opts.host, opts.rejectUnauthorized, opts.ca) });
    await this.settle(secure, 'secureConnect', signal, opts.host);
    return secure;
  }

  /**
   * GET `url` over HTTPS (plain http only when private networks are allowed) from the checked
   * address, re-checking every redirect (at most `maxRedirects`, default 3), reading at most
   * `maxBytes` (default 1 MiB). Any status is returned; only network failures throw.
   */
  async fetchText(
    url: string,
    opts: { timeoutMs: number; maxBytes?: number; maxRedirects?: number; headers?: Record<string, string>; signal?: AbortSignal },
  ): Promise<HttpResponse & { url: string }> {
    const signal = deadlineSignal(opts.timeoutMs, opts.signal);
    const maxRedirects = opts.maxRedirects ?? 3;
    let current = url;
    for (let hop = 0; ; hop += 1) {
      const response = await this.exchange(current, { method: 'GET', headers: opts.headers, maxBytes: opts.maxBytes, signal, timeoutMs: opts.timeoutMs, restrictPorts: true });
      const location = response.headers.location;
      if (![301, 302, 303, 307, 308].includes(response.status) || !location) return { ...response, url: current };
      if (hop >= maxRedirects) {
        throw new NetError('TOO_MANY_REDIRECTS', `${new URL(url).host} redirected more than ${maxRedirects} times.`);
      }
      try {
        current = new URL(location, current).toString();
      } catch {
        throw new NetError('NETWORK_ERROR', `${new URL(current).host} redirected to an address that is not a URL.`);
      }
    }
  }

  /**
   * One HTTP exchange with any method and body (OAuth token and revocation calls): same address
   * checks as `fetchText`, no redirects followed, any port (the URL comes from configuration).
   */
  async request(
    url: string,
    opts: { method: string; headers?: Record<string, string>; body?: string; timeoutMs: number; maxBytes?: number; signal?: AbortSignal },
  ): Promise<HttpResponse> {
    const signal = deadlineSignal(opts.timeoutMs, opts.signal);
    return this.exchange(url, { ...opts, signal, restrictPorts: false });
  }

  private async exchange(
    url: string,
    opts: { method: string; headers?: Record<string, string>; body?: string; timeoutMs: number; maxBytes?: number; signal: AbortSignal; restrictPorts: boolean },
  ): Promise<HttpResponse> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new NetError('NETWORK_ERROR', `"${url.slice(0, 100)}" is not a URL.`);
    }
    const secure = parsed.protocol === 'https:';
    if (!secure && !(parsed.protocol === 'http:' && this.allowPrivateNetworks)) {
      throw new NetError('BLOCKED_ADDRESS', `${parsed.host} can only be reached over HTTPS.`);
    }
    const port = parsed.port ? Number(parsed.port) : secure ? 443 : 80;
    if (opts.restrictPorts && !this.allowPrivateNetworks && !WEB_PORTS.has(port)) {
      throw new NetError('PORT_NOT_ALLOWED', `${parsed.host} is on port ${port}; only the standard web ports are fetched.`);
    }
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    const resolved = await this.withSignal(this.resolveSafeAddress(host, opts.timeoutMs), opts.signal, parsed.host);
    try {
      return await httpExchange({
        url: parsed,
        host,
        port,
        resolved,
        method: opts.method,
        headers: opts.headers ?? {},
        body: opts.body,
        maxBytes: opts.maxBytes ?? 1024 * 1024,
        signal: opts.signal,
        secureContext: this.secureContext,
      });
    } catch (error) {
      if (opts.signal.aborted) throw abortReason(parsed.host, opts.signal);
      throw toNetError(error, parsed.host);
    }
  }

  private tlsOptions(host: string, rejectUnauthorized = true, ca?: string | Buffer): tls.ConnectionOptions {
    const isLiteral = parseIpLiteral(host) !== undefined;
    return {
      // SNI must be a name; for an IP literal Node checks the certificate's IP entries instead.
      servername: isLiteral ? undefined : normaliseHostName(host),
      rejectUnauthorized,
      ...(ca ? { ca: [...(this.ca ?? tls.rootCertificates), ca] } : this.secureContext ? { secureContext: this.secureContext } : {}),
    };
  }

  /** Waits for `event` on a connecting socket; destroys it and throws a NetError on failure or abort. */
  private settle(socket: net.Socket, event: 'connect' | 'secureConnect', signal: AbortSignal, target: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        socket.off(event, onDone);
        socket.off('error', onError);
        socket.off('close', onClose);
        signal.removeEventListener('abort', onAbort);
      };
      const onDone = () => {
        cleanup();
        resolve();
      };
      const onError = (error: Error) => {
        cleanup();
        socket.destroy();
        reject(toNetError(error, target));
      };
      const onClose = () => {
        cleanup();
        reject(new NetError(event === 'secureConnect' ? 'TLS_FAILED' : 'NETWORK_ERROR', `${target} closed the connection before it was ready.`));
      };
      const onAbort = () => {
        cleanup();
        socket.destroy();
        reject(abortReason(target, signal));
      };
      if (signal.aborted) return onAbort();
      socket.once(event, onDone);
      socket.once('error', onError);
      socket.once('close', onClose);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private withSignal<T>(work: Promise<T>, signal: AbortSignal, target: string): Promise<T> {
    if (signal.aborted) return Promise.reject(abortReason(target, signal));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(abortReason(target, signal));
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(toNetError(error, target));
        },
      );
    });
  }
}
