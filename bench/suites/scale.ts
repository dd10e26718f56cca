/**
 * Scale figures (issue 17, DESIGN.md "Token refresh at scale"):
 *
 * 1. N accounts (half password, half Google OAuth; 10k, or `--accounts=100000`) seeded through the
 *    product's own storage layer; a server process on that SQLite file: the credentials endpoint's
 *    throughput and p99; `rotate-keys` while the server keeps answering (time, peak RSS, the
 *    server's p99 meanwhile); `copy-to-postgres` of the whole file (time, peak RSS).
 * 2. The expiry cliff: every used OAuth token expired at once (an outage), two server instances on
 *    PostgreSQL, the local OAuth stand-in answering 429 above the configured rate, hosts polling
 *    meanwhile: time to renew all, token requests per renewal, share of 429s, share of host calls
 *    answered 503 and the p99 of the rest. `--cliff=N` (default 600) OAuth accounts, rate 10/s.
 * 3. The periodic queries at 1M rows on both databases: their time and their EXPLAIN (index or scan).
 * 4. Audit bytes per account-day with a host polling every 5 minutes (288 credential reads a day).
 *
 * Run it alone: `npm run bench -- scale` (add `--accounts=100000` for the big run).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { BenchRow } from '../index.js';
import { createApp, type EmailWizardApp } from '../../server/create-app.js';
import { createMemoryLogger } from '../../server/log/index.js';
import { AuditLog } from '../../server/store/audit.js';
import { openDatabase, type DatabaseHandle } from '../../server/store/connect.js';
import type { Database } from '../../server/store/database.js';
import { startDnsServer, type TestDnsServer } from '../../server/testing/dns-server.js';
import { startOAuthTestServer, type OAuthTestServer } from '../../server/testing/oauth-server.js';
import { seedOAuthAccounts } from '../../server/testing/oauth-accounts.js';
import { startTestPostgres, type TestPostgres } from '../../server/testing/postgres.js';
import { startServerProcess, type ServerProcess } from '../../server/testing/server-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const API_KEY = 'bench-scale-host-key';
const RATE = 10;
const argument = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
const ACCOUNTS = Number(argument('accounts') ?? process.env.BENCH_SCALE_ACCOUNTS ?? 10_000);
const CLIFF = Number(argument('cliff') ?? process.env.BENCH_SCALE_CLIFF ?? 600);
const MILLION = Number(argument('rows') ?? 1_000_000);
/** `--parts=accounts,cliff,queries,audit` runs only those (the 100k run: `--accounts=100000 --parts=accounts`). */
const PARTS = new Set((argument('parts') ?? 'accounts,cliff,queries,audit').split(','));
const OLD_KEY = `old:${randomBytes(32).toString('base64')}`;
const NEW_KEY = `new:${randomBytes(32).toString('base64')}`;
const MAIL_HOSTS = ['imap.gmail.com', 'smtp.gmail.com', 'imap.bench.test', 'smtp.bench.test'];

const log = (text: string) => process.stderr.write(`bench scale: ${text}\n`);
const fmt = (n: number, digits = 0) => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const p99 = (values: number[]) => (values.length === 0 ? NaN : [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.99))]!);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export default async function scaleBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dns = await startDnsServer(Object.fromEntries(MAIL_HOSTS.map((name) => [name, { A: ['127.0.0.1'] }])));
  const oauth = await startOAuthTestServer();
  const postgres = await startTestPostgres();
  try {
    if (PARTS.has('accounts')) rows.push(...(await accountsAtN(dns, oauth, postgres)));
    if (PARTS.has('cliff')) rows.push(...(await expiryCliff(dns, postgres)));
    if (PARTS.has('queries')) rows.push(...(await periodicQueries(postgres)));
    if (PARTS.has('audit')) rows.push(...(await auditVolume(postgres)));
  } finally {
    await oauth.close();
    await dns.close();
    await postgres.stop();
  }
  return rows;
}

