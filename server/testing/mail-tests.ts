import { MailTestService, type MailTestLimits } from '../mail/index.js';
import type { TestApp } from './app.js';

/**
 * Rebuilds a test app's connection-test service so it trusts the test CA (production uses the
 * system store), optionally with other limits. Everything else stays the app's own.
 *
 * @example
 * useTestCa(app, mail.ca.cert, { greetingTimeoutMs: 2000 });
 */
export function useTestCa(app: TestApp, ca: string, limits: Partial<MailTestLimits> = {}): void {
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
    ca,
    limits,
  });
}
