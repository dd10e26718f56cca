import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { openDatabase } from '../store/connect.js';
import type { Database } from '../store/database.js';
import type { CliCommand } from './command.js';

/** Every table of schema.sql, parents first, with its primary key (the order rows are copied in). */
export const COPIED_TABLES = [
  { table: 'schema_version', key: ['version'] },
  { table: 'email_settings', key: ['account_id'] },
  { table: 'oauth_credentials', key: ['id'] },
  { table: 'oauth_flows', key: ['id'] },
  { table: 'connection_tests', key: ['account_id'] },
  { table: 'rate_limits', key: ['bucket'] },
  { table: 'audit_log', key: ['id'] },
  { table: 'account_events', key: ['id'] },
  { table: 'oauth_token_pace', key: ['provider'] },
  { table: 'oauth_refresh_schedule', key: ['credential_id'] },
  { table: 'audit_daily_counts', key: ['account_id', 'day', 'action', 'actor'] },
] as const satisfies ReadonlyArray<{ table: keyof Database; key: readonly string[] }>;

export type CopiedTable = (typeof COPIED_TABLES)[number]['table'];
export type CopyCounts = Record<CopiedTable, number>;

/** Where a copy stands: per table, the key of the last row committed, or `done`. */
export type CopyCheckpoint = Partial<Record<CopiedTable, { after: unknown[] } | 'done'>>;

export interface CopyOptions {
  /** Rows per batch (default 500): one SELECT and one INSERT each; well under PostgreSQL's 65 535 parameters. */
  batchSize?: number;
  /** Where to start (from a previous, interrupted run); tables marked done are skipped. */
  resumeFrom?: CopyCheckpoint;
  /** Called after every committed batch with the state to resume from. */
  onCheckpoint?: (checkpoint: CopyCheckpoint) => void;
  onProgress?: (progress: { table: CopiedTable; copied: number; total: number }) => void;
  /** Stops between batches. */
  signal?: AbortSignal;
}

/**
 * Copies every row of a SQLite database into PostgreSQL, table by table in batches keyed by
 * primary key, so memory stays flat however large the tables are. Each batch is one upsert on
 * PostgreSQL; `onCheckpoint` gets the position after it, and `resumeFrom` carries on from there
 * after an interruption. Values move byte for byte: secrets stay encrypted and readable with the
 * same keys (their additional data is account + column, not the database). Idempotent: a row
 * that is already there is overwritten with the SQLite version, audit entries are never duplicated.
 *
 * @example
 * await copyDatabase(sqlite.db, postgres.db); // { email_settings: 12, oauth_credentials: 3, … }
 */
