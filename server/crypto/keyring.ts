import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** One AES-256 key with the id stored beside every value it encrypts. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** Names the row and column a secret belongs to; bound into the ciphertext as AAD. */
export interface SecretContext {
  accountId: string;
  /** For example `email_settings.password_enc`. */
  column: string;
}

export class DecryptionError extends Error {
  override name = 'DecryptionError';
}

/** A key list that cannot be used; configuration turns it into a start-up error. */
export class KeyFormatError extends Error {
  override name = 'KeyFormatError';
}

const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Parses `id:base64key[,id:base64key…]`. Every key must decode to exactly 32 bytes and ids must
 * be unique; otherwise start-up stops with a message naming the setting.
 */
export function parseEncryptionKeys(text: string, settingName: string): EncryptionKey[] {
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 0) throw new KeyFormatError(`${settingName} is empty: give at least one id:base64key.`);
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const encoded = colon > 0 ? entry.slice(colon + 1) : '';
    const where = `${settingName}, entry ${index + 1}`;
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      throw new KeyFormatError(`${where}: expected "id:base64key" where id is letters, digits, "_" or "-".`);
    }
    if (seen.has(id)) throw new KeyFormatError(`${where}: the key id "${id}" is used twice.`);
    seen.add(id);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new KeyFormatError(`${where}: the key is not valid base64.`);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32) {
      throw new KeyFormatError(
        `${where}: the key "${id}" is ${key.length} bytes; AES-256 needs exactly 32 (generate one with: openssl rand -base64 32).`,
      );
    }
    return { id, key };
  });
}

function additionalData(context: SecretContext): Buffer {
  return Buffer.from(`${context.column}\u0000${context.accountId}`, 'utf8');
}

/**
 * Encrypts and decrypts secrets at rest with AES-256-GCM. The first key encrypts; every key
 * decrypts, so keys can be rotated without downtime. A value is bound to its account and column:
 * copied elsewhere, it no longer decrypts.
 *
 * @example
 * const keyring = new Keyring(parseEncryptionKeys(process.env.EMAIL_WIZARD_ENCRYPTION_KEYS!, 'EMAIL_WIZARD_ENCRYPTION_KEYS'));
 * const stored = keyring.encrypt('hunter2', { accountId: 'acme', column: 'email_settings.password_enc' });
 */
export class Keyring {
  private readonly byId: Map<string, Buffer>;

  constructor(readonly keys: EncryptionKey[]) {
    if (keys.length === 0) throw new Error('A keyring needs at least one key.');
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  get currentKeyId(): string {
    return this.keys[0]!.id;
  }

  encrypt(plaintext: string, context: SecretContext): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(additionalData(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [FORMAT, id, iv.toString('base64url'), body.toString('base64url')].join(':');
  }

  decrypt(stored: string, context: SecretContext): string {
    const [format, keyId, ivText, bodyText, extra] = stored.split(':');
    if (format !== FORMAT || !keyId || !ivText || !bodyText || extra !== undefined) {
      throw new DecryptionError(`The stored value in ${context.column} is not in the expected format.`);
    }
    const key = this.byId.get(keyId);
    if (!key) {
      throw new DecryptionError(`The value in ${context.column} was encrypted with key "${keyId}", which is not configured.`);
    }
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) {
      throw new DecryptionError(`The stored value in ${context.column} is truncated.`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(additionalData(context));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new DecryptionError(`The value in ${context.column} does not belong to this account or was altered.`);
    }
  }

  /**
   * A keyed digest (HMAC-SHA256 with the current key) that tells whether two secret-bearing
   * values are the same without storing either. Changes when the current key changes.
   */
  fingerprint(value: string): string {
    return createHmac('sha256', this.keys[0]!.key).update('fingerprint\u0000').update(value).digest('base64url');
  }

  /** The key id a stored value was encrypted with, or undefined when it is not ours. */
  keyIdOf(stored: string): string | undefined {
    const [format, keyId] = stored.split(':');
    return format === FORMAT ? keyId : undefined;
  }
}