/** The environment every server of this suite gets. */
function serverEnv(dns: TestDnsServer, oauth: OAuthTestServer, extra: Record<string, string>): Record<string, string> {
  return {
    ...oauth.env(),
    EMAIL_WIZARD_API_KEYS: API_KEY,
    EMAIL_WIZARD_SESSION_SECRET: 'bench-scale-session-secret-0123456789abcdef',
    EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS: 'true',
    EMAIL_WIZARD_PUBLIC_URL: 'http://localhost',
    EMAIL_WIZARD_DNS_SERVERS: dns.address,
    EMAIL_WIZARD_OAUTH_TOKEN_RATE: String(RATE),
    LOG_LEVEL: 'error',
    ...extra,
  };
}

async function inProcessApp(env: Record<string, string>): Promise<EmailWizardApp> {
  return createApp({ env, logger: createMemoryLogger('error') });
}

/** Half password accounts (settings through SettingsService), half Google OAuth (seedOAuthAccounts). */
async function seedAccounts(app: EmailWizardApp, oauth: OAuthTestServer, count: number, prefix: string): Promise<void> {
  const started = performance.now();
  const oauthCount = Math.floor(count / 2);
  for (let done = 0; done < oauthCount; done += 1000) {
    await seedOAuthAccounts(app.services, oauth, { count: Math.min(1000, oauthCount - done), provider: 'google', prefix: `${prefix}-oauth`, start: done });
    log(`seeded ${fmt(done + Math.min(1000, oauthCount - done))} OAuth accounts`);
  }
  for (let i = 0; i < count - oauthCount; i += 1) {
    const email = `box${i}@bench.test`;
    await app.services.settings.put(`${prefix}-password-${i}`, {
      email,
      imap: { host: 'imap.bench.test', port: 993, security: 'tls', username: email },
      smtp: { host: 'smtp.bench.test', port: 465, security: 'tls', username: email },
      auth: { method: 'password', password: `pw-${i}-${randomBytes(6).toString('hex')}` },
    });
    if ((i + 1) % 5000 === 0) log(`seeded ${fmt(i + 1)} password accounts`);
  }
  log(`seeded ${fmt(count)} accounts in ${fmt((performance.now() - started) / 1000, 1)} s`);
}

/**
 * The same rows as `seedAccounts`, written in bulk: 1,000 accounts per transaction, secrets
 * encrypted by the product's Keyring with the same account and column binding, rows shaped by the
 * Kysely table types. For the 100k run: the per-account service path (SettingsService.put through
 * the account-change transaction, CredentialStore.upsert) takes about 11 ms an account on this
 * shared machine, 20 minutes for 100k; this takes about 15 s.
 */
