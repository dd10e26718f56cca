import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SessionTokenError, SessionTokens } from './session-tokens.js';
import { createApiKeyCheck } from './api-keys.js';

const secret = randomBytes(32);

describe('SessionTokens', () => {
  let clock = Date.UTC(2026, 0, 1);
  const tokens = new SessionTokens(secret, () => clock);

  it('issues a token that verifies to its account, origin and expiry', () => {
    const { token, claims } = tokens.issue({ accountId: 'acme', origin: 'https://app.acme.test', ttlSeconds: 3600 });
    expect(token).toMatch(/^ecw1\.[\w-]+\.[\w-]{43}$/);
    expect(tokens.verify(token)).toEqual(claims);
    expect(claims).toMatchObject({ accountId: 'acme', origin: 'https://app.acme.test', issuedAt: clock, expiresAt: clock + 3600_000 });
    expect(claims.sessionId).toMatch(/^[\w-]{16}$/);
  });

  it('gives every session its own id', () => {
    const a = tokens.issue({ accountId: 'acme', ttlSeconds: 60 }).claims.sessionId;
    const b = tokens.issue({ accountId: 'acme', ttlSeconds: 60 }).claims.sessionId;
    expect(a).not.toBe(b);
  });

  it('refuses a token once it has expired', () => {
    const { token } = tokens.issue({ accountId: 'acme', ttlSeconds: 60 });
    clock += 59_999;
    expect(tokens.verify(token).accountId).toBe('acme');
    clock += 1;
    expect(() => tokens.verify(token)).toThrow(expect.objectContaining({ reason: 'expired' }));
  });

  it('refuses a token whose claims were changed (another account, a later expiry, no origin)', () => {
    const { token } = tokens.issue({ accountId: 'acme', origin: 'https://app.acme.test', ttlSeconds: 60 });
    const [prefix, body, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    for (const changed of [{ ...claims, acc: 'globex' }, { ...claims, exp: claims.exp + 86_400 }, { ...claims, org: undefined }]) {
      const forged = `${prefix}.${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${signature}`;
      expect(() => tokens.verify(forged)).toThrow(expect.objectContaining({ reason: 'bad_signature' }));
    }
  });

  it('refuses a token signed with another secret', () => {
    const other = new SessionTokens(randomBytes(32), () => clock).issue({ accountId: 'acme', ttlSeconds: 60 }).token;
    expect(() => tokens.verify(other)).toThrow(SessionTokenError);
  });

  it('refuses malformed tokens without throwing anything else', () => {
    for (const junk of ['', 'abc', 'ecw1..', 'ecw1.a.b.c', 'jwt.eyJ.sig', 'ecw1.%%%.sig', 'ecw1.e30.' + 'A'.repeat(43)]) {
      expect(() => tokens.verify(junk), junk).toThrow(SessionTokenError);
    }
  });
});

describe('createApiKeyCheck', () => {
  const check = createApiKeyCheck(['first-key', 'second-key']);

  it('accepts every configured key and nothing else', () => {
    expect(check('first-key')).toBe(true);
    expect(check('second-key')).toBe(true);
    for (const wrong of ['', 'first-ke', 'first-key ', 'FIRST-KEY', 'second-keyx', 'first-key\u0000']) expect(check(wrong), wrong).toBe(false);
  });

  it('compares fixed-length digests, so it takes a key of any length without throwing', () => {
    expect(check('x'.repeat(10_000))).toBe(false);
    expect(createApiKeyCheck([])('anything')).toBe(false);
  });
});
