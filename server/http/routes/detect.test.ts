import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/app.js';
import { startDnsServer, type TestDnsServer } from '../../testing/dns-server.js';

let dns: TestDnsServer;
let app: TestApp;
let token: string;

const CONTRACT_KEYS = ['alternatives', 'authMethods', 'confidence', 'domain', 'elapsedMs', 'email', 'imap', 'notes', 'provider', 'smtp', 'source'];

/** Splits a server-sent event stream into `{event, data}` pairs. */
function parseEvents(text: string): Array<{ event: string; data: Record<string, unknown> }> {
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim())
    .map((block) => {
      const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
      const data = block
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

beforeAll(async () => {
  dns = await startDnsServer({
    'contoso.test': { MX: [{ exchange: 'contoso-test.mail.protection.outlook.com', priority: 0 }] },
    '*.unknown.test': {},
  });
  app = await createTestApp({ EMAIL_WIZARD_DNS_SERVERS: dns.address, EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS: 'true', EMAIL_WIZARD_DETECT_TIMEOUT_MS: '1500' });
  token = await app.session('acct-detect');
});

afterAll(async () => {
  await app?.close();
  await dns?.close();
});

describe('POST /detect', () => {
  it('needs a session token', async () => {
    const missing = await app.request('/detect', { method: 'POST', json: { email: 'a@gmail.com' } });
    expect(missing.status).toBe(401);
    const wrong = await app.request('/detect', { method: 'POST', json: { email: 'a@gmail.com' }, token: 'not-a-token' });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('INVALID_SESSION');
  });

  it('answers a known provider with exactly the contract fields', async () => {
    const response = await app.request('/detect', { method: 'POST', json: { email: 'Help@Outlook.com' }, token });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(CONTRACT_KEYS);
    expect(body).toMatchObject({
      email: 'Help@outlook.com',
      domain: 'outlook.com',
      provider: { id: 'outlook', oauth: 'microsoft', supported: true },
      source: 'builtin',
      confidence: 'high',
      authMethods: ['oauth'],
    });
    expect(Object.keys(body.provider as object).sort()).toEqual(['id', 'name', 'oauth', 'supported']);
    expect(Object.keys(body.imap as object).sort()).toEqual(['host', 'port', 'security', 'username']);
  });

  it.each([
    [{ email: '' }],
    [{ email: 'no-at-sign' }],
    [{ email: 'two@@example.com' }],
    [{ email: `a@${'x'.repeat(300)}.com` }],
    [{ email: 'a@[127.0.0.1]' }],
    [{ email: 'a\u0007@example.com' }],
    [{ email: 42 }],
  ])('answers 400 INVALID_EMAIL with a sentence for %j', async (body) => {
    const response = await app.request('/detect', { method: 'POST', json: body, token });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; message: string; field: string } };
    expect(error.code).toBe('INVALID_EMAIL');
    expect(error.field).toBe('email');
    expect(error.message).toMatch(/^[A-Z"].*\.$/);
  });

  it('answers a missing address like every other missing field', async () => {
    const response = await app.request('/detect', { method: 'POST', json: {}, token });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'MISSING_FIELD', message: 'The field "email" is required.', field: 'email' } });
  });

  it('answers a bad address with a plain JSON error even when a stream was asked for', async () => {
    const response = await app.request('/detect', { method: 'POST', json: { email: 'nope' }, token, headers: { accept: 'text/event-stream' } });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
  });

  it('streams each source’s progress, the provider’s hints, then the result, as server-sent events', async () => {
    const response = await app.request('/detect', { method: 'POST', json: { email: 'desk@contoso.test' }, token, headers: { accept: 'text/event-stream' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseEvents(await response.text());
    const last = events.at(-1)!;
    expect(last.event).toBe('result');
    expect(last.data).toMatchObject({ source: 'mx', provider: { id: 'microsoft-365', oauth: 'microsoft' }, imap: { username: 'desk@contoso.test' } });
    // Before the result: the provider's hints (for the widget to speak its own language), once.
    const provider = events.filter((e) => e.event === 'provider');
    expect(provider).toHaveLength(1);
    expect(events.at(-2)).toBe(provider[0]);
    expect(provider[0]!.data).toMatchObject({ id: 'microsoft-365', hints: { oauthOnly: true, helpUrl: expect.stringMatching(/^https:\/\//) } });
    const progress = events.slice(0, -2);
    expect(progress.every((e) => e.event === 'source')).toBe(true);
    for (const source of ['builtin', 'mx']) {
      expect(progress.filter((e) => e.data.source === source).map((e) => e.data.status)).toEqual(['start', 'end']);
    }
    expect(progress.find((e) => e.data.source === 'mx' && e.data.status === 'end')?.data).toMatchObject({ found: true });
  });

  it('answers JSON for the same remote look-up without the stream header', async () => {
    const response = await app.request('/detect', { method: 'POST', json: { email: 'other@contoso.test' }, token });
    expect(await response.json()).toMatchObject({ source: 'mx', imap: { username: 'other@contoso.test' } });
  });

  it('limits remote look-ups per account, but never the ones answered from memory', async () => {
    const busy = await app.session('acct-busy');
    const statuses: number[] = [];
    for (let i = 0; i < 31; i += 1) {
      const response = await app.request('/detect', { method: 'POST', json: { email: `a@d${i}.unknown.test` }, token: busy });
      statuses.push(response.status);
      await response.arrayBuffer();
    }
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    const limited = await app.request('/detect', { method: 'POST', json: { email: 'a@d99.unknown.test' }, token: busy });
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    const known = await app.request('/detect', { method: 'POST', json: { email: 'a@gmail.com' }, token: busy });
    expect(known.status).toBe(200);
    const cached = await app.request('/detect', { method: 'POST', json: { email: 'b@d1.unknown.test' }, token: busy });
    expect(cached.status).toBe(200);
  });

  it('is in the OpenAPI document', async () => {
    const response = await app.request('/openapi.json');
    const doc = (await response.json()) as { paths: Record<string, unknown> };
    expect(doc.paths['/detect']).toBeDefined();
  });
});
