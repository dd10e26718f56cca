import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';

/** Chromium flags for tests: headless, and nothing that would call home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Debian's Chromium (`CHROME_PATH` overrides `/usr/bin/chromium`); no test tool downloads a browser.
 *
 * @example
 * const browser = await launchChromium(['--test-third-party-cookie-phaseout']);
 */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    timeout: 30_000,
  });
}

/**
 * Serves `fetch` on 127.0.0.1 and a free port. `host` names the origin the browser uses (for
 * example `localhost`, to put a server on another site than a 127.0.0.1 page).
 */
export async function listenOnLoopback(
  fetch: (request: Request) => Response | Promise<Response>,
  host = '127.0.0.1',
): Promise<{ server: ServerType; origin: string }> {
  const server = serve({ fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return { server, origin: `http://${host}:${(server.address() as AddressInfo).port}` };
}
