import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCa, type TestCa } from './certs.js';
import { startIntrospectionServer, type Introspect } from './introspection.js';
import { findFreePort, waitForPort } from './listeners.js';

export interface DovecotUser {
  username: string;
  password: string;
  /**
   * Refuse this user's logins even with the right password, with this text as the server's
   * answer (passdb `nologin reason=…`): how providers say "IMAP is disabled" or "app password required".
   */
  refuseWith?: string;
}

export interface DovecotOptions {
  /** Password users (passwd-file); default one user `alice@mail.test` / `alice-password`. */
  users?: DovecotUser[];
  /** Messages placed in every user's INBOX before start (default 2). */
  inboxMessages?: number;
  /** A CA to sign the server certificate with (default: a fresh `createTestCa()`). */
  ca?: TestCa;
  /** DNS names on the server certificate (default `imap.mail.test`, `localhost`; 127.0.0.1 is always added). */
  certNames?: string[];
  /** Decides which OAuth tokens are valid for XOAUTH2/OAUTHBEARER (default: none). */
  introspect?: Introspect;
  /** Dovecot settings appended to the generated configuration (later settings win). */
  extraConfig?: string;
}

export interface TestDovecot {
  /** Plaintext IMAP port (STARTTLS offered) on 127.0.0.1. */
  imapPort: number;
  /** Implicit-TLS IMAP port on 127.0.0.1. */
  imapsPort: number;
  /** The CA that signed the server certificate: pass `ca.cert` as the client's extra CA. */
  ca: TestCa;
  /** Names the server certificate is valid for. */
  certNames: string[];
  users: DovecotUser[];
  /** The local introspection endpoint the oauth2 passdb asks. */
  introspectionUrl: string;
  /** Replaces the token check used for XOAUTH2 and OAUTHBEARER logins. */
  setIntrospection(fn: Introspect): void;
  /** The instance's log (auth failures, config errors), for debugging a failing test. */
  log(): string;
  stop(): Promise<void>;
}

const DEFAULT_USERS: DovecotUser[] = [{ username: 'alice@mail.test', password: 'alice-password' }];
const NOBODY = { uid: 65534, gid: 65534 };

/**
 * Starts a real, unprivileged Dovecot (Debian's 2.3) on two ephemeral loopback ports with its own
 * configuration in a temp dir: passwd-file users, a certificate from a test CA, STARTTLS on the
 * plaintext port, implicit TLS on the other, and an oauth2 passdb that asks a local
 * introspection endpoint. Start it once per test file; `stop()` kills it and removes the dir.
 *
 * @example
 * const dovecot = await startDovecot();
 * const client = new ImapFlow({ host: '127.0.0.1', port: dovecot.imapsPort, secure: true,
 *   servername: 'imap.mail.test', tls: { ca: dovecot.ca.cert }, auth: { user: 'alice@mail.test', pass: 'alice-password' } });
 */
export async function startDovecot(options: DovecotOptions = {}): Promise<TestDovecot> {
  const users = options.users ?? DEFAULT_USERS;
  const ca = options.ca ?? createTestCa();
  const certNames = options.certNames ?? ['imap.mail.test', 'localhost'];
  const certificate = ca.issue(certNames);
  const introspection = await startIntrospectionServer(options.introspect);
  const dir = mkdtempSync(join(tmpdir(), 'ecw-dovecot-'));
  chmodSync(dir, 0o755);
  for (const sub of ['run', 'state', 'mail']) mkdirSync(join(dir, sub));
  chownSync(join(dir, 'mail'), NOBODY.uid, NOBODY.gid);
  writeFileSync(join(dir, 'users'), users.map((u) => `${u.username}:{PLAIN}${u.password}::::::${u.refuseWith ? `nologin reason=${noBreakSpaces(u.refuseWith)}` : ''}\n`).join(''));
  for (const user of users) seedInbox(join(dir, 'mail', user.username), options.inboxMessages ?? 2);
  writeFileSync(
    join(dir, 'oauth2.conf.ext'),
    [
      `introspection_url = ${introspection.url}`,
      'introspection_mode = post',
      'force_introspection = yes',
      'username_attribute = username',
      'active_attribute = active',
      'active_value = true',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'key.pem'), certificate.key, { mode: 0o600 });
  writeFileSync(join(dir, 'cert.pem'), certificate.cert);

  let lastError: unknown;
  // A port found free can be taken by another test process before Dovecot binds it: retry.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const imapPort = await findFreePort();
    const imapsPort = await findFreePort();
    writeFileSync(join(dir, 'dovecot.conf'), dovecotConfig(dir, imapPort, imapsPort) + (options.extraConfig ?? ''));
    const child = spawn('dovecot', ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await Promise.race([
        Promise.all([waitForPort(imapPort), waitForPort(imapsPort)]),
        exited.then((code) => {
          throw new Error(`dovecot exited (${code}): ${stderr}${readLog(dir)}`);
        }),
      ]);
    } catch (error) {
      lastError = error;
      await kill(child, exited);
      continue;
    }
    return {
      imapPort,
      imapsPort,
      ca,
      certNames,
      users,
      introspectionUrl: introspection.url,
      setIntrospection: (fn) => introspection.setIntrospection(fn),
      log: () => readLog(dir),
      async stop() {
        await kill(child, exited);
        await introspection.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  await introspection.stop();
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

function dovecotConfig(dir: string, imapPort: number, imapsPort: number): string {
  return `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = yes
ssl_cert = <${dir}/cert.pem
ssl_key = <${dir}/key.pem
ssl_dh = </usr/share/dovecot/dh.pem
auth_mechanisms = plain login xoauth2 oauthbearer
auth_failure_delay = 0
default_login_user = dovenull
default_internal_user = dovecot
mail_location = maildir:${dir}/mail/%u/Maildir
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${imapsPort}
    ssl = yes
  }
}
protocol imap {
  # Benchmarks open many sessions for one user at once; Dovecot's default is 10.
  mail_max_userip_connections = 1000
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u ${dir}/users
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${dir}/oauth2.conf.ext
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${dir}/mail/%u
}
`;
}

/** Writes `count` small messages into a fresh Maildir INBOX owned by `nobody`. */
function seedInbox(home: string, count: number): void {
  const maildir = join(home, 'Maildir');
  for (const sub of ['', '/cur', '/new', '/tmp']) mkdirSync(maildir + sub, { recursive: true });
  for (let i = 1; i <= count; i += 1) {
    const message = `From: sender${i}@example.test\r\nTo: support@mail.test\r\nSubject: Test message ${i}\r\nDate: Wed, 25 Nov 2026 10:00:0${i % 10} +0000\r\nMessage-ID: <seed-${i}@mail.test>\r\n\r\nHello ${i}.\r\n`;
    writeFileSync(join(maildir, 'new', `${1764064800 + i}.seed${i}.mail.test`), message);
  }
  for (const path of [home, maildir, `${maildir}/cur`, `${maildir}/new`, `${maildir}/tmp`]) chownSync(path, NOBODY.uid, NOBODY.gid);
  for (let i = 1; i <= count; i += 1) chownSync(join(maildir, 'new', `${1764064800 + i}.seed${i}.mail.test`), NOBODY.uid, NOBODY.gid);
}

/** passwd-file splits extra fields on spaces; no-break spaces survive and read the same to a client. */
function noBreakSpaces(text: string): string {
  return text.replace(/ /g, '\u00a0');
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'dovecot.log'), 'utf8');
  } catch {
    return '';
  }
}

async function kill(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
