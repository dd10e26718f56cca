import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_API_KEY, type TestApp } from '../testing/app.js';
import { LOOKED_UP_ONLY_IMAP_ADDRESS, LOOKED_UP_ONLY_SMTP_ADDRESS, startDnsServer, type TestDnsServer } from '../testing/dns-server.js';

const PASSWORD = 'Zebra-Quartz-8841-secret';
const SMTP_PASSWORD = 'Mango-Vortex-2203-smtp';

/** Every spelling in which a secret could leak into a file: raw, UTF-16, base64, hex. */
function traces(secret: string): Buffer[] {
  const raw = Buffer.from(secret, 'utf8');
  return [raw, Buffer.from(secret, 'utf16le'), Buffer.from(raw.toString('base64')), Buffer.from(raw.toString('base64url')), Buffer.from(raw.toString('hex'))];
}

function databaseFiles(dbFile: string): Buffer[] {
  return [dbFile, `${dbFile}-wal`, `${dbFile}-shm`, `${dbFile}-journal`].filter(existsSync).map((file) => readFileSync(file));
}

describe('secrets at rest', () => {
  let app: TestApp;
  let dns: TestDnsServer;

  beforeAll(async () => {
    // The credentials call checks the saved names again (a dead DNS would be 503 HOST_CHECK_UNAVAILABLE):
    // they resolve to public addresses that are only looked up — nothing in this file connects anywhere.
    dns = await startDnsServer({ 'imap.acme.test': { A: [LOOKED_UP_ONLY_IMAP_ADDRESS] }, 'smtp.acme.test': { A: [LOOKED_UP_ONLY_SMTP_ADDRESS] } });
    app = await createTestApp({ LOG_LEVEL: 'debug', EMAIL_WIZARD_DNS_SERVERS: dns.address });
    const token = await app.session('acme');
    const response = await app.request('/settings', {
      method: 'PUT',
      token,
      json: {
        email: 'support@acme.test',
        imap: { host: 'imap.acme.test', port: 993, security: 'tls', username: 'support@acme.test' },
        smtp: { host: 'smtp.acme.test', port: 465, security: 'tls', username: 'support@acme.test' },
        auth: { method: 'password', password: PASSWORD, smtpPassword: SMTP_PASSWORD },
      },
    });
    expect(response.status).toBe(200);
    // The host reads it back once, so the decrypting path has run and logged too.
    const answer = await app.request('/accounts/acme/credentials', { method: 'POST', token: TEST_API_KEY });
    expect(answer.status).toBe(200);
    const credentials = (await answer.json()) as any;
    expect(credentials.imap.auth.pass).toBe(PASSWORD);
  });
  afterAll(async () => {
    await app?.close();
    await dns?.close();
  });

  it('the database files hold the password only encrypted, while the server runs (WAL included)', () => {
    const files = databaseFiles(app.dbFile);
    expect(files.length).toBeGreaterThanOrEqual(2); // the database and its write-ahead log
    expect(Buffer.concat(files).includes(Buffer.from('imap.acme.test'))).toBe(true); // the settings are there…
    for (const secret of [PASSWORD, SMTP_PASSWORD]) {
      for (const trace of traces(secret)) expect(Buffer.concat(files).includes(trace)).toBe(false); // …the secrets are not
    }
  });

  it('the logs hold no trace of the password', () => {
    expect(app.logLines.length).toBeGreaterThanOrEqual(3); // one line per request
    const logs = app.logLines.join('\n');
    for (const secret of [PASSWORD, SMTP_PASSWORD]) {
      for (const trace of traces(secret)) expect(logs.includes(trace.toString())).toBe(false);
    }
  });

  it('nor do the files after the database is closed and checkpointed', async () => {
    await app.close();
    const files = databaseFiles(app.dbFile);
    expect(Buffer.concat(files).includes(Buffer.from('imap.acme.test'))).toBe(true);
    for (const secret of [PASSWORD, SMTP_PASSWORD]) {
      for (const trace of traces(secret)) expect(Buffer.concat(files).includes(trace)).toBe(false);
    }
  });
});
