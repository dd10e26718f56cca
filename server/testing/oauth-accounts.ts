import type { Services } from '../http/context.js';
import type { OAuthProviderId } from '../store/database.js';
import type { OAuthTestServer } from './oauth-server.js';

/** The provider's own mail hosts: the only ones its tokens may be sent to. */
const MAIL_HOSTS: Record<OAuthProviderId, { imap: string; smtp: string }> = {
  google: { imap: 'imap.gmail.com', smtp: 'smtp.gmail.com' },
  microsoft: { imap: 'outlook.office365.com', smtp: 'smtp.office365.com' },
};

export interface SeededAccount {
  accountId: string;
  email: string;
  credentialId: string;
}

/**
 * Creates connected OAuth mailboxes without a browser, through the product's own storage layer:
 * the stand-in issues a grant (`issueGrant`), `CredentialStore.upsert` stores it encrypted and
 * `SettingsService.put` saves settings that use it. For tests and benchmarks with many accounts.
 *
 * @example
 * const accounts = await seedOAuthAccounts(app.services, oauth, { count: 50, provider: 'google', prefix: 'pace' });
 */
export async function seedOAuthAccounts(
  services: Pick<Services, 'oauth' | 'settings'>,
  oauth: OAuthTestServer,
  input: { count: number; provider: OAuthProviderId; prefix: string; start?: number },
): Promise<SeededAccount[]> {
  const accounts: SeededAccount[] = [];
  const hosts = MAIL_HOSTS[input.provider];
  for (let i = input.start ?? 0; i < (input.start ?? 0) + input.count; i += 1) {
    const accountId = `${input.prefix}-${i}`;
    const email = `${accountId}@example.com`;
    const tokens = oauth.issueGrant(input.provider, email);
    const credentialId = await services.oauth.credentials.upsert({ accountId, provider: input.provider, email, tokens });
    await services.settings.put(accountId, {
      email,
      imap: { host: hosts.imap, port: 993, security: 'tls', username: email },
      smtp: { host: hosts.smtp, port: 587, security: 'starttls', username: email },
      auth: { method: 'oauth', provider: input.provider, account: email },
    });
    accounts.push({ accountId, email, credentialId });
  }
  return accounts;
}
