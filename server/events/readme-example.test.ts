import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { webhookSigner } from './signing.js';

/** The README's receiving example, run as written against what the server signs. */

const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

function readmeReceiver() {
  const section = README.slice(README.indexOf('**Receiving.**'));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('README: no js block after **Receiving.**');
  const handled: unknown[] = [];
  const seen = new Set<string>();
  const app = new Hono();
  const body = code.replace(/^import .*$/m, '');
  // The block's free names: the framework app, node:crypto, the host's own secret and its two functions.
  new Function('app', 'createHmac', 'timingSafeEqual', 'process', 'seenBefore', 'markAccount', body)(
    app,
    createHmac,
    timingSafeEqual,
    { env: { EMAIL_WIZARD_WEBHOOK_SECRET: SECRET } },
    async (id: string) => (seen.has(id) ? true : (seen.add(id), false)),
    async (...args: unknown[]) => void handled.push(args),
  );
  return { app, handled };
}

describe("README's receiving example", () => {
  const sign = webhookSigner(SECRET);
  const body = JSON.stringify({ type: 'account.failing', timestamp: new Date().toISOString(), data: { accountId: 'acme-42', status: 'failing' } });
  const post = (app: Hono, headers: Record<string, string>, payload = body) =>
    app.request('/hooks/email', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload });

  it('accepts what the server signs, once per webhook-id', async () => {
    const { app, handled } = readmeReceiver();
    const headers = sign('msg_0123456789abcdef0123456789abcdef', new Date(), body);
    expect((await post(app, headers)).status).toBe(204);
    expect(handled).toEqual([['acme-42', 'account.failing', { accountId: 'acme-42', status: 'failing' }]]);
    expect((await post(app, sign('msg_0123456789abcdef0123456789abcdef', new Date(), body))).status).toBe(204); // a retry
    expect(handled).toHaveLength(1);
  });

  it('refuses a changed body, another secret, a missing signature and an old timestamp', async () => {
    const { app, handled } = readmeReceiver();
    const headers = sign('msg_1', new Date(), body);
    expect((await post(app, headers, body.replace('failing', 'connected'))).status).toBe(401);
    expect((await post(app, webhookSigner(`whsec_${randomBytes(32).toString('base64')}`)('msg_1', new Date(), body))).status).toBe(401);
    expect((await post(app, { 'webhook-id': 'msg_1', 'webhook-timestamp': headers['webhook-timestamp']! })).status).toBe(401);
    expect((await post(app, sign('msg_1', new Date(Date.now() - 10 * 60_000), body))).status).toBe(401);
    expect(handled).toEqual([]);
  });
});
