import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks host API keys in constant time. Keys are compared as SHA-256 digests, so neither
 * their length nor their content leaks through timing.
 */
export function createApiKeyCheck(keys: readonly string[]): (candidate: string) => boolean {
  const digests = keys.map((key) => createHash('sha256').update(key).digest());
  return (candidate) => {
    const given = createHash('sha256').update(candidate).digest();
    let match = false;
    for (const digest of digests) match = timingSafeEqual(given, digest) || match;
    return match;
  };
}
