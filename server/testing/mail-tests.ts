import { MailTestService, type MailTestLimits } from '../mail/index.js';
import type { TestApp } from './app.js';

/**
 * Rebuilds a test app's connection-test service with other options — a CA to trust (production
 * uses the system store), other limits. Everything else stays the app's own.
 *
 * @example
 * rebuildMailTests(app, { limits: { phaseTimeoutMs: 2000 } });
 */
export function rebuildMailTests(app: TestApp, options: { ca?: string; limits?: Partial<MailTestLimits> } = {}): void {
  const { services } = app;
  services.mailTests = new MailTestService({
    net: services.net,
    settings: services.settings,
    db: services.database.db,
    rateLimits: services.rateLimits,
    tokens: services.oauth.tokens,
    audit: services.audit,
    logger: services.logger,
    allowPrivateNetworks: services.config.allowPrivateNetworks,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    limits: options.limits ?? {},
  });
}

/**
 * Makes a test app's connection tests trust the test CA, optionally with other limits.
 *
 * @example
 * useTestCa(app, mail.ca.cert, { greetingTimeoutMs: 2000 });
 */
export function useTestCa(app: TestApp, ca: string, limits: Partial<MailTestLimits> = {}): void {
  rebuildMailTests(app, { ca, limits });
}
