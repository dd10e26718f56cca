import { NetError, toNetError } from './errors.js';
import type { ResolvedAddress, SafeNetwork } from './safe-network.js';

/** One host's look-up, done once: the checked address, or why there is none. */
export type Resolution = ResolvedAddress | NetError;

/**
 * Resolves `host` once through the safe layer (blocked addresses refused, as for a connection),
 * returning the failure instead of throwing it: the caller keys limits by the address and later
 * connects to exactly that address (see `pinnedResolver`).
 */
export async function resolveOnce(net: Pick<SafeNetwork, 'resolveSafeAddress'>, host: string, timeoutMs: number): Promise<Resolution> {
  try {
    return await net.resolveSafeAddress(host, timeoutMs);
  } catch (error) {
    return toNetError(error, host);
  }
}

/**
 * A view of `net` whose `resolveSafeAddress(host)` answers the look-up already made for `host`
 * (or throws its failure), so a test connects to the address its limits were counted on and a
 * second DNS answer cannot send it elsewhere. Other hosts resolve as usual.
 */
export function pinnedResolver<N extends Pick<SafeNetwork, 'resolveSafeAddress'>>(net: N, host: string, resolution: Resolution | undefined): N {
  if (!resolution) return net;
  const resolveSafeAddress: SafeNetwork['resolveSafeAddress'] = (asked, timeoutMs, options) => {
    if (asked !== host) return net.resolveSafeAddress(asked, timeoutMs, options);
    return resolution instanceof NetError ? Promise.reject(resolution) : Promise.resolve(resolution);
  };
  return new Proxy(net, {
    get(target, property, receiver) {
      if (property === 'resolveSafeAddress') return resolveSafeAddress;
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
