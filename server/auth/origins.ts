import type { Config } from '../config/index.js';

const LOCALHOST = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/**
 * Builds, once, the check for which browser origins may call the API and receive OAuth
 * `postMessage`s: an exact match against `EMAIL_WIZARD_ALLOWED_ORIGINS` (plus the server's own
 * origin), and in demo mode any localhost port.
 */
export function createOriginCheck(config: Pick<Config, 'allowedOrigins' | 'demoMode'>): (origin: string) => boolean {
  const allowed = new Set(config.allowedOrigins);
  return (origin) => allowed.has(origin) || (config.demoMode && LOCALHOST.test(origin));
}
