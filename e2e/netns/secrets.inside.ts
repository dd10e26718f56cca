import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { CAPTURED_RESPONSES } from '../support/browser.js';
import { control, JOURNEY_PASSWORDS, type StackInfo } from '../support/stack.js';

/**
 * After the journeys (this file runs after journeys.inside.ts, on the same stack): no password
 * the person typed and no OAuth token or code is in the database file, its WAL, the server's
 * logs, or any response the wizard server sent to the browser.
 */
const stack = inject('stack') as StackInfo;

/** The local OAuth server's token shapes: access tokens, refresh tokens, authorisation codes. */
// Whole tokens only: a random base64url value (a PKCE challenge, a state) can hold "at_" + 32 characters by chance.
const TOKEN_SHAPE = /(?<![A-Za-z0-9_-])(?:at|rt|code)_[A-Za-z0-9_-]{32}(?![A-Za-z0-9_-])/g;

function leaks(haystack: string, exact: string[]): string[] {
  const found = exact.filter((secret) => secret.length > 0 && haystack.includes(secret));
  return [...found, ...(haystack.match(TOKEN_SHAPE) ?? [])];
}

describe('secrets after the journeys', () => {
  it('the journeys ran and left something to inspect', async () => {
    expect(existsSync(CAPTURED_RESPONSES)).toBe(true);
    const { tokens } = await control<{ tokens: string[] }>(stack, '/seen-tokens');
    expect(tokens.length, 'the OAuth journeys logged in with access tokens').toBeGreaterThan(0);
  });

  it('the SQLite file and its WAL hold no password and no token', async () => {
    const { tokens } = await control<{ tokens: string[] }>(stack, '/seen-tokens');
    for (const file of [stack.dbFile, `${stack.dbFile}-wal`]) {
      if (!existsSync(file)) continue;
      const bytes = readFileSync(file).toString('latin1');
      expect(leaks(bytes, [...JOURNEY_PASSWORDS, ...tokens]), file).toEqual([]);
    }
    // The files do hold the saved settings (main file or WAL, before a checkpoint): the scan looked at the right database.
    const both = [stack.dbFile, `${stack.dbFile}-wal`].filter(existsSync).map((file) => readFileSync(file).toString('latin1')).join('');
    expect(both).toContain('support@posteo.de');
  });

  it('the server logs hold no password and no token', async () => {
    const { tokens } = await control<{ tokens: string[] }>(stack, '/seen-tokens');
    const { logs } = await control<{ logs: string }>(stack, '/logs');
    expect(logs).toContain('"msg"');
    expect(leaks(logs, [...JOURNEY_PASSWORDS, ...tokens])).toEqual([]);
  });

  it('no response the wizard server sent to the browser holds a password or a token', async () => {
    const { tokens } = await control<{ tokens: string[] }>(stack, '/seen-tokens');
    const records = readFileSync(CAPTURED_RESPONSES, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { journey: string; url: string; headers: Record<string, string>; body: string });
    const fromServer = records.filter((record) => record.url.startsWith(stack.url));
    expect(fromServer.length).toBeGreaterThan(20);
    expect(fromServer.some((record) => record.url.includes('/oauth/google/callback'))).toBe(true);
    for (const record of fromServer) {
      if (record.url.endsWith('.js')) continue; // the widget bundle: code, not data
      expect(leaks(JSON.stringify(record.headers) + record.body, [...JOURNEY_PASSWORDS, ...tokens]), `${record.journey} ${record.url}`).toEqual([]);
    }
  });
});
