import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_API_KEY, type TestApp } from '../testing/app.js';
import { MAX_BODY_BYTES } from './app.js';

const ALLOWED = 'https://helpdesk.example.com';

describe('HTTP edge', () => {
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    app = await createTestApp({ EMAIL_WIZARD_ALLOWED_ORIGINS: `${ALLOWED},https://admin.example.com` });
    token = await app.session('acme');
  });
  afterAll(() => app.close());

  const expectEnvelope = async (response: Response, status: number, code: string) => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(/^[A-Z].+\.$/);
    return body;
  };

  it('answers /health with the database status', async () => {
    const response = await app.request('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', database: 'ok', version: expect.any(String) });
  });

  it('answers /health with 503 and the envelope when the database is gone', async () => {
    const broken = await createTestApp();
    await broken.services.database.close();
    const response = await broken.request('/health');
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('DATABASE_UNAVAILABLE');
    await broken.close();
  });

  it('serves an OpenAPI 3.1 document that lists the routes and their security', async () => {
    const response = await app.request('/openapi.json');
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, Record<string, { security?: unknown }>>; components: { securitySchemes: object } };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/sessions', '/settings', '/accounts/{accountId}/settings', '/accounts/{accountId}/credentials', '/accounts/{accountId}']));
    expect(doc.paths['/settings']!.put!.security).toEqual([{ session: [] }]);
    expect(doc.paths['/sessions']!.post!.security).toEqual([{ apiKey: [] }]);
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['apiKey', 'session']);
  });

  describe('error envelope for requests that match nothing', () => {
    it('an unknown route under the API', async () => {
      await expectEnvelope(await app.request('/no-such-thing'), 404, 'NOT_FOUND');
    });

    it('an unknown route outside the API', async () => {
      await expectEnvelope(await app.fetch(new Request('http://localhost/elsewhere')), 404, 'NOT_FOUND');
    });

    it('a wrong method, with an Allow header', async () => {
      const response = await app.request('/settings', { method: 'PATCH', token });
      expect(response.headers.get('allow')).toBe('GET, HEAD, PUT, DELETE');
      await expectEnvelope(response, 405, 'METHOD_NOT_ALLOWED');
      await expectEnvelope(await app.request('/health', { method: 'POST' }), 405, 'METHOD_NOT_ALLOWED');
      await expectEnvelope(await app.request('/sessions', { method: 'GET', token: TEST_API_KEY }), 405, 'METHOD_NOT_ALLOWED');
    });
  });

  describe('bodies', () => {
    it('malformed JSON', async () => {
      const response = await app.request('/settings', { method: 'PUT', token, body: '{"email": "a@b.c",', headers: { 'Content-Type': 'application/json' } });
      await expectEnvelope(response, 400, 'INVALID_JSON');
    });

    it('a body that is not JSON', async () => {
      const response = await app.request('/sessions', { method: 'POST', token: TEST_API_KEY, body: 'accountId=acme', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      await expectEnvelope(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('a body over the limit, announced by Content-Length', async () => {
      const response = await app.request('/settings', { method: 'PUT', token, json: { email: 'x'.repeat(MAX_BODY_BYTES) } });
      await expectEnvelope(response, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('a body over the limit, streamed without a length', async () => {
      const chunk = new TextEncoder().encode(' '.repeat(16 * 1024));
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 8) controller.enqueue(chunk);
          else controller.close();
        },
      });
      const request = new Request('http://localhost/api/email-settings/settings', {
        method: 'PUT',
        body,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
        duplex: 'half',
      } as RequestInit);
      await expectEnvelope(await app.fetch(request), 413, 'PAYLOAD_TOO_LARGE');
    });
  });

  describe('CORS', () => {
    it('answers a preflight from an allowed origin, exactly matched', async () => {
      const response = await app.request('/settings', {
        method: 'OPTIONS',
        headers: { Origin: ALLOWED, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'authorization,content-type' },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
      expect(response.headers.get('access-control-allow-methods')).toContain('PUT');
      expect(response.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
      expect(response.headers.get('vary')).toMatch(/Origin/);
    });

    it('adds the headers to real responses, errors included', async () => {
      const ok = await app.request('/health', { headers: { Origin: ALLOWED } });
      expect(ok.headers.get('access-control-allow-origin')).toBe(ALLOWED);
      expect(ok.headers.get('access-control-expose-headers')).toBe('X-Request-Id');
      const denied = await app.request('/settings', { headers: { Origin: 'https://admin.example.com' } });
      expect(denied.status).toBe(401);
      expect(denied.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
    });

    it.each([
      'https://evil.example.com',
      'https://helpdesk.example.com.evil.test',
      'http://helpdesk.example.com',
      'https://helpdesk.example.com:8443',
      'https://HELPDESK.example.com.',
      'null',
      'http://localhost:3000',
    ])('gives the unlisted origin %s no CORS headers at all', async (origin) => {
      for (const response of [
        await app.request('/settings', { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT' } }),
        await app.request('/health', { headers: { Origin: origin } }),
      ]) {
        const corsHeaders = [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));
        expect(corsHeaders).toEqual([]);
      }
    });

    it('allows any localhost port only in demo mode', async () => {
      const demo = await createTestApp({ EMAIL_WIZARD_API_KEYS: undefined }); // unset: demo mode
      try {
        expect(demo.services.config.demoMode).toBe(true);
        const response = await demo.request('/health', { headers: { Origin: 'http://localhost:3000' } });
        expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
        const remote = await demo.request('/health', { headers: { Origin: 'http://localhost.evil.test:3000' } });
        expect(remote.headers.get('access-control-allow-origin')).toBeNull();
      } finally {
        await demo.close();
      }
    });
  });

  it('sets secure headers on every response', async () => {
    for (const response of [await app.request('/health'), await app.request('/nope'), await app.request('/settings')]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    }
  });

  describe('request ids', () => {
    it('gives every response its own id and logs it with the request', async () => {
      const first = await app.request('/health');
      const second = await app.request('/health');
      const id = first.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(second.headers.get('x-request-id')).not.toBe(id);
      const line = app.logLines.map((l) => JSON.parse(l)).find((l) => l.requestId === id && l.msg === 'request');
      expect(line).toMatchObject({ method: 'GET', path: '/api/email-settings/health', status: 200, level: 'info' });
    });

    it('keeps a caller-supplied id, but only a sane one', async () => {
      const kept = await app.request('/health', { headers: { 'X-Request-Id': 'lb-1234' } });
      expect(kept.headers.get('x-request-id')).toBe('lb-1234');
      const replaced = await app.request('/health', { headers: { 'X-Request-Id': 'bad id\twith "quotes"' } });
      expect(replaced.headers.get('x-request-id')).not.toContain('quotes');
    });

    it('logs the path without the query string', async () => {
      const response = await app.request('/nope?code=secret-code&state=s');
      const id = response.headers.get('x-request-id');
      const line = app.logLines.find((l) => l.includes(id!) && l.includes('"request"'))!;
      expect(line).not.toContain('secret-code');
    });
  });
});
