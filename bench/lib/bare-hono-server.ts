/**
 * The yardstick: a bare Hono app on @hono/node-server with one JSON route and nothing else.
 * Run as its own process; prints `listening <port>`.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('/health', (c) => c.json({ status: 'ok' }));
// The yardstick for JSON POST routes: @hono/node-server builds a full Request for a body, which GET skips.
app.post('/echo', async (c) => c.json(await c.req.json()));
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.stdout.write(`listening ${info.port}\n`));
