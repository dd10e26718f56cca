import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../crypto/keyring.js';
import { ENCRYPTED_COLUMNS } from '../store/database.js';
import type { DatabaseHandle } from '../store/connect.js';
import { openDatabase } from '../store/connect.js';
import { SettingsService } from '../settings/service.js';
import { createTestApp, TEST_API_KEY } from '../testing/app.js';
import { LOOKED_UP_ONLY_IMAP_ADDRESS, LOOKED_UP_ONLY_SMTP_ADDRESS, startDnsServer } from '../testing/dns-server.js';
import { TEST_DIALECTS, openTestDatabase, stopSharedTestPostgres } from '../testing/postgres.js';
import { rotateKeys } from './rotate-keys.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const keyText = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const keyringOf = (text: string) => new Keyring(text.split(',').map((entry) => {
  const [id, key] = entry.split(':') as [string, string];
  return { id, key: Buffer.from(key, 'base64') };
}));

const settingsInput = (password: string) => ({
  email: 'support@acme.test',
  imap: { host: 'imap.acme.test', port: 993, security: 'tls' as const, username: 'support@acme.test' },
  smtp: { host: 'smtp.acme.test', port: 465, security: 'tls' as const, username: 'support@acme.test' },
  auth: { method: 'password' as const, password, smtpPassword: `${password}-smtp` },
});

/** Puts one encrypted value in every encrypted column, all under `keyring`'s current key. */
async function seedEverySecret(database: DatabaseHandle, keyring: Keyring, accountId: string): Promise<void> {
  const settings = new SettingsService({ db: database.db, keyring, allowPrivateNetworks: false });
  await settings.put(accountId, settingsInput(`pw-${accountId}`));
  const enc = (column: string, text: string) => keyring.encrypt(text, { accountId, column });
  const now = Date.now();
  await database.db
    .insertInto('oauth_credentials')
    .values({
      id: `cred-${accountId}`, account_id: accountId, provider: 'google', email: `${accountId}@gmail.test`,
      access_token_enc: enc('oauth_credentials.access_token_enc', `access-${accountId}`),
      refresh_token_enc: enc('oauth_credentials.refresh_token_enc', `refresh-${accountId}`),
      access_expires_at: now, status_reason: null, refresh_lease_owner: null, refresh_lease_until: null,
      last_refreshed_at: null, created_at: now, updated_at: now,
    })
    .execute();
  await database.db
    .insertInto('oauth_flows')
    .values({
      id: `flow-${accountId}`, state_hash: `hash-${accountId}`, provider: 'google', account_id: accountId, session_id: 's',
      origin: null, return_url: null, login_hint: null,
      code_verifier_enc: enc('oauth_flows.code_verifier_enc', `verifier-${accountId}`),
      error_code: null, error_message: null, result_email: null, credential_id: null,
      created_at: now, expires_at: now + 600_000, consumed_at: null,
    })
    .execute();
}

/** Every stored secret of `accountId`, decrypted with `keyring`, by column. */
async function readEverySecret(database: DatabaseHandle, keyring: Keyring, accountId: string) {
  const settings = await database.db.selectFrom('email_settings').selectAll().where('account_id', '=', accountId).executeTakeFirstOrThrow();
  const credential = await database.db.selectFrom('oauth_credentials').selectAll().where('account_id', '=', accountId).executeTakeFirstOrThrow();
  const flow = await database.db.selectFrom('oauth_flows').selectAll().where('account_id', '=', accountId).executeTakeFirstOrThrow();
  const values: Record<string, string> = {
    'email_settings.password_enc': settings.password_enc!,
    'email_settings.smtp_password_enc': settings.smtp_password_enc!,
    'oauth_credentials.access_token_enc': credential.access_token_enc!,
    'oauth_credentials.refresh_token_enc': credential.refresh_token_enc!,
    'oauth_flows.code_verifier_enc': flow.code_verifier_enc,
  };
  expect(Object.keys(values).sort()).toEqual(ENCRYPTED_COLUMNS.map((c) => `${c.table}.${c.column}`).sort());
  return Object.fromEntries(
    Object.entries(values).map(([column, value]) => [column, { keyId: keyring.keyIdOf(value), text: keyring.decrypt(value, { accountId, column }) }]),
  );
}

