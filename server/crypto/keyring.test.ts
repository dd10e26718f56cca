import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecryptionError, Keyring, KeyFormatError, parseEncryptionKeys } from './keyring.js';

const key = (id: string) => ({ id, key: randomBytes(32) });
const acme = { accountId: 'acme', column: 'email_settings.password_enc' };

describe('Keyring', () => {
  const current = key('k2');
  const previous = key('k1');
  const keyring = new Keyring([current, previous]);

  it('round-trips text, including non-ASCII, with a fresh IV every time', () => {
    const secret = 'pässwörd 🔑 \'; DROP TABLE email_settings; --';
    const first = keyring.encrypt(secret, acme);
    const second = keyring.encrypt(secret, acme);
    expect(first).not.toBe(second);
    expect(first).toMatch(/^v1:k2:[\w-]{16}:[\w-]+$/);
    expect(first).not.toContain(secret);
    expect(keyring.decrypt(first, acme)).toBe(secret);
    expect(keyring.keyIdOf(first)).toBe('k2');
  });

  it('encrypts with the first key and still decrypts values made with the others', () => {
    const old = new Keyring([previous]).encrypt('old secret', acme);
    expect(keyring.keyIdOf(old)).toBe('k1');
    expect(keyring.decrypt(old, acme)).toBe('old secret');
    expect(keyring.currentKeyId).toBe('k2');
  });

  it('refuses a value moved to another account', () => {
    const stored = keyring.encrypt('hunter2', acme);
    expect(() => keyring.decrypt(stored, { ...acme, accountId: 'globex' })).toThrow(DecryptionError);
    expect(() => keyring.decrypt(stored, { ...acme, accountId: 'globex' })).toThrow(/does not belong to this account or was altered/);
  });

  it('refuses a value moved to another column of the same account', () => {
    const stored = keyring.encrypt('hunter2', acme);
    expect(() => keyring.decrypt(stored, { accountId: 'acme', column: 'email_settings.smtp_password_enc' })).toThrow(DecryptionError);
  });

  it('cannot be fooled by shifting characters between account and column', () => {
    const stored = keyring.encrypt('x', { accountId: 'a', column: 'bc' });
    expect(() => keyring.decrypt(stored, { accountId: 'ab', column: 'c' })).toThrow(DecryptionError);
  });

  it('names a key id that is not configured', () => {
    const stored = new Keyring([key('gone')]).encrypt('x', acme);
    expect(() => keyring.decrypt(stored, acme)).toThrow(/encrypted with key "gone", which is not configured/);
  });

  it('detects tampering with the ciphertext, the IV or the tag', () => {
    const stored = keyring.encrypt('hunter2', acme);
    const [format, id, iv, body] = stored.split(':') as [string, string, string, string];
    const flip = (text: string, at: number) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[at] = bytes[at]! ^ 0x01;
      return bytes.toString('base64url');
    };
    for (const tampered of [
      [format, id, flip(iv, 0), body],
      [format, id, iv, flip(body, 0)],
      [format, id, iv, flip(body, Buffer.from(body, 'base64url').length - 1)],
    ]) {
      expect(() => keyring.decrypt(tampered.join(':'), acme)).toThrow(DecryptionError);
    }
  });

  it('refuses values that are not in its format', () => {
    for (const junk of ['', 'hunter2', 'v2:k2:a:b', 'v1:k2:short:AAAA', 'v1:k2:a:b:c', 'v1::x:y']) {
      expect(() => keyring.decrypt(junk, acme), junk).toThrow(DecryptionError);
    }
    expect(keyring.keyIdOf('hunter2')).toBeUndefined();
  });

  it('needs at least one key', () => {
    expect(() => new Keyring([])).toThrow(/at least one key/);
  });
});

describe('parseEncryptionKeys', () => {
  it('reads id:base64 pairs in order, ignoring blanks and spaces', () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    const keys = parseEncryptionKeys(` a:${a.toString('base64')} ,, b-2:${b.toString('base64')}`, 'KEYS');
    expect(keys.map((k) => k.id)).toEqual(['a', 'b-2']);
    expect(keys[0]!.key.equals(a)).toBe(true);
  });

  it('throws KeyFormatError for an empty list', () => {
    expect(() => parseEncryptionKeys(' , ', 'KEYS')).toThrow(KeyFormatError);
  });
});
