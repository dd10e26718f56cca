import type { CliCommand } from '../cli/command.js';
import { loadConfig } from '../config/index.js';
import { SafeNetwork } from '../net/index.js';
import { OAuthCallError, OAuthProviderClient } from './client.js';
import { PROVIDER_IDS, providerSettings } from './providers.js';

export interface OAuthCheckIo {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** A refresh token no provider ever issued: a valid client gets `invalid_grant` for it, a rejected one `invalid_client`. */
const PROBE_REFRESH_TOKEN = 'email-config-wizard-oauth-check';

/**
 * `email-config-wizard oauth-check`: for each OAuth provider, whether it is configured, the
 * redirect URI to register, and whether the provider accepts the client id and secret — found
 * out with one refresh request for a made-up token, so nobody has to sign in. Exit code 0 when
 * every configured provider accepts its client, 1 when one rejects it or cannot be reached.
 *
 * @example
 * GOOGLE_CLIENT_ID=… GOOGLE_CLIENT_SECRET=… npx tsx server/cli.ts oauth-check
 */
export async function runOAuthCheck(io: OAuthCheckIo): Promise<number> {
  // Only the OAuth part of the configuration is read: stand-ins keep loadConfig from generating secrets.
  const config = loadConfig({
    ...io.env,
    EMAIL_WIZARD_API_KEYS: io.env.EMAIL_WIZARD_API_KEYS || 'unused-by-oauth-check',
    EMAIL_WIZARD_SESSION_SECRET: io.env.EMAIL_WIZARD_SESSION_SECRET || 'unused-by-oauth-check-'.padEnd(32, '0'),
    EMAIL_WIZARD_ENCRYPTION_KEYS: io.env.EMAIL_WIZARD_ENCRYPTION_KEYS || `unused:${Buffer.alloc(32).toString('base64')}`,
  });
  const net = new SafeNetwork({ allowPrivateNetworks: config.allowPrivateNetworks, dnsServers: config.dnsServers });
  const providers = providerSettings(config);
  let failed = false;
  for (const id of PROVIDER_IDS) {
    const provider = providers[id];
    const name = id === 'google' ? 'Google' : 'Microsoft';
    if (!provider) {
      io.stdout(`${name}: not configured (set ${id.toUpperCase()}_CLIENT_ID to offer it)\n`);
      continue;
    }
    io.stdout(`${name}: client ${provider.clientId}${provider.clientSecret ? ' with a secret' : ' (public, no secret)'}\n`);
    io.stdout(`  register this redirect URI: ${provider.redirectUri}\n`);
    io.stdout(`  token endpoint: ${provider.tokenUrl}\n`);
    try {
      await new OAuthProviderClient(provider, net).refresh(PROBE_REFRESH_TOKEN);
      io.stdout('  client check: unexpected, the made-up token was accepted\n');
    } catch (error) {
      if (error instanceof OAuthCallError && error.kind === 'invalid_grant') {
        io.stdout('  client check: accepted by the provider\n');
      } else {
        failed = true;
        const kind = error instanceof OAuthCallError && error.kind === 'client' ? 'REJECTED' : 'FAILED';
        io.stdout(`  client check: ${kind}: ${(error as Error).message}\n`);
      }
    }
  }
  return failed ? 1 : 0;
}

export const oauthCheckCommand: CliCommand = {
  name: 'oauth-check',
  summary: 'Show the OAuth redirect URIs to register and check that Google/Microsoft accept the client id and secret',
  run: () => runOAuthCheck({ env: process.env, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }),
};
