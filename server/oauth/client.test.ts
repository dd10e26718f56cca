import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafeNetwork } from '../net/index.js';
import { loadConfig } from '../config/index.js';
import { startOAuthTestServer, type OAuthTestServer } from '../testing/oauth-server.js';
import { OAuthCallError, OAuthProviderClient } from './client.js';
import { providerSettings, type ProviderSettings } from './providers.js';
import { fetchTransport } from './transport.js';

let oauth: OAuthTestServer;
let silent: Server;
let silentUrl: string;
let junk: Server;
let junkUrl: string;

beforeAll(async () => {
  oauth = await startOAuthTestServer();
  // Accepts the request and never answers: only a timeout ends the call.
  silent = createServer(() => {});
  // Answers 200 with something that is not a token response.
  junk = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>maintenance</html>'));
  for (const server of [silent, junk]) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/token`;
  junkUrl = `http://127.0.0.1:${(junk.address() as AddressInfo).port}/token`;
});
afterAll(async () => {
  silent?.closeAllConnections();
  await Promise.all([oauth?.close(), ...[silent, junk].map((s) => new Promise((resolve) => s?.close(resolve)))]);
});

function settings(provider: 'google' | 'microsoft', extra: Record<string, string> = {}): ProviderSettings {
  const config = loadConfig({ ...oauth.env(), EMAIL_WIZARD_PUBLIC_URL: 'http://localhost', EMAIL_WIZARD_SESSION_SECRET: 'x'.repeat(32), EMAIL_WIZARD_ENCRYPTION_KEYS: `k:${Buffer.alloc(32).toString('base64')}`, EMAIL_WIZARD_API_KEYS: 'k', ...extra });
  return providerSettings(config)[provider]!;
}

/** Runs the consent step and returns the code the provider sent back. */
async function obtainCode(client: OAuthProviderClient, verifier: string): Promise<string> {
  const step = await oauth.authorize(client.authorizationUrl({ state: 'state-0123456789abcdefghij', codeVerifier: verifier }));
  return step.form?.get('code') ?? new URL(step.url).searchParams.get('code')!;
}

const VERIFIER = 'verifier-0123456789-0123456789-0123456789-abc';

