import { promises as dns } from 'node:dns';
import { domainToASCII } from 'node:url';
import { NetError } from './errors.js';

export const DEFAULT_DNS_TIMEOUT_MS = 2000;

/**
 * Turns a host name as typed (any case, trailing dot, Unicode) into the ASCII form DNS uses,
 * or throws DNS_NOT_FOUND with a sentence when it cannot be a host name at all.
 *
 * @example normaliseHostName('Bücher.Example.') // 'xn--bcher-kva.example'
 */
export function normaliseHostName(host: string): string {
  const trimmed = host.trim().replace(/\.$/, '');
  const ascii = trimmed === '' ? '' : domainToASCII(trimmed.toLowerCase());
  const valid =
    ascii.length > 0 &&
    ascii.length <= 253 &&
    ascii.split('.').every((label) => /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/.test(label));
  if (!valid) throw new NetError('DNS_NOT_FOUND', `"${host.slice(0, 80)}" is not a valid host name.`);
  return ascii;
}

/** A DNS client bound to the configured servers (or the system's), with a deadline per query. */
export class DnsClient {
  constructor(
    private readonly servers: string[] | undefined,
    private readonly defaultTimeoutMs: number = DEFAULT_DNS_TIMEOUT_MS,
  ) {}

  /** True when look-ups go to EMAIL_WIZARD_DNS_SERVERS rather than the system resolver. */
  get usesCustomServers(): boolean {
    return this.servers !== undefined && this.servers.length > 0;
  }

  /**
   * Runs one query on a fresh resolver (so cancelling it cannot disturb other queries) and
   * maps the outcome: no such name → DNS_NOT_FOUND, a name without such records → `empty`.
   */
  async query<T>(name: string, kind: string, timeoutMs: number | undefined, run: (resolver: dns.Resolver, name: string) => Promise<T>, empty: T): Promise<T> {
    const ascii = normaliseHostName(name);
    const limit = timeoutMs ?? this.defaultTimeoutMs;
    const resolver = new dns.Resolver({ timeout: Math.max(50, limit), tries: 1 });
    if (this.usesCustomServers) resolver.setServers(this.servers!);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        resolver.cancel();
        reject(new NetError('TIMEOUT', `The DNS look-up of ${ascii} (${kind}) did not answer in time.`, 'ETIMEOUT'));
      }, limit);
    });
    try {
      return await Promise.race([run(resolver, ascii), deadline]);
    } catch (error) {
      if (error instanceof NetError) throw error;
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (code === 'ENODATA') return empty;
      if (code === 'ENOTFOUND' || code === 'NXDOMAIN') {
        throw new NetError('DNS_NOT_FOUND', `The host name ${ascii} does not exist.`, code);
      }
      if (code === 'ETIMEOUT' || code === 'ECANCELLED') {
        throw new NetError('TIMEOUT', `The DNS look-up of ${ascii} (${kind}) did not answer in time.`, code);
      }
      throw new NetError('NETWORK_ERROR', `The DNS look-up of ${ascii} (${kind}) failed.`, code || undefined);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A and AAAA records of `host`, in that order. Through the configured servers when set;
   * otherwise the system resolver (`getaddrinfo`, which also reads /etc/hosts).
   */
  async addresses(host: string, timeoutMs?: number): Promise<{ address: string; family: 4 | 6 }[]> {
    const ascii = normaliseHostName(host);
    if (!this.usesCustomServers) {
      const limit = timeoutMs ?? this.defaultTimeoutMs;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new NetError('TIMEOUT', `The DNS look-up of ${ascii} did not answer in time.`, 'ETIMEOUT')), limit);
      });
      try {
        const found = await Promise.race([dns.lookup(ascii, { all: true, verbatim: true }), deadline]);
        return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
      } catch (error) {
        if (error instanceof NetError) throw error;
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'EAI_NONAME') {
          throw new NetError('DNS_NOT_FOUND', `The host name ${ascii} does not exist.`, code);
        }
        throw new NetError('NETWORK_ERROR', `The DNS look-up of ${ascii} failed.`, code || undefined);
      } finally {
        clearTimeout(timer);
      }
    }
    const settled = await Promise.allSettled([
      this.query(ascii, 'A', timeoutMs, (r, n) => r.resolve4(n), [] as string[]),
      this.query(ascii, 'AAAA', timeoutMs, (r, n) => r.resolve6(n), [] as string[]),
    ]);
    const [v4, v6] = settled;
    const found = [
      ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 as const })) : []),
      ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 as const })) : []),
    ];
    if (found.length > 0) return found;
    // NXDOMAIN on either family is authoritative: the name does not exist, whatever else timed out.
    const reasons = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as NetError);
    const reason = reasons.find((r) => r.code === 'DNS_NOT_FOUND') ?? reasons[0];
    if (reason) throw reason;
    throw new NetError('DNS_NOT_FOUND', `The host name ${ascii} has no address.`, 'ENODATA');
  }
}
