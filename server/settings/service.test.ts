import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../crypto/keyring.js';
import { isAppError, type AppError } from '../contract/errors.js';
import type { DatabaseHandle } from '../store/connect.js';
import { TEST_DIALECTS, openTestDatabase, stopSharedTestPostgres } from '../testing/postgres.js';
import type { SettingsInput } from '../contract/settings.js';
import { SettingsService, type AccessTokenSource } from './service.js';

const input = (overrides: Partial<SettingsInput> = {}): SettingsInput => ({
  email: 'support@acme.test',
  imap: { host: 'imap.acme.test', port: 993, security: 'tls', username: 'support@acme.test' },
  smtp: { host: 'smtp.acme.test', port: 587, security: 'starttls', username: 'support@acme.test' },
  auth: { method: 'password', password: 'pw-1' },
  ...overrides,
});

const rejectsWith = async (promise: Promise<unknown>, code: string) => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(isAppError(error)).toBe(true);
  expect((error as AppError).code).toBe(code);
};

afterAll(() => stopSharedTestPostgres());

describe.each(TEST_DIALECTS)('SettingsService on %s', (dialect) => {
  let database: DatabaseHandle;
  let service: SettingsService;
  const keyring = new Keyring([{ id: 'k', key: randomBytes(32) }]);
  const revoked: string[] = [];
  const tokens: AccessTokenSource = {
    async getAccessToken(credentialId) {
      return { accessToken: `access-for-${credentialId}`, expiresAt: Date.UTC(2030, 0, 1), email: 'box@gmail.test' };
    },
    async revoke(credentialId) {
      revoked.push(credentialId);
    },
  };

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    service = new SettingsService({ db: database.db, keyring, allowPrivateNetworks: false, tokens });
  });
  afterAll(() => database.close());

  it('saves, reads back without secrets, and decrypts only through secrets()', async () => {
    await rejectsWith(service.get('acme'), 'NOT_CONFIGURED');
    const view = await service.put('acme', input({ fromName: 'Acme', checkIntervalSeconds: 600, deleteAfterProcessing: true }));
    expect(view).toMatchObject({
      accountId: 'acme',
      auth: { method: 'password', hasPassword: true, hasSmtpPassword: false },
      fromName: 'Acme',
      checkIntervalSeconds: 600,
      deleteAfterProcessing: true,
      allowUntrustedCertificates: false,
      status: 'untested',
    });
    expect(JSON.stringify(await service.get('acme'))).not.toContain('pw-1');
    const secrets = await service.secrets('acme');
    expect(secrets.password).toBe('pw-1');
    expect(secrets.smtpPassword).toBe('pw-1');
  });

  it('defaults delete-after-processing to off and the interval to 300 s', async () => {
    const view = await service.put('defaults', input());
    expect(view.deleteAfterProcessing).toBe(false);
    expect(view.checkIntervalSeconds).toBe(300);
    expect(view.fromName).toBeNull();
  });

  it('records a test on the saved settings only when exactly the saved values were tested', async () => {
    const saved = input();
    const tested = (password: string, servers: Pick<SettingsInput, 'imap' | 'smtp'> = saved) => ({
      servers: { imap: servers.imap, smtp: servers.smtp },
      credentials: { method: 'password' as const, password, smtpPassword: password },
    });
    const at = '2026-01-01T10:00:00.000Z';
    await service.recordTest('acme', tested('pw-1'), { imap: { ok: false, code: 'AUTH_FAILED', at }, smtp: { ok: true, at } });
    expect(await service.get('acme')).toMatchObject({ status: 'failing', lastTest: { ok: false, imap: { code: 'AUTH_FAILED' } } });
    // A typed but unsaved password says nothing about the saved one.
    expect(await service.recordTest('acme', tested('typed-not-saved'), { imap: { ok: true, at }, smtp: { ok: true, at } })).toEqual({ recorded: [] });
    expect((await service.get('acme')).status).toBe('failing');
    await service.recordTest('acme', tested('pw-1'), { imap: { ok: true, at }, smtp: { ok: true, at } });
    expect((await service.get('acme')).status).toBe('connected');
    await service.put('acme', input({ auth: { method: 'password' }, fromName: 'Other name' })); // nothing that signs in changed
    expect((await service.get('acme')).status).toBe('connected');
    await service.put('acme', input({ imap: { host: 'imap2.acme.test', port: 993, security: 'tls', username: 'support@acme.test' }, auth: { method: 'password', password: 'pw-1' } }));
    expect(await service.get('acme')).toMatchObject({ status: 'untested', lastTest: { smtp: { ok: true } } });
  });

  it('hands out host credentials shaped for imapflow and nodemailer', async () => {
    await service.put('shapes', input({ imap: { host: 'imap.acme.test', port: 143, security: 'starttls', username: 'in' }, smtp: { host: 'smtp.acme.test', port: 465, security: 'tls', username: 'out' }, allowUntrustedCertificates: true }));
    expect(await service.credentials('shapes')).toEqual({
      imap: { host: 'imap.acme.test', port: 143, secure: false, doSTARTTLS: true, tls: { rejectUnauthorized: false }, auth: { user: 'in', pass: 'pw-1' } },
      smtp: { host: 'smtp.acme.test', port: 465, secure: true, tls: { rejectUnauthorized: false }, auth: { user: 'out', pass: 'pw-1' } },
    });
  });

  it('uses the OAuth connection for OAuth settings, and revokes it on remove', async () => {
    const mailbox = { imap: { host: 'imap.gmail.com', port: 993, security: 'tls' as const, username: 'box@gmail.test' }, smtp: { host: 'smtp.gmail.com', port: 465, security: 'tls' as const, username: 'box@gmail.test' } };
    await rejectsWith(service.put('oauth', input({ ...mailbox, auth: { method: 'oauth', provider: 'google' } })), 'OAUTH_NOT_CONNECTED');
    const now = Date.now();
    await database.db
      .insertInto('oauth_credentials')
      .values({ id: 'cred-1', account_id: 'oauth', provider: 'google', email: 'box@gmail.test', access_token_enc: null, refresh_token_enc: null, access_expires_at: null, status_reason: null, refresh_lease_owner: null, refresh_lease_until: null, last_refreshed_at: null, created_at: now, updated_at: now })
      .execute();
    // Google cannot open another mailbox with this account's token.
    const otherMailbox = { imap: { ...mailbox.imap, username: 'support@acme.test' }, smtp: { ...mailbox.smtp, username: 'support@acme.test' } };
    await rejectsWith(service.put('oauth', input({ ...otherMailbox, auth: { method: 'oauth', provider: 'google' } })), 'ACCOUNT_MISMATCH');
    const view = await service.put('oauth', input({ ...mailbox, auth: { method: 'oauth', provider: 'google' } }));
    expect(view.auth).toEqual({ method: 'oauth', provider: 'google', account: 'box@gmail.test', connected: true, email: 'box@gmail.test', needsReauthorization: false });
    expect(await service.credentials('oauth')).toMatchObject({
      imap: { auth: { user: 'box@gmail.test', accessToken: 'access-for-cred-1' } },
      smtp: { auth: { type: 'OAuth2', user: 'box@gmail.test', accessToken: 'access-for-cred-1' } },
      expiresAt: '2030-01-01T00:00:00.000Z',
    });
    await database.db.updateTable('oauth_credentials').set({ status: 'needs_reauth' }).where('id', '=', 'cred-1').execute();
    expect(await service.get('oauth')).toMatchObject({ status: 'needs_reauth', auth: { connected: false, needsReauthorization: true } });
    expect(await service.remove('oauth')).toEqual({ deleted: true });
    expect(revoked).toEqual(['cred-1']);
    expect(await database.db.selectFrom('oauth_credentials').select('id').where('account_id', '=', 'oauth').execute()).toEqual([]);
  });

  it('refuses plaintext connections with a password, unless private networks are allowed', async () => {
    const plain = input({ imap: { host: 'imap.acme.test', port: 143, security: 'none', username: 'u' } });
    await rejectsWith(service.put('plain', plain), 'INSECURE_CONNECTION');
    const onPremise = new SettingsService({ db: database.db, keyring, allowPrivateNetworks: true });
    expect((await onPremise.put('plain', plain)).imap.security).toBe('none');
  });

  it('survives many concurrent first saves of one account: one row, no error', async () => {
    // Open every pooled connection first, so the saves really overlap.
    await Promise.all(Array.from({ length: 10 }, () => database.db.transaction().execute((trx) => trx.selectFrom('email_settings').select('account_id').execute())));
    const saves = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => service.put('race', input({ fromName: `writer ${i}` }))));
    expect(saves.filter((s) => s.status === 'rejected')).toEqual([]);
    const rows = await database.db.selectFrom('email_settings').select('from_name').where('account_id', '=', 'race').execute();
    expect(rows).toHaveLength(1);
  });

  it('keeps stored text exactly: non-ASCII and SQL metacharacters', async () => {
    const odd = "Ünïcødé ✉️ '); DROP TABLE email_settings; --";
    await service.put('odd', input({ fromName: odd, auth: { method: 'password', password: odd } }));
    expect((await service.get('odd')).fromName).toBe(odd);
    expect((await service.secrets('odd')).password).toBe(odd);
  });
});
