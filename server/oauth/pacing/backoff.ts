/**
 * How long to wait before the next attempt: `baseMs × 4^(attempt − 1)`, capped, with "equal
 * jitter" (half fixed, half random) so that many callers failing together do not retry together.
 */
export function jitteredBackoff(attempt: number, baseMs: number, capMs = 30_000, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 4 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * A `Retry-After` header value in milliseconds (delta-seconds or an HTTP date), or undefined when
 * absent or unreadable. Capped at an hour: a provider's answer never parks us for longer.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(3_600_000, Math.max(0, ms));
}