async function bulkSeedAccounts(app: EmailWizardApp, oauth: OAuthTestServer, count: number, prefix: string): Promise<void> {
  const started = performance.now();
  const { keyring, database } = app.services;
  const oauthCount = Math.floor(count / 2);
  const now = Date.now();
  const settingsRow = (accountId: string, email: string, hosts: { imap: string; smtp: string }, auth: Partial<Record<string, unknown>>) => ({
    account_id: accountId, email,
    imap_host: hosts.imap, imap_port: 993, imap_security: 'tls' as const, imap_username: email,
    smtp_host: hosts.smtp, smtp_port: 465, smtp_security: 'tls' as const, smtp_username: email,
    auth_method: 'password' as 'password' | 'oauth', oauth_provider: null as 'google' | null, oauth_account: null as string | null,
    password_enc: null as string | null, smtp_password_enc: null as string | null, from_name: null,
    last_test_json: null, last_test_at: null, last_test_ok: null, created_at: now, updated_at: now,
    ...auth,
  });
  for (let from = 0; from < count; from += 1000) {
    await database.db.transaction().execute(async (trx) => {
      const settings = [];
      const credentials = [];
      for (let i = from; i < Math.min(count, from + 1000); i += 1) {
        if (i < oauthCount) {
          const accountId = `${prefix}-oauth-${i}`;
          const email = `${accountId}@example.com`;
          const tokens = oauth.issueGrant('google', email);
          credentials.push({
            id: `cred-${accountId}`, account_id: accountId, provider: 'google' as const, email, scopes: 'openid email https://mail.google.com/',
            access_token_enc: keyring.encrypt(tokens.accessToken, { accountId, column: 'oauth_credentials.access_token_enc' }),
            refresh_token_enc: keyring.encrypt(tokens.refreshToken, { accountId, column: 'oauth_credentials.refresh_token_enc' }),
            access_expires_at: tokens.expiresAt, status_reason: null, refresh_lease_owner: null, refresh_lease_until: null,
            last_refreshed_at: now, created_at: now, updated_at: now,
          });
          settings.push(settingsRow(accountId, email, { imap: 'imap.gmail.com', smtp: 'smtp.gmail.com' }, { auth_method: 'oauth', oauth_provider: 'google', oauth_account: email }));
        } else {
          const n = i - oauthCount;
          const accountId = `${prefix}-password-${n}`;
          const email = `box${n}@bench.test`;
          settings.push(settingsRow(accountId, email, { imap: 'imap.bench.test', smtp: 'smtp.bench.test' }, {
            password_enc: keyring.encrypt(`pw-${n}-${randomBytes(6).toString('hex')}`, { accountId, column: 'email_settings.password_enc' }),
            smtp_password_enc: keyring.encrypt(`smtp-${n}`, { accountId, column: 'email_settings.smtp_password_enc' }),
          }));
        }
      }
      // 100 rows per statement: under SQLite's bound-parameter limit for these widths.
      for (let at = 0; at < settings.length; at += 100) await trx.insertInto('email_settings').values(settings.slice(at, at + 100) as never).execute();
      for (let at = 0; at < credentials.length; at += 100) await trx.insertInto('oauth_credentials').values(credentials.slice(at, at + 100)).execute();
    });
    if ((from + 1000) % 10_000 === 0) log(`bulk-seeded ${fmt(from + 1000)} accounts`);
  }
  log(`bulk-seeded ${fmt(count)} accounts in ${fmt((performance.now() - started) / 1000, 1)} s`);
}

interface LoadRecord {
  status: number;
  ms: number;
}

