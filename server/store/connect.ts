import { chmodSync, readFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import type { Database } from './database.js';
import { runMigrations } from './migrations.js';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** `postgres://…` selects PostgreSQL; otherwise `sqliteFile` is used. */
  databaseUrl?: string;
  /** SQLite file, or `:memory:`. */
  sqliteFile?: string;
}

const SCHEMA_PATH = fileURLToPath(new URL('../../schema.sql', import.meta.url));
const SCHEMA_VERSION = 1;

// PostgreSQL returns BIGINT as a string by default; our BIGINTs are epoch milliseconds,
// well inside Number.MAX_SAFE_INTEGER.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Splits schema.sql into statements (it has no semicolons inside strings or bodies). */
export function schemaStatements(text = readFileSync(SCHEMA_PATH, 'utf8')): string[] {
  return text
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(';')
    .map((statement) => statement.trim())
    .filter(Boolean);
}

/** Applies schema.sql (idempotent), records the schema version and runs the migrations not yet applied. */
export async function applySchema(db: Kysely<Database>): Promise<void> {
  for (const statement of schemaStatements()) {
    await sql.raw(statement).execute(db);
  }
  await db
    .insertInto('schema_version')
    .values({ version: SCHEMA_VERSION, applied_at: Date.now() })
    .onConflict((oc) => oc.column('version').doNothing())
    .execute();
  await runMigrations(db);
}

/**
 * Opens the SQLite file. npm 11 skips dependencies' install scripts unless the project approved
 * them, and then better-sqlite3 has no native module: say how to fix it instead of "Could not
 * locate the bindings file".
 */
function openSqlite(file: string): SqliteDatabase.Database {
  try {
    return new SqliteDatabase(file);
  } catch (error) {
    if (!/bindings file|better_sqlite3\.node|NODE_MODULE_VERSION/.test((error as Error).message)) throw error;
    throw new Error(
      "better-sqlite3's native module is not built (npm 11 skips install scripts that were not approved). " +
        'Run `npm install-scripts approve better-sqlite3 && npm rebuild better-sqlite3`, or use PostgreSQL with DATABASE_URL.',
      { cause: error },
    );
  }
}

/**
 * Opens the database the configuration names — SQLite (WAL) by default, PostgreSQL when a
 * `postgres://` URL is given — and brings its schema up to date.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      connectionTimeoutMillis: 10_000, // also bounds the wait for a free pooled connection
      statement_timeout: 30_000,
      idle_in_transaction_session_timeout: 60_000,
    });
    // An idle pooled connection that breaks (database restart, network) must not crash the
    // process; the next query opens a fresh connection and reports its own error.
    pool.on('error', () => undefined);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    await applySchemaOnce(db);
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  const file = options.sqliteFile ?? ':memory:';
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const sqlite = openSqlite(file);
  // Owner only, like the key files beside it: secrets are encrypted, but hosts and user names are
  // not. SQLite creates its -wal and -shm files with the database file's permissions.
  if (file !== ':memory:') chmodSync(file, 0o600);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await applySchema(db);
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** On PostgreSQL several instances may start at once: serialise schema creation with an advisory lock. */
async function applySchemaOnce(db: Kysely<Database>): Promise<void> {
  await db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(424242)`.execute(conn);
    try {
      await applySchema(conn);
    } finally {
      await sql`SELECT pg_advisory_unlock(424242)`.execute(conn);
    }
  });
}
