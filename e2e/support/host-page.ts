import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostPageOptions {
  /** Where the wizard server runs (it serves the widget bundle). */
  wizardUrl: string;
  apiUrl: string;
  /** The host's API key: only this backend holds it, never the page. */
  apiKey: string;
  /** 0 for any free port. */
  port: number;
  /** The account the backend mints sessions for. */
  accountId?: string;
}

export interface HostPage {
  /** The page's URL; its origin is `http://127.0.0.1:<port>`. */
  url: string;
  stop(): Promise<void>;
}

/**
 * A third-party site on its own origin: one page that embeds the widget with a script tag from
 * the wizard server, and a tiny backend (`POST /session`) that mints a session bound to this
 * origin with the host API key — what a help desk integrating the widget would build.
 */
export async function startHostPage(options: HostPageOptions): Promise<HostPage> {
  const accountId = options.accountId ?? 'third-party-account';
  let origin = '';
  const server: Server = createServer((request, response) => {
    if (request.method === 'POST' && request.url === '/session') {
      void fetch(`${options.apiUrl}/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ accountId, origin }),
        signal: AbortSignal.timeout(5000),
      })
        .then(async (minted) => response.writeHead(minted.status, { 'content-type': 'application/json' }).end(await minted.text()))
        .catch(() => response.writeHead(502).end());
      return;
    }
    if (request.method === 'GET' && (request.url === '/' || request.url?.startsWith('/?'))) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(options));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function page(options: HostPageOptions): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Acme Help Desk — settings</title>
<script type="module" src="${options.wizardUrl}/widget/email-config-wizard.js"></script></head>
<body>
  <h1>Acme Help Desk</h1>
  <email-config-wizard api-base="${options.apiUrl}"></email-config-wizard>
  <script type="module">
    const wizard = document.querySelector('email-config-wizard');
    wizard.fetchSessionToken = async () => {
      const response = await fetch('/session', { method: 'POST' });
      if (!response.ok) throw new Error('The host backend could not mint a session.');
      return (await response.json()).token;
    };
  </script>
</body>
</html>`;
}
