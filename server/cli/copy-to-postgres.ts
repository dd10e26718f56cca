import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Kysely } from 'kysely';
import { openDatabase } from '../store/connect.js';
import type { Database } from '../store/database.js';
import type { CliCommand } from './command.js';

/** Every table of schema.sql, parents first, with its primary key. */
export const COPIED_TABLES = [
  { table: 'schema_version', key: 'version' },
  { table: 'email_settings', key: 'account_id' },
  { table: 'oauth_credentials', key: 'id' },
  { table: 'oauth_flows', key: 'id' },
  { table: 'connection_tests', key: 'account_id' },
  { table: 'rate_limits', key: 'bucket' },
  { table: 'audit_log', key: 'id' },
  { table: 'account_events', key: 'id' },
] as const satisfies ReadonlyArray<{ table: keyof Database; key: string }>;

/** Rows per INSERT: well under PostgreSQL's 65 535 bind parameters for our widest table. */
const BATCH_ROWS = 500;

export type CopyCounts = Record<(typeof COPIED_TABLES)[number]['table'], number>;

/**
 * Copies every row of a SQLite database into PostgreSQL, in one PostgreSQL transaction. Values
 * move byte for byte: secrets stay encrypted and readable with the same keys (their additional
 * data is account + column, not the database). Idempotent: a row that is already there is
 * overwritten with the SQLite version, audit entries are never duplicated.
 *
 * @example
 * await copyDatabase(sqlite.db, postgres.db); // { email_settings: 12, oauth_credentials: 3, … }
 */
export async function copyDatabase(from: Kysely<Database>, to: Kysely<Database>): Promise<CopyCounts> {
  const counts = {} as CopyCounts;
  // Table names vary per loop turn, which Kysely's static types cannot follow.
  const source = from as unknown as Kysely<any>;
  await (to as unknown as Kysely<any>).transaction().execute(async (trx) => {
    for (const { table, key } of COPIED_TABLES) {
      const rows: Array<Record<string, unknown>> = await source.selectFrom(table).selectAll().orderBy(key).execute();
      counts[table] = rows.length;
      for (let start = 0; start < rows.length; start += BATCH_ROWS) {
        const batch = rows.slice(start, start + BATCH_ROWS);
        const columns = Object.keys(batch[0]!).filter((column) => column !== key);
        await trx
          .insertInto(table)
          .values(batch)
          .onConflict((oc) =>
            table === 'audit_log'
              ? oc.column(key).doNothing() // append-only: an entry, once copied, is never rewritten
              : oc.column(key).doUpdateSet((eb) => Object.fromEntries(columns.map((column) => [column, eb.ref(`excluded.${column}`)]))),
          )
          .execute();
      }
    }
  });
  return counts;
}

/** A connection string fit to print: the password replaced. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the PostgreSQL database';
  }
}

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

/** `email-config-wizard copy-to-postgres [--from file.sqlite] [--to postgres://…]` */
export const copyToPostgresCommand: CliCommand = {
  name: 'copy-to-postgres',
  summary: 'Copy the SQLite database (EMAIL_WIZARD_DB) into PostgreSQL (DATABASE_URL); safe to repeat',
  async run(args) {
    if (args.includes('--help')) {
      process.stdout.write(
        'Usage: email-config-wizard copy-to-postgres [--from <sqlite file>] [--to <postgres://…>]\n\n' +
          'Defaults: --from $EMAIL_WIZARD_DB (./data/email-wizard.sqlite), --to $DATABASE_URL.\n' +
          'Secrets are copied still encrypted: keep EMAIL_WIZARD_ENCRYPTION_KEYS as it is.\n' +
          'Stop the servers that write to the SQLite file first; running it again brings PostgreSQL up to date.\n',
      );
      return 0;
    }
    const file = resolve(option(args, '--from') ?? (process.env.EMAIL_WIZARD_DB?.trim() || './data/email-wizard.sqlite'));
    const url = option(args, '--to') ?? process.env.DATABASE_URL?.trim();
    if (!existsSync(file)) {
      process.stderr.write(`copy-to-postgres: there is no SQLite database at ${file} (set EMAIL_WIZARD_DB or pass --from).\n`);
      return 1;
    }
    if (!url || !/^postgres(ql)?:\/\//.test(url)) {
      process.stderr.write('copy-to-postgres: give the target as DATABASE_URL or --to, starting with postgres:// or postgresql://.\n');
      return 1;
    }
    const sqlite = await openDatabase({ sqliteFile: file });
    try {
      const postgres = await openDatabase({ databaseUrl: url });
      try {
        const counts = await copyDatabase(sqlite.db, postgres.db);
        const summary = Object.entries(counts).map(([table, count]) => `${table} ${count}`).join(', ');
        process.stdout.write(`Copied ${file} into ${describeDatabaseUrl(url)}: ${summary}.\n`);
        return 0;
      } finally {
        await postgres.close();
      }
    } finally {
      await sqlite.close();
    }
  },
};