/** Calls `pick()`'s URL from `concurrency` loops until `stop` says so; records status and latency. */
async function hammer(pick: () => string, options: { concurrency: number; until: () => boolean; pauseMs?: number }): Promise<LoadRecord[]> {
  const records: LoadRecord[] = [];
  const loop = async () => {
    while (!options.until()) {
      const started = performance.now();
      let status = 0;
      try {
        const response = await fetch(pick(), { method: 'POST', headers: { Authorization: `Bearer ${API_KEY}` }, signal: AbortSignal.timeout(30_000) });
        await response.arrayBuffer();
        status = response.status;
      } catch {
        status = 0;
      }
      records.push({ status, ms: performance.now() - started });
      if (options.pauseMs) await sleep(options.pauseMs);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  return records;
}

/** Runs a CLI command as its own process; returns wall time, peak RSS (sampled from /proc) and output. */
async function runCli(args: string[], env: Record<string, string>): Promise<{ seconds: number; peakMb: number; code: number | null; stdout: string; stderr: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let peakKb = 0;
  const sampler = setInterval(() => {
    try {
      const rss = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      if (rss) peakKb = Math.max(peakKb, Number(rss));
    } catch {
      // exited
    }
  }, 50);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(sampler);
  return { seconds: (performance.now() - started) / 1000, peakMb: peakKb / 1024, code, stdout, stderr };
}

async function accountsAtN(dns: TestDnsServer, oauth: OAuthTestServer, postgres: TestPostgres): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'ecw-bench-scale-'));
  const dbFile = join(dir, 'scale.sqlite');
  const env = serverEnv(dns, oauth, { EMAIL_WIZARD_DB: dbFile, EMAIL_WIZARD_ENCRYPTION_KEYS: OLD_KEY });
  const seeder = await inProcessApp(env);
  if (ACCOUNTS > 20_000) await bulkSeedAccounts(seeder, oauth, ACCOUNTS, 'n');
  else await seedAccounts(seeder, oauth, ACCOUNTS, 'n');
  await seeder.close();
  const half = Math.floor(ACCOUNTS / 2);
  const randomAccount = () => (Math.random() < 0.5 ? `n-oauth-${Math.floor(Math.random() * half)}` : `n-password-${Math.floor(Math.random() * (ACCOUNTS - half))}`);

  // The servers run with the new key first (as the rotation procedure says), the data under the old one.
  const server = await startServerProcess({ env: { ...env, EMAIL_WIZARD_ENCRYPTION_KEYS: `${NEW_KEY},${OLD_KEY}` } });
  try {
    const url = () => `${server.apiUrl}/accounts/${randomAccount()}/credentials`;
    await hammer(url, { concurrency: 8, until: ((end) => () => performance.now() > end)(performance.now() + 2000) }); // warm-up
    const started = performance.now();
    const load = await hammer(url, { concurrency: 16, until: ((end) => () => performance.now() > end)(started + 10_000) });
    const seconds = (performance.now() - started) / 1000;
    const ok = load.filter((r) => r.status === 200);
    rows.push({
      name: `scale: credentials endpoint at ${fmt(ACCOUNTS)} accounts (SQLite)`,
      value: `${fmt(ok.length / seconds)} req/s, p99 ${fmt(p99(ok.map((r) => r.ms)))} ms`,
      note: `16 concurrent hosts, random accounts (half OAuth), ${load.length - ok.length} failures`,
    });
    log(`${rows.at(-1)!.value} (${rows.at(-1)!.note})`);

    // rotate-keys while the server keeps answering.
    let rotating = true;
    const during = hammer(url, { concurrency: 4, until: () => !rotating, pauseMs: 20 });
    const rotation = await runCli(['rotate-keys'], { ...env, EMAIL_WIZARD_ENCRYPTION_KEYS: `${NEW_KEY},${OLD_KEY}` });
    rotating = false;
    const served = await during;
    if (rotation.code !== 0) throw new Error(`rotate-keys failed: ${rotation.stderr}`);
    const moved = /Re-encrypted (\d+)/.exec(rotation.stdout)?.[1] ?? '?';
    rows.push({
      name: `scale: rotate-keys at ${fmt(ACCOUNTS)} accounts (SQLite, live server)`,
      value: `${fmt(rotation.seconds, 1)} s, peak ${fmt(rotation.peakMb)} MB`,
      note: `${fmt(Number(moved))} secrets; server meanwhile: ${served.length} calls, p99 ${fmt(p99(served.map((r) => r.ms)))} ms, ${served.filter((r) => r.status !== 200).length} failures`,
    });
    log(`${rows.at(-1)!.value} (${rows.at(-1)!.note})`);
  } finally {
    await server.stop();
  }

  const target = await postgres.createDatabase();
  const copy = await runCli(['copy-to-postgres', '--from', dbFile, '--to', target], {});
  if (copy.code !== 0) throw new Error(`copy-to-postgres failed: ${copy.stderr}`);
  rows.push({
    name: `scale: copy-to-postgres at ${fmt(ACCOUNTS)} accounts`,
    value: `${fmt(copy.seconds, 1)} s, peak ${fmt(copy.peakMb)} MB`,
    note: /audit_log \d+/.exec(copy.stdout)?.[0] ?? '',
  });
  log(rows.at(-1)!.value);
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

