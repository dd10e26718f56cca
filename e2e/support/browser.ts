import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Screenshots and captured responses of the journeys (gitignored). */
export const JOURNEY_ARTIFACTS = join(ROOT, 'test-artifacts/journeys');
/** Every response any journey's browser received, one JSON object per line: read by the secrets suite. */
export const CAPTURED_RESPONSES = join(JOURNEY_ARTIFACTS, 'responses.jsonl');

export { launchChromium } from '../../server/testing/browser.js';

export interface JourneyContext {
  context: BrowserContext;
  page: Page;
  /** Saves `test-artifacts/journeys/<journey>-<nn>-<step>.png`. */
  screenshot(step: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A fresh browser context (own storage, popups allowed) whose every response — headers and body,
 * popups included — is appended to `CAPTURED_RESPONSES` for the secrets suite.
 */
export async function openJourney(browser: Browser, journey: string): Promise<JourneyContext> {
  mkdirSync(JOURNEY_ARTIFACTS, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const pending = new Set<Promise<void>>();
  context.on('response', (response) => {
    const task = (async () => {
      let body = '';
      try {
        body = (await response.body()).toString('utf8');
      } catch {
        // Redirects and aborted streams have no body to read.
      }
      const record = { journey, url: response.url(), status: response.status(), headers: await response.allHeaders().catch(() => ({})), body };
      appendFileSync(CAPTURED_RESPONSES, JSON.stringify(record) + '\n');
    })();
    pending.add(task);
    void task.finally(() => pending.delete(task));
  });
  const page = await context.newPage();
  let shot = 0;
  return {
    context,
    page,
    async screenshot(step) {
      shot += 1;
      await page.screenshot({ path: join(JOURNEY_ARTIFACTS, `${journey}-${String(shot).padStart(2, '0')}-${step}.png`), fullPage: true });
    },
    async close() {
      await Promise.allSettled([...pending]);
      await context.close();
    },
  };
}
