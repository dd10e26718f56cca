import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { openDatabase, type DatabaseHandle, type Dialect } from '../store/connect.js';

const run = promisify(execFile);

/** Where Debian's PostgreSQL 15 puts its server binaries; `PG_BIN` overrides it. */
export const POSTGRES_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Why PostgreSQL cannot run on this machine (the suites that need it then fail with this), or undefined. */
const postgresMissing: string | undefined = existsSync(join(POSTGRES_BIN, 'initdb'))
  ? undefined
  : `PostgreSQL is missing: no initdb in ${POSTGRES_BIN}. npm test installs Debian's "postgresql" package when run as root; otherwise: sudo apt-get install -y postgresql`;

export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` — the cluster's default database. */
  url: string;
  port: number;
  /** Creates an empty database in this cluster and returns its URL (one per suite keeps suites apart). */
  createDatabase(name?: string): Promise<string>;
  /** Stops the cluster and deletes its files. */
  stop(): Promise<void>;
}

let databaseCounter = 0;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** PostgreSQL refuses to run as root: as root, run its tools as the `postgres` user. */
function asPostgresUser(command: string, args: string[]): [string, string[]] {
  return userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function postgresUid(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()));
  return { uid: uid!, gid: gid! };
}

/**
 * Starts a throwaway PostgreSQL cluster on 127.0.0.1 and a free port (trust auth, fsync off),
 * for tests only. Throws, naming the package to install, when the binaries are missing.
 *
 * @example
 * const postgres = await startTestPostgres();
 * const database = await openDatabase({ databaseUrl: await postgres.createDatabase() });
 * // …
 * await postgres.stop();
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  if (postgresMissing) throw new Error(postgresMissing);
  const dir = mkdtempSync(join(tmpdir(), 'ecw-pg-'));
  const owner = postgresUid();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const dataDir = join(dir, 'data');
  const pgCtl = join(POSTGRES_BIN, 'pg_ctl');
  await run(...asPostgresUser(join(POSTGRES_BIN, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale']));

  let port = 0;
  for (let attempt = 1; ; attempt += 1) {
    port = await freePort();
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    try {
      await run(...asPostgresUser(pgCtl, ['-D', dataDir, '-l', join(dir, 'postgres.log'), '-w', '-t', '30', '-o', options, 'start']));
      break;
    } catch (error) {
      // Another process may have taken the port between our probe and PostgreSQL's bind.
      if (attempt >= 3) throw error;
    }
  }

  const stopSync = () => {
    try {
      execFileSync(...asPostgresUser(pgCtl, ['-D', dataDir, '-m', 'immediate', 'stop']), { stdio: 'ignore' });
    } catch {
      // Already stopped.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopSync);

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    async createDatabase(name = `ecw_${process.pid}_${(databaseCounter += 1)}`) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Not a safe database name: ${name}`);
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      process.removeListener('exit', stopSync);
      try {
        await run(...asPostgresUser(pgCtl, ['-D', dataDir, '-m', 'fast', 'stop']));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The storage dialects every storage suite runs against; a missing PostgreSQL fails those runs. */
export const TEST_DIALECTS: Dialect[] = ['sqlite', 'postgres'];

let sharedCluster: Promise<TestPostgres> | undefined;

/** One cluster per test process, started on first use; stop it in `afterAll` with `stopSharedTestPostgres`. */
export function sharedTestPostgres(): Promise<TestPostgres> {
  sharedCluster ??= startTestPostgres();
  return sharedCluster;
}

export async function stopSharedTestPostgres(): Promise<void> {
  const cluster = sharedCluster;
  sharedCluster = undefined;
  if (cluster) await (await cluster).stop();
}

/**
 * A fresh, empty database with the schema applied: SQLite in memory, or a new database in the
 * shared PostgreSQL cluster. For `describe.each(TEST_DIALECTS)` storage suites.
 */
export async function openTestDatabase(dialect: Dialect): Promise<DatabaseHandle> {
  if (dialect === 'sqlite') return openDatabase({ sqliteFile: ':memory:' });
  const cluster = await sharedTestPostgres();
  return openDatabase({ databaseUrl: await cluster.createDatabase() });
}
