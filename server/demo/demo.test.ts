import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createTestApp, TEST_API_KEY, TEST_BASE, type TestApp } from '../testing/app.js';
import { mountDemo } from './index.js';
import { createThirdPartyDemo } from './third-party.js';

// The third-party page's origin: requests to its app are made in-process under this origin.
const THIRD_PARTY = 'http://localhost:18999';

let wizard: TestApp;
let server: ServerType;
let apiOrigin: string;

beforeAll(async () => {
  wizard = await createTestApp({ EMAIL_WIZARD_ALLOWED_ORIGINS: THIRD_PARTY });
  mountDemo(wizard.app, wizard.services);
  server = serve({ fetch: wizard.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  apiOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await wizard.close();
});

describe('demo pages', () => {
  it('serves the admin page with the API base; it loads the prebuilt script-tag file, nothing is bundled at run time', async () => {
    const page = await fetch(`${apiOrigin}/`).then((r) => r.text());
    expect(page).toContain(`api-base="${TEST_BASE}"`);
    expect(page).toContain('<script src="/widget/email-config-wizard.iife.js"></script>');
    // mountDemo serves pages only: the widget files come from mountWidgetFiles (server/http/widget-files.ts).
    expect((await fetch(`${apiOrigin}/widget/email-config-wizard.iife.js`)).status).toBe(404);
  });

  it('keeps the demo session endpoint off outside demo mode', async () => {
    const response = await fetch(`${apiOrigin}/demo/session`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

describe('third-party page on another origin', () => {
  const thirdParty = () => createThirdPartyDemo({ apiOrigin, basePath: TEST_BASE, apiKey: TEST_API_KEY });

  it('embeds the widget with the script tag from the wizard server only', async () => {
    const page = await (await thirdParty().request(`${THIRD_PARTY}/`)).text();
    expect(page).toContain(`<script src="${apiOrigin}/widget/email-config-wizard.iife.js"></script>`);
    expect(page).toContain(`api-base="${apiOrigin}${TEST_BASE}"`);
    expect(page).not.toContain(TEST_API_KEY);
    expect(page).not.toMatch(/type="module"/);
  });

  it('mints a session bound to its own origin: CORS lets that origin in, another origin is refused', async () => {
    const minted = await thirdParty().request(`${THIRD_PARTY}/session`, { method: 'POST' });
    expect(minted.status).toBe(200);
    const { token, origin } = (await minted.json()) as { token: string; origin: string };
    expect(origin).toBe(THIRD_PARTY);

    const allowed = await fetch(`${apiOrigin}${TEST_BASE}/oauth/providers`, { headers: { Authorization: `Bearer ${token}`, Origin: THIRD_PARTY } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(THIRD_PARTY);

    const preflight = await fetch(`${apiOrigin}${TEST_BASE}/detect`, {
      method: 'OPTIONS',
      headers: { Origin: THIRD_PARTY, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(THIRD_PARTY);

    const elsewhere = await fetch(`${apiOrigin}${TEST_BASE}/settings`, { headers: { Authorization: `Bearer ${token}`, Origin: 'http://localhost:18998' } });
    expect(elsewhere.status).toBe(403);
    expect(await elsewhere.json()).toMatchObject({ error: { code: 'ORIGIN_MISMATCH' } });
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers with a clear error when the wizard server refuses or cannot be reached', async () => {
    const wrongKey = createThirdPartyDemo({ apiOrigin, basePath: TEST_BASE, apiKey: 'not-the-key' });
    const refused = await wrongKey.request(`${THIRD_PARTY}/session`, { method: 'POST' });
    expect(refused.status).toBe(502);
    expect(await refused.json()).toMatchObject({ error: { code: 'INVALID_API_KEY' } });

    const down = createThirdPartyDemo({ apiOrigin: 'http://127.0.0.1:1', basePath: TEST_BASE, apiKey: TEST_API_KEY, timeoutMs: 2000 });
    const unreachable = await down.request(`${THIRD_PARTY}/session`, { method: 'POST' });
    expect(unreachable.status).toBe(502);
    expect(await unreachable.json()).toMatchObject({ error: { code: 'SESSION_FAILED' } });
  });
});