async function expiryCliff(dns: TestDnsServer, postgres: TestPostgres): Promise<BenchRow[]> {
  const oauth = await startOAuthTestServer();
  const databaseUrl = await postgres.createDatabase();
  const env = serverEnv(dns, oauth, { DATABASE_URL: databaseUrl, EMAIL_WIZARD_ENCRYPTION_KEYS: OLD_KEY, EMAIL_WIZARD_DB: join(mkdtempSync(join(tmpdir(), 'ecw-cliff-')), 'unused.sqlite') });
  const seeder = await inProcessApp(env);
  const accounts = await seedOAuthAccounts(seeder.services, oauth, { count: CLIFF, provider: 'google', prefix: 'cliff' });
  const db = seeder.services.database.db;
  // Hosts have been fetching every one of them; then an outage: every token expired, every plan due.
  const now = Date.now();
  await db.updateTable('oauth_credentials').set({ access_expires_at: now - 1000 }).execute();
  await db
    .insertInto('oauth_refresh_schedule')
    .values(accounts.map((a) => ({ credential_id: a.credentialId, due_at: now - 1000, last_used_at: now })))
    .onConflict((oc) => oc.column('credential_id').doUpdateSet({ due_at: now - 1000, last_used_at: now }))
    .execute();
  await seeder.close();

  oauth.rateLimit({ perSecond: RATE });
  const before = oauth.tokenRequests.length;
  const servers: ServerProcess[] = [];
  const check = await openDatabase({ databaseUrl });
  try {
    // Timed from the first spawn: start-up (about 1–2 s here) and the first round's 2–3 s delay included.
    const started = performance.now();
    servers.push(await startServerProcess({ env }), await startServerProcess({ env }));
    let renewed = 0;
    // Hosts poll every account every 2 minutes, spread over both instances.
    const pollsPerSecond = CLIFF / 120;
    let done = false;
    const hosts = hammer(
      () => `${servers[Math.floor(Math.random() * 2)]!.apiUrl}/accounts/cliff-${Math.floor(Math.random() * CLIFF)}/credentials`,
      { concurrency: Math.max(1, Math.ceil(pollsPerSecond)), until: () => done, pauseMs: 1000 },
    );
    const limitMs = (5 * CLIFF) / RATE * 1000 + 60_000;
    while (renewed < CLIFF && performance.now() - started < limitMs) {
      await sleep(1000);
      renewed = Number(
        (await check.db.selectFrom('oauth_credentials').select((eb) => eb.fn.countAll().as('n')).where('access_expires_at', '>', Date.now() + 30 * 60_000).executeTakeFirstOrThrow()).n,
      );
    }
    const seconds = (performance.now() - started) / 1000;
    done = true;
    const calls = await hosts;
    const sent = oauth.tokenRequests.slice(before).filter((r) => r.grantType === 'refresh_token');
    const throttled = sent.filter((r) => r.status === 429).length;
    const unavailable = calls.filter((r) => r.status === 503).length;
    const answered = calls.filter((r) => r.status === 200);
    // From the first token request to the last: the renewal itself, without start-up.
    const span = sent.length > 1 ? (sent.at(-1)!.at - sent[0]!.at) / 1000 : 0;
    log(`cliff: ${fmt(span, 1)} s span, ${fmt(seconds, 1)} s from spawn, ${renewed} renewed, ${sent.length} token requests, ${throttled} 429, host calls ${calls.length}: ${unavailable} 503, p99 ${fmt(p99(answered.map((r) => r.ms)))} ms`);
    return [
      {
        name: `scale: expiry cliff, ${fmt(CLIFF)} OAuth accounts, 2 instances (PostgreSQL), provider ${RATE}/s`,
        value: `${fmt(span, 1)} s (${fmt(seconds, 1)} s from spawn) to renew ${fmt(renewed)}`,
        note: `ideal N/rate = ${fmt(CLIFF / RATE)} s; first to last token request (and from the first instance's spawn, start-up and the 2–3 s first-round delay included)`,
      },
      { name: 'scale: cliff token requests per renewal', value: fmt(sent.length / Math.max(1, renewed), 3), note: 'goal ≤ 1.02' },
      { name: 'scale: cliff share of 429s', value: `${fmt((throttled / Math.max(1, sent.length)) * 100, 2)} %`, note: `goal < 2 % (${throttled} of ${sent.length})` },
      {
        name: 'scale: cliff host calls answered 503 / p99 of the rest',
        value: `${fmt((unavailable / Math.max(1, calls.length)) * 100, 1)} % / ${fmt(p99(answered.map((r) => r.ms)))} ms`,
        note: `${calls.length} host calls (each account every 2 min), ${calls.length - unavailable - answered.length} other failures`,
      },
    ];
  } finally {
    oauth.rateLimit(undefined);
    await Promise.all(servers.map((s) => s.stop()));
    await check.close();
    await oauth.close();
  }
}

