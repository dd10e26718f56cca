/**
 * `npm run demo:third-party`: the "third-party page" on another origin (default port PORT+1),
 * next to a running `npm start`. Uses the same environment (and so the same API key) as the
 * wizard's server.
 */
import { serve } from '@hono/node-server';
import { loadConfig } from '../server/config/index.js';
import { createThirdPartyDemo } from '../server/demo/third-party.js';

const config = loadConfig(process.env);
const port = Number(process.env.THIRD_PARTY_PORT ?? config.port + 1);
const apiOrigin = (process.env.EMAIL_WIZARD_SERVER_URL ?? `http://localhost:${config.port}`).replace(/\/+$/, '');
const app = createThirdPartyDemo({ apiOrigin, basePath: config.basePath, apiKey: config.apiKeys[0]! });

serve({ fetch: app.fetch, port, hostname: process.env.HOST ?? '127.0.0.1' }, (info) => {
  process.stdout.write(`third-party demo on http://localhost:${info.port}/ (widget and API from ${apiOrigin})\n`);
});
