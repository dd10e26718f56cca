import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.js';
import { OAUTH_TEST_ENV, signIn } from '../testing/oauth-journeys.js';
import { startOAuthTestServer, type OAuthTestServer } from '../testing/oauth-server.js';
import type { OAuthProviderId } from '../store/database.js';

/**
 * Issue 12 §2, last point: the provider's reason is read, not discarded. The local OAuth server
 * sends the errors back to the callback exactly as Microsoft (`error_description` with an AADSTS
 * code) and Google (`error=admin_policy_enforced`…) do; the callback page and the flow status
 * answer with their own code, sentence and steps, and keep the provider's text for the rest.
 */
let oauth: OAuthTestServer;
let app: TestApp;

beforeAll(async () => {
  oauth = await startOAuthTestServer();
  app = await createTestApp({ ...oauth.env(), ...OAUTH_TEST_ENV });
});
afterAll(async () => {
  await app?.close();
  await oauth?.close();
});

/** Microsoft's wording, trace and correlation ids included, as its callback sends it. */
const aadsts = (code: string, text: string) =>
  `AADSTS${code}: ${text}\r\nTrace ID: 0b1e1f1a-1111-4e5e-9c2b-7a0c3c1e2f00\r\nCorrelation ID: 5d1b3a7e-2222-4c4f-8e8e-1b2c3d4e5f60\r\nTimestamp: 2026-11-30 01:20:00Z`;

let counter = 0;
async function refusal(provider: OAuthProviderId, error: string, description?: string) {
  counter += 1;
  const journey = await signIn(app, oauth, {
    accountId: `refused-${counter}`,
    provider,
    consent: { email: `user${counter}@contoso.test`, error: { error, ...(description === undefined ? {} : { description }) } },
  });
  const flow = (await (await app.request(`/oauth/flows/${journey.flowId}`, { token: journey.token })).json()) as {
    status: string;
    error: { code: string; message: string; steps?: string[] };
  };
  expect(flow.status).toBe('failed');
  return { status: journey.callback.status, html: journey.html, error: flow.error };
}

describe('Microsoft: error_description and its AADSTS code', () => {
  it.each([
    ['50020', "User account 'me@fabrikam.test' from identity provider 'live.com' does not exist in tenant 'Contoso' and cannot access the application.", 'OAUTH_ACCOUNT_NOT_ALLOWED', /another organisation/, /work account/],
    ['65001', "The user or administrator has not consented to use the application with ID '00000000-test'.", 'OAUTH_ADMIN_CONSENT_REQUIRED', /administrator to approve/, /Grant admin consent/],
    ['65004', 'User declined to consent to access the app.', 'OAUTH_CONSENT_DENIED', /not granted/, /Accept/],
    ['53003', 'Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.', 'OAUTH_BLOCKED_BY_POLICY', /Conditional Access/, /sign-in logs/],
    ['700016', "Application with identifier '00000000-test' was not found in the directory 'Contoso'.", 'OAUTH_CLIENT_MISCONFIGURED', /MICROSOFT_CLIENT_ID/, /Application \(client\) ID/],
    ['7000215', 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.', 'OAUTH_CLIENT_MISCONFIGURED', /MICROSOFT_CLIENT_SECRET/, /Value \(not its Secret ID\)/],
    ['90072', "User account 'me@outlook.test' from identity provider 'live.com' does not exist in tenant 'Contoso'.", 'OAUTH_ACCOUNT_NOT_ALLOWED', /does not exist in the organisation/, /guest/],
  ])('AADSTS%s → its own code, sentence and steps', async (code, text, expected, message, step) => {
    const { status, html, error } = await refusal('microsoft', 'access_denied', aadsts(code, text));
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(error.code).toBe(expected);
    expect(error.message).toMatch(message);
    expect(error.steps?.join(' ')).toMatch(step);
    // Not the old one-size "sign in again and allow access" (which is right only for a declined consent).
    if (expected !== 'OAUTH_CONSENT_DENIED') expect(error.message).not.toMatch(/allow access to your email/);
    expect(html).toContain(expected);
    // Trace and correlation ids are not shown to the person.
    expect(JSON.stringify(error)).not.toContain('Correlation ID');
  });

  it('an AADSTS code we do not map keeps Microsoft\'s own text (without its trace lines)', async () => {
    const { error } = await refusal('microsoft', 'invalid_request', aadsts('50058', 'A silent sign-in request was sent but no user is signed in.'));
    expect(error.code).toBe('OAUTH_PROVIDER_ERROR');
    expect(error.message).toContain('AADSTS50058: A silent sign-in request was sent but no user is signed in.');
    expect(error.message).not.toContain('Trace ID');
  });

  it('a plain access_denied without a reason is still the user declining', async () => {
    const { error } = await refusal('microsoft', 'access_denied', 'The user has denied access to the scope requested by the client application.');
    expect(error.code).toBe('OAUTH_CONSENT_DENIED');
  });
});

describe("Google's reasons", () => {
  it.each([
    ['admin_policy_enforced', 'OAUTH_BLOCKED_BY_POLICY', /Workspace administrator/, /App access control/],
    ['org_internal', 'OAUTH_ACCOUNT_NOT_ALLOWED', /only accepts accounts of the Google Workspace organisation/, /External/],
    ['disallowed_useragent', 'OAUTH_BROWSER_NOT_SUPPORTED', /embedded browser/, /regular browser/],
  ])('%s → its own code, sentence and steps', async (reason, expected, message, step) => {
    const { error } = await refusal('google', reason);
    expect(error.code).toBe(expected);
    expect(error.message).toMatch(message);
    expect(error.steps?.join(' ')).toMatch(step);
  });

  it('an unknown Google error keeps its text', async () => {
    const { error } = await refusal('google', 'invalid_scope', 'Some requested scopes were invalid.');
    expect(error.code).toBe('OAUTH_PROVIDER_ERROR');
    expect(error.message).toContain('Some requested scopes were invalid.');
  });
});
