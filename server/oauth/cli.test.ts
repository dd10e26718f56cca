import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOAuthTestServer, type OAuthTestServer } from '../testing/oauth-server.js';
import { runOAuthCheck } from './cli.js';

let oauth: OAuthTestServer;
beforeAll(async () => {
  oauth = await startOAuthTestServer({ google: { clientId: 'google-client', clientSecret: 'google-secret' } });
});
afterAll(async () => oauth?.close());

async function check(env: Record<string, string>) {
  let out = '';
  const code = await runOAuthCheck({
    env: { EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS: 'true', EMAIL_WIZARD_PUBLIC_URL: 'https://help.example.com', ...env },
    stdout: (t) => (out += t),
    stderr: (t) => (out += t),
  });
  return { code, out };
}

describe('oauth-check', () => {
  it('prints the redirect URIs and confirms that both providers accept their clients', async () => {
    const { code, out } = await check(oauth.env());
    expect(code).toBe(0);
    expect(out).toContain('register this redirect URI: https://help.example.com/api/email-settings/oauth/google/callback');
    expect(out).toContain('register this redirect URI: https://help.example.com/api/email-settings/oauth/microsoft/callback');
    expect(out.match(/client check: accepted by the provider/g)).toHaveLength(2);
    expect(out).not.toContain('google-secret');
  });

  it('tells a rejected secret apart and exits 1', async () => {
    const { code, out } = await check(oauth.env({ googleSecret: 'expired-secret' }));
    expect(code).toBe(1);
    expect(out).toMatch(/Google[\s\S]*client check: REJECTED: .*invalid_client/);
    expect(out).not.toContain('expired-secret');
  });

  it('a provider without a client id is reported as not configured', async () => {
    const { MICROSOFT_CLIENT_ID: _omit, ...googleOnly } = oauth.env();
    const { code, out } = await check(googleOnly);
    expect(code).toBe(0);
    expect(out).toContain('Microsoft: not configured');
  });
});