describe('OAuthProviderClient (the arctic adapter)', () => {
  it('redeems a code with its PKCE verifier and reads the mailbox from the ID token', async () => {
    oauth.setConsent({ email: 'Someone@Example.com' });
    const client = new OAuthProviderClient(settings('google'), fetchTransport());
    const tokens = await client.exchangeCode(await obtainCode(client, VERIFIER), VERIFIER);
    expect(tokens.refreshToken).toBeDefined();
    expect(tokens.scopes).toEqual(['https://mail.google.com/', 'openid', 'email']);
    expect(tokens.expiresAt).toBeGreaterThan(Date.now() + 3000_000);
    expect(client.mailboxFromIdToken(tokens.idToken!)).toBe('someone@example.com');
  });

  it('a missing PKCE verifier is refused by the provider as invalid_grant', async () => {
    const client = new OAuthProviderClient(settings('google'), fetchTransport());
    const code = await obtainCode(client, VERIFIER);
    await expect(client.exchangeCode(code, '')).rejects.toMatchObject({ kind: 'invalid_grant', detail: { oauthError: 'invalid_grant' } });
  });

  it('a Microsoft public client sends an Origin header, so its code redemption is accepted', async () => {
    const provider = settings('microsoft');
    expect(provider.tokenRequestOrigin).toBe('http://localhost');
    const client = new OAuthProviderClient(provider, fetchTransport());
    await expect(client.exchangeCode(await obtainCode(client, VERIFIER), VERIFIER)).resolves.toMatchObject({ refreshToken: expect.any(String) });
    const withoutOrigin = new OAuthProviderClient({ ...provider, tokenRequestOrigin: undefined }, fetchTransport());
    const refused = withoutOrigin.exchangeCode(await obtainCode(withoutOrigin, VERIFIER), VERIFIER);
    await expect(refused).rejects.toMatchObject({ kind: 'client', detail: { oauthError: 'invalid_request' } });
  });

  it('an endpoint that never answers fails with a timeout, classed as transient', async () => {
    const client = new OAuthProviderClient({ ...settings('google'), tokenUrl: silentUrl }, fetchTransport(), { timeoutMs: 200 });
    const error = await client.refresh('rt_whatever').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthCallError);
    expect(error).toMatchObject({ kind: 'transient', detail: { transportCode: 'TIMEOUT' } });
    expect((error as Error).message).not.toContain('rt_whatever');
  });

  it('the SSRF-safe layer times out the same way', async () => {
    const net = new SafeNetwork({ allowPrivateNetworks: true });
    const client = new OAuthProviderClient({ ...settings('google'), tokenUrl: silentUrl }, net, { timeoutMs: 200 });
    await expect(client.refresh('rt_whatever')).rejects.toMatchObject({ kind: 'transient', detail: { transportCode: 'TIMEOUT' } });
  });

  it('with private networks disallowed, a token endpoint on a private address is an operator problem, never contacted', async () => {
    const before = oauth.tokenRequests.length;
    const client = new OAuthProviderClient(settings('google'), new SafeNetwork({ allowPrivateNetworks: false }));
    await expect(client.refresh('rt_whatever')).rejects.toMatchObject({ kind: 'client', detail: { transportCode: 'BLOCKED_ADDRESS' } });
    expect(oauth.tokenRequests.length).toBe(before);
  });

  it('a 200 without a token response is a provider error; 5xx is transient', async () => {
    const client = new OAuthProviderClient({ ...settings('google'), tokenUrl: junkUrl }, fetchTransport());
    await expect(client.refresh('rt_x')).rejects.toMatchObject({ kind: 'provider' });
    oauth.failTokenRequests(1, 502);
    await expect(new OAuthProviderClient(settings('google'), fetchTransport()).refresh('rt_x')).rejects.toMatchObject({
      kind: 'transient',
      detail: { status: 502 },
    });
  });

  it('an unknown client id is an operator problem (invalid_client), an unknown refresh token is invalid_grant', async () => {
    const wrongClient = new OAuthProviderClient({ ...settings('google'), clientId: 'someone-else' }, fetchTransport());
    await expect(wrongClient.refresh('rt_x')).rejects.toMatchObject({ kind: 'client', detail: { oauthError: 'invalid_client' } });
    const client = new OAuthProviderClient(settings('google'), fetchTransport());
    await expect(client.refresh('rt_unknown')).rejects.toMatchObject({ kind: 'invalid_grant' });
  });

  it('ID tokens for another audience, with an unverified address or malformed, give no mailbox', () => {
    const client = new OAuthProviderClient(settings('google'), fetchTransport());
    const jwt = (claims: object) =>
      `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
    const aud = settings('google').clientId;
    expect(client.mailboxFromIdToken(jwt({ aud, email: 'a@b.example' }))).toBe('a@b.example');
    expect(client.mailboxFromIdToken(jwt({ aud: 'other', email: 'a@b.example' }))).toBeUndefined();
    expect(client.mailboxFromIdToken(jwt({ aud, email: 'a@b.example', email_verified: false }))).toBeUndefined();
    expect(client.mailboxFromIdToken(jwt({ aud, email: 'not-an-address' }))).toBeUndefined();
    expect(client.mailboxFromIdToken('garbage')).toBeUndefined();
  });

  it('revocation treats an already unknown token as revoked', async () => {
    const client = new OAuthProviderClient(settings('google'), fetchTransport());
    await expect(client.revoke('rt_never-issued')).resolves.toBeUndefined();
    expect(new OAuthProviderClient(settings('microsoft'), fetchTransport()).canRevoke).toBe(false);
  });
});