afterAll(() => stopSharedTestPostgres());

describe.each(TEST_DIALECTS)('rotateKeys on %s', (dialect) => {
  let database: DatabaseHandle;
  const oldKey = keyText('old');
  const newKey = keyText('new');

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    await seedEverySecret(database, keyringOf(oldKey), 'acme');
    await seedEverySecret(database, keyringOf(oldKey), 'globex');
  });
  afterAll(() => database.close());

  it('moves every secret to the new key; they read the same with the old key removed', async () => {
    const result = await rotateKeys(database.db, keyringOf(`${newKey},${oldKey}`));
    expect(result).toEqual({ reencrypted: 10, alreadyCurrent: 0 });
    const newOnly = keyringOf(newKey);
    for (const account of ['acme', 'globex']) {
      const secrets = await readEverySecret(database, newOnly, account);
      expect(Object.values(secrets).every((s) => s.keyId === 'new')).toBe(true);
      expect(secrets['email_settings.password_enc']!.text).toBe(`pw-${account}`);
      expect(secrets['email_settings.smtp_password_enc']!.text).toBe(`pw-${account}-smtp`);
      expect(secrets['oauth_credentials.refresh_token_enc']!.text).toBe(`refresh-${account}`);
      expect(secrets['oauth_flows.code_verifier_enc']!.text).toBe(`verifier-${account}`);
    }
  });

  it('is harmless to run again', async () => {
    expect(await rotateKeys(database.db, keyringOf(`${newKey},${oldKey}`))).toEqual({ reencrypted: 0, alreadyCurrent: 10 });
  });

  it('changes nothing and names the row when a value cannot be read', async () => {
    const third = keyText('third');
    await database.db
      .updateTable('oauth_flows')
      .set({ code_verifier_enc: keyringOf(newKey).encrypt('moved', { accountId: 'acme', column: 'oauth_flows.code_verifier_enc' }) })
      .where('account_id', '=', 'globex')
      .execute();
    await expect(rotateKeys(database.db, keyringOf(`${third},${newKey}`))).rejects.toThrow(
      /oauth_flows.code_verifier_enc of id "flow-globex": .*Nothing was changed/,
    );
    const settings = await database.db.selectFrom('email_settings').select('password_enc').where('account_id', '=', 'acme').executeTakeFirstOrThrow();
    expect(keyringOf(newKey).keyIdOf(settings.password_enc!)).toBe('new');
  });
});

describe.each(TEST_DIALECTS)('rotateKeys in batches on %s', (dialect) => {
  let database: DatabaseHandle;
  const oldKey = keyText('old');
  const newKey = keyText('new');

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    for (const account of ['a1', 'a2', 'a3']) await seedEverySecret(database, keyringOf(oldKey), account);
  });
  afterAll(() => database.close());

  it('an interrupted run leaves every secret readable and the next run carries on where it stopped', async () => {
    const keyring = keyringOf(`${newKey},${oldKey}`);
    const stop = new AbortController();
    const seen: string[] = [];
    const interrupted = rotateKeys(database.db, keyring, {
      batchSize: 1,
      pauseMs: 0,
      signal: stop.signal,
      onProgress: (progress) => {
        seen.push(`${progress.phase} ${progress.column} ${progress.done}/${progress.total}`);
        // Stop in the middle of the rotation: two values moved.
        if (progress.phase === 'rotate' && progress.column === 'email_settings.password_enc' && progress.done === 2) stop.abort();
      },
    });
    await expect(interrupted).rejects.toThrow();
    // Every column was checked before anything was written, in batches of one row.
    expect(seen.filter((line) => line.startsWith('check'))).toHaveLength(15);
    expect(seen).toContain('check oauth_flows.code_verifier_enc 3/3');
    // Half-way: some values under the new key, the rest still under the old one, all readable with both.
    const both = keyringOf(`${newKey},${oldKey}`);
    const keyIds = (await Promise.all(['a1', 'a2', 'a3'].map((a) => readEverySecret(database, both, a)))).flatMap((secrets) =>
      Object.values(secrets).map((s) => s.keyId),
    );
    expect(keyIds.filter((id) => id === 'new')).toHaveLength(2);

    expect(await rotateKeys(database.db, keyring, { batchSize: 2, pauseMs: 0 })).toEqual({ reencrypted: 13, alreadyCurrent: 2 });
    for (const account of ['a1', 'a2', 'a3']) {
      const secrets = await readEverySecret(database, keyringOf(newKey), account);
      expect(secrets['oauth_credentials.refresh_token_enc']!.text).toBe(`refresh-${account}`);
    }
  });
});