/** The periodic queries, as their modules run them, with `now` where a handful of rows are due. */
const PERIODIC: Array<{ name: string; index: string; query: (now: number) => string }> = [
  {
    name: 'refresher: due rows (claim)',
    index: 'oauth_refresh_schedule_due',
    query: (now) => `SELECT credential_id FROM oauth_refresh_schedule WHERE due_at <= ${now} ORDER BY due_at LIMIT 8`,
  },
  {
    name: 'refresher: newly connected credentials',
    index: 'oauth_credentials_updated',
    query: (now) => `SELECT c.id FROM oauth_credentials c LEFT JOIN oauth_refresh_schedule s ON s.credential_id = c.id
      WHERE (s.credential_id IS NULL OR (s.due_at IS NULL AND c.provider = 'microsoft')) AND c.status = 'active'
      AND c.updated_at >= ${now - 360_000} LIMIT 1000`,
  },
  {
    name: 'audit retention: old entries',
    index: 'audit_log_at',
    query: (now) => `SELECT id FROM audit_log WHERE at < ${now - 365 * 86_400_000} ORDER BY at LIMIT 5000`,
  },
  {
    name: 'audit retention: old daily counts',
    index: 'audit_daily_counts_day',
    query: (now) => `SELECT day FROM audit_daily_counts WHERE day < ${now - 90 * 86_400_000} ORDER BY day LIMIT 1`,
  },
];

/** Fills the tables with `MILLION` rows each in bulk SQL (the contents do not matter here, only their number and spread). */
async function fillMillion(database: DatabaseHandle, now: number): Promise<void> {
  const dialect = database.dialect;
  // In chunks of 100k rows: each statement stays well inside the pool's 30 s statement timeout.
  for (let from = 1; from <= MILLION; from += 100_000) {
    const to = Math.min(MILLION, from + 99_999);
    const series = dialect === 'postgres' ? `generate_series(${from}, ${to}) AS g(i)` : `(WITH RECURSIVE s(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM s WHERE i < ${to}) SELECT i FROM s) AS g`;
    await fillChunk(database, now, series);
  }
  await sql.raw('ANALYZE').execute(database.db);
}