export async function copyDatabase(from: Kysely<Database>, to: Kysely<Database>, options: CopyOptions = {}): Promise<CopyCounts> {
  const batchSize = options.batchSize ?? 500;
  const checkpoint: CopyCheckpoint = { ...options.resumeFrom };
  const counts = {} as CopyCounts;
  // Table names vary per loop turn, which Kysely's static types cannot follow.
  const source = from as unknown as Kysely<any>;
  const target = to as unknown as Kysely<any>;
  for (const { table, key } of COPIED_TABLES) {
    counts[table] = 0;
    const state = checkpoint[table];
    if (state === 'done') continue;
    const total = Number((await source.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    let after = state?.after;
    for (;;) {
      options.signal?.throwIfAborted();
      let query = source.selectFrom(table).selectAll();
      if (after) query = query.where(sql<boolean>`(${sql.join(key.map((k) => sql.ref(k)))}) > (${sql.join(after)})`);
      for (const column of key) query = query.orderBy(column);
      const rows: Array<Record<string, unknown>> = await query.limit(batchSize).execute();
      if (rows.length === 0) break;
      const columns = Object.keys(rows[0]!).filter((column) => !(key as readonly string[]).includes(column));
      await target
        .insertInto(table)
        .values(rows)
        .onConflict((oc) =>
          table === 'audit_log' || columns.length === 0
            ? oc.columns([...key]).doNothing() // append-only: an entry, once copied, is never rewritten
            : oc.columns([...key]).doUpdateSet((eb) => Object.fromEntries(columns.map((column) => [column, eb.ref(`excluded.${column}`)]))),
        )
        .execute();
      counts[table] += rows.length;
      after = key.map((column) => rows[rows.length - 1]![column]);
      checkpoint[table] = { after };
      options.onCheckpoint?.({ ...checkpoint });
      options.onProgress?.({ table, copied: counts[table], total });
      if (rows.length < batchSize) break;
    }
    checkpoint[table] = 'done';
    options.onCheckpoint?.({ ...checkpoint });
  }
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

/** The progress file beside the SQLite file: which target it belongs to, and where the copy stands. */
interface ProgressFile {
  target: string;
  checkpoint: CopyCheckpoint;
}

function readProgress(path: string, target: string): CopyCheckpoint | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const saved = JSON.parse(readFileSync(path, 'utf8')) as ProgressFile;
    return saved.target === target ? saved.checkpoint : undefined;
  } catch {
    return undefined;
  }
}

/** `email-config-wizard copy-to-postgres [--from file.sqlite] [--to postgres://…] [--restart]` */
export const copyToPostgresCommand: CliCommand = {
  name: 'copy-to-postgres',
  summary: 'Copy the SQLite database (EMAIL_WIZARD_DB) into PostgreSQL (DATABASE_URL); resumable, safe to repeat',
  async run(args) {
    if (args.includes('--help')) {
      process.stdout.write(
        'Usage: email-config-wizard copy-to-postgres [--from <sqlite file>] [--to <postgres://…>] [--restart]\n\n' +
          'Defaults: --from $EMAIL_WIZARD_DB (./data/email-wizard.sqlite), --to $DATABASE_URL.\n' +
          'Secrets are copied still encrypted: keep EMAIL_WIZARD_ENCRYPTION_KEYS as it is.\n' +
          'Stop the servers that write to the SQLite file first; running it again brings PostgreSQL up to date.\n' +
          'Copies in batches with progress on stderr; an interrupted copy resumes where it stopped\n' +
          '(<sqlite file>.copy-progress.json) unless --restart is given.\n',
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
    const progressPath = `${file}.copy-progress.json`;
    const target = describeDatabaseUrl(url);
    const resumeFrom = args.includes('--restart') ? undefined : readProgress(progressPath, target);
    if (resumeFrom) process.stderr.write(`copy-to-postgres: resuming the interrupted copy (${progressPath}).\n`);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const sqlite = await openDatabase({ sqliteFile: file });
    try {
      const postgres = await openDatabase({ databaseUrl: url });
      try {
        let lastPrinted = 0;
        const counts = await copyDatabase(sqlite.db, postgres.db, {
          resumeFrom,
          signal: stop.signal,
          onCheckpoint: (checkpoint) => writeFileSync(progressPath, JSON.stringify({ target, checkpoint } satisfies ProgressFile)),
          onProgress: ({ table, copied, total }) => {
            if (copied < total && Date.now() - lastPrinted < 1000) return;
            lastPrinted = Date.now();
            const share = total === 0 ? 100 : Math.min(100, Math.floor((copied / total) * 100));
            process.stderr.write(`copy-to-postgres: ${table} ${copied.toLocaleString('en')} / ${total.toLocaleString('en')} (${share} %)\n`);
          },
        });
        rmSync(progressPath, { force: true });
        const summary = Object.entries(counts).map(([table, count]) => `${table} ${count}`).join(', ');
        process.stdout.write(`Copied ${file} into ${target}: ${summary}.\n`);
        return 0;
      } catch (error) {
        if (!stop.signal.aborted) throw error;
        process.stderr.write(`copy-to-postgres interrupted: run it again to carry on from ${progressPath}.\n`);
        return 130;
      } finally {
        await postgres.close();
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await sqlite.close();
    }
  },
};