describe('rotate-keys command', () => {
  it('rotates the database named by the environment, after which the server reads secrets with only the new key', async () => {
    const oldKey = keyText('old');
    const newKey = keyText('new');
    const app = await createTestApp({ EMAIL_WIZARD_ENCRYPTION_KEYS: oldKey });
    const token = await app.session('acme');
    const saved = await app.request('/settings', { method: 'PUT', token, json: settingsInput('correct horse') });
    expect(saved.status).toBe(200);
    await app.close();

    const env = { ...process.env, EMAIL_WIZARD_DB: app.dbFile, EMAIL_WIZARD_API_KEYS: TEST_API_KEY, EMAIL_WIZARD_SESSION_SECRET: 'y'.repeat(40) };
    const { stdout } = await run('npx', ['tsx', 'server/cli.ts', 'rotate-keys'], { cwd: ROOT, env: { ...env, EMAIL_WIZARD_ENCRYPTION_KEYS: `${newKey},${oldKey}` } });
    expect(stdout).toMatch(/Re-encrypted 2 secret\(s\) with key "new"; 0 already used it/);

    // The credentials call checks the saved names again (a dead DNS would be 503 HOST_CHECK_UNAVAILABLE):
    // they resolve to public addresses that are only looked up — nothing here connects anywhere.
    const dns = await startDnsServer({ 'imap.acme.test': { A: [LOOKED_UP_ONLY_IMAP_ADDRESS] }, 'smtp.acme.test': { A: [LOOKED_UP_ONLY_SMTP_ADDRESS] } });
    const rotated = await createTestApp({ EMAIL_WIZARD_DB: app.dbFile, EMAIL_WIZARD_ENCRYPTION_KEYS: newKey, EMAIL_WIZARD_DNS_SERVERS: dns.address });
    try {
      const credentials = await rotated.request('/accounts/acme/credentials', { method: 'POST', token: TEST_API_KEY });
      expect(credentials.status).toBe(200);
      const body = (await credentials.json()) as { imap: { auth: { pass: string } }; smtp: { auth: { pass: string } } };
      expect(body.imap.auth.pass).toBe('correct horse');
      expect(body.smtp.auth.pass).toBe('correct horse-smtp');
    } finally {
      await rotated.close();
      await dns.close();
    }
  });

  it('exits with a clear message when a key is malformed', async () => {
    const failure = await run('npx', ['tsx', 'server/cli.ts', 'rotate-keys'], {
      cwd: ROOT,
      env: { ...process.env, EMAIL_WIZARD_DB: join(mkdtempSync(join(tmpdir(), 'ecw-rotate-')), 'db.sqlite'), EMAIL_WIZARD_API_KEYS: 'k', EMAIL_WIZARD_ENCRYPTION_KEYS: 'k1:abc' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toMatch(/EMAIL_WIZARD_ENCRYPTION_KEYS, entry 1: the key "k1" is 2 bytes/);
  });
});