async function fillChunk(database: DatabaseHandle, now: number, series: string): Promise<void> {
  const dialect = database.dialect;
  const text = dialect === 'postgres' ? (expr: string) => `(${expr})::text` : (expr: string) => `CAST(${expr} AS TEXT)`;
  const mod = (a: string, b: number) => (dialect === 'postgres' ? `mod(${a}, ${b})` : `(${a} % ${b})`);
  const i = dialect === 'postgres' ? 'i::bigint' : 'i'; // products past 2^31
  const statements = [
    // Plans spread over the next hour; 0.1 % of them due now.
    `INSERT INTO oauth_refresh_schedule (credential_id, due_at, last_used_at) SELECT 'c' || ${text('i')}, ${now} - 1000 + ${mod(`${i} * 7919`, 3_600_000)}, ${now} FROM ${series}`,
    `INSERT INTO oauth_credentials (id, account_id, provider, email, status, access_expires_at, last_refreshed_at, created_at, updated_at)
      SELECT 'c' || ${text('i')}, 'a' || ${text('i')}, 'google', 'm' || ${text('i')} || '@x.test', 'active', ${now} + 3600000, ${now}, ${now - 86_400_000}, ${now} - 86400000 - ${i} FROM ${series}`,
    // A year and a month of audit entries, and of daily counts.
    `INSERT INTO audit_log (id, at, actor, account_id, action, result) SELECT 'e' || ${text('i')}, ${now} - ${mod(`${i} * 7919`, 400 * 86_400)} * 1000, 'host', 'a' || ${text(mod('i', 10_000))}, 'settings.save', 'ok' FROM ${series}`,
    `INSERT INTO audit_daily_counts (account_id, day, action, actor, count) SELECT 'a' || ${text(mod('i', 10_000))}, ${now} - (${i} / 10000) * 86400000, 'credentials.read', 'host', 288 FROM ${series}`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(database.db);
}

async function periodicQueries(postgres: TestPostgres): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'ecw-bench-1m-'));
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const database = await openDatabase(dialect === 'sqlite' ? { sqliteFile: join(dir, 'million.sqlite') } : { databaseUrl: await postgres.createDatabase() });
    try {
      const now = Date.now();
      const filled = performance.now();
      await fillMillion(database, now);
      log(`${dialect}: ${fmt(MILLION)} rows per table in ${fmt((performance.now() - filled) / 1000, 1)} s`);
      for (const periodic of PERIODIC) {
        const query = periodic.query(now);
        const times: number[] = [];
        for (let i = 0; i < 7; i += 1) {
          const started = performance.now();
          await sql.raw(query).execute(database.db);
          times.push(performance.now() - started);
        }
        times.sort((a, b) => a - b);
        const plan = JSON.stringify((await sql.raw(`${dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN'} ${query}`).execute(database.db)).rows);
        const usesIndex = plan.includes(periodic.index);
        const scans = dialect === 'sqlite' ? /"SCAN (?!.*USING)/.test(plan) && !usesIndex : /Seq Scan/.test(plan) && !usesIndex;
        rows.push({
          name: `scale: ${periodic.name} at ${fmt(MILLION / 1e6)}M rows (${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`,
          value: `${fmt(times[3]!, 2)} ms`,
          note: usesIndex ? `EXPLAIN: index ${periodic.index}` : `EXPLAIN: ${scans ? 'SCAN — no index!' : plan.slice(0, 120)}`,
        });
        log(`${rows.at(-1)!.name}: ${rows.at(-1)!.value} (${rows.at(-1)!.note})`);
      }
    } finally {
      await database.close();
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

/** Bytes the audit tables take per account and day for a host polling every 5 minutes. */
async function auditVolume(postgres: TestPostgres): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const accounts = 1000;
  const dir = mkdtempSync(join(tmpdir(), 'ecw-bench-audit-'));
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const database = await openDatabase(dialect === 'sqlite' ? { sqliteFile: join(dir, 'audit.sqlite') } : { databaseUrl: await postgres.createDatabase() });
    // A host polling every 5 minutes reads 288 times a day; PostgreSQL gets 24 (hourly) to keep the run short —
    // the row count, and so the bytes, do not depend on it: one row per account-day.
    const readsPerDay = dialect === 'sqlite' ? 288 : 24;
    try {
      const size = () => tableBytes(database.db, dialect, ['audit_log', 'audit_daily_counts']);
      const before = await size();
      const day = Date.UTC(2026, 10, 30);
      const audit = new AuditLog(database.db, undefined, () => day + 3_600_000);
      for (let read = 0; read < readsPerDay; read += 1) {
        await Promise.all(Array.from({ length: accounts }, (_, a) => audit.record({ actor: 'host', accountId: `account-${a}`, action: 'credentials.read', result: 'ok', requestId: `r-${read}-${a}` })));
      }
      // What stays once (auto)vacuum has reclaimed the upserts' old row versions.
      if (dialect === 'postgres') await sql.raw('VACUUM FULL audit_daily_counts').execute(database.db);
      const bytes = ((await size()) - before) / accounts;
      rows.push({
        name: `scale: audit bytes per account-day (${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`,
        value: `${fmt(bytes)} B`,
        note: `${readsPerDay} credential reads a day by ${accounts} accounts, counted in one row each; was ≈ ${dialect === 'sqlite' ? '55' : '78'} KB (one row per read)`,
      });
      log(`${rows.at(-1)!.name}: ${rows.at(-1)!.value}`);
    } finally {
      await database.close();
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

async function tableBytes(db: Kysely<Database>, dialect: 'sqlite' | 'postgres', tables: string[]): Promise<number> {
  if (dialect === 'postgres') {
    // Main fork of each table and its indexes (the free-space and visibility maps are fixed overhead).
    const { rows } = await sql<{ bytes: string }>`SELECT SUM(pg_relation_size(t::regclass) + pg_indexes_size(t::regclass))::text AS bytes
      FROM unnest(${tables}::text[]) AS t`.execute(db);
    return Number(rows[0]!.bytes);
  }
  // Tables and their indexes, page by page (dbstat), counting only the bytes in use.
  const { rows } = await sql<{ bytes: number }>`SELECT SUM(pgsize - unused) AS bytes FROM dbstat WHERE name IN (
    SELECT name FROM sqlite_master WHERE tbl_name IN (${sql.join(tables)}))`.execute(db);
  return Number(rows[0]!.bytes ?? 0);
}
