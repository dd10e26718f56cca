import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { ENCRYPTED_COLUMNS, type Database } from '../store/database.js';
import { openDatabase } from '../store/connect.js';
import { DecryptionError, Keyring } from '../crypto/keyring.js';
import { loadConfig } from '../config/index.js';
import type { CliCommand } from './command.js';

export interface RotationResult {
  /** Values re-encrypted with the current key. */
  reencrypted: number;
  /** Values that already used the current key and were left alone. */
  alreadyCurrent: number;
}

export interface RotationProgress {
  phase: 'check' | 'rotate';
  /** `table.column` */
  column: string;
  /** Rows of this column looked at so far, and how many hold a value. */
  done: number;
  total: number;
  reencrypted: number;
}

export interface RotationOptions {
  /** Rows per batch (default 500): one short transaction each, so a live server keeps its turn. */
  batchSize?: number;
  /** Pause between batches (default 2 ms) so another process can take the SQLite write lock. */
  pauseMs?: number;
  onProgress?: (progress: RotationProgress) => void;
  /** Stops between batches; what is done stays done, and the next run carries on from there. */
  signal?: AbortSignal;
}

interface EncryptedValue {
  row_key: string;
  account: string;
  value: string;
}

/**
 * Re-encrypts every value in `ENCRYPTED_COLUMNS` that is not yet under the keyring's current
 * (first) key, in batches keyed by primary key: memory stays flat whatever the row count, and each
 * batch is one short transaction, so a live server keeps answering while it runs.
 *
 * First a read-only pass checks that every value still to move can be read: a value no configured
 * key can read stops the run before anything is written, naming its row. Resumable: values already
 * under the current key are skipped without decrypting them, so a run that was interrupted (or
 * aborted through `signal`) simply carries on when started again. A value the live server rewrote
 * meanwhile (always under the current key) is left as it is.
 *
 * @example
 * // EMAIL_WIZARD_ENCRYPTION_KEYS="k2:<new>,k1:<old>"
 * await rotateKeys(database.db, new Keyring(config.encryptionKeys)); // { reencrypted: 12, alreadyCurrent: 0 }
 */
export async function rotateKeys(db: Kysely<Database>, keyring: Keyring, options: RotationOptions = {}): Promise<RotationResult> {
  const batchSize = options.batchSize ?? 500;
  const pauseMs = options.pauseMs ?? 2;
  const result: RotationResult = { reencrypted: 0, alreadyCurrent: 0 };

  for (const phase of ['check', 'rotate'] as const) {
    for (const { table, column, key, account } of ENCRYPTED_COLUMNS) {
      const context = `${table}.${column}`;
      const total = Number(
        (await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM ${sql.table(table)} WHERE ${sql.ref(column)} IS NOT NULL`.execute(db)).rows[0]!.n,
      );
      let after: string | undefined;
      let done = 0;
      let reencrypted = 0;
      for (;;) {
        options.signal?.throwIfAborted();
        const { rows } = await sql<EncryptedValue>`
          SELECT ${sql.ref(key)} AS row_key, ${sql.ref(account)} AS account, ${sql.ref(column)} AS value
          FROM ${sql.table(table)}
          WHERE ${sql.ref(column)} IS NOT NULL ${after === undefined ? sql`` : sql`AND ${sql.ref(key)} > ${after}`}
          ORDER BY ${sql.ref(key)} LIMIT ${batchSize}`.execute(db);
        if (rows.length === 0) break;
        after = rows[rows.length - 1]!.row_key;
        done += rows.length;
        const stale = rows.filter((row) => keyring.keyIdOf(row.value) !== keyring.currentKeyId);
        const fresh = stale.map((row) => ({ row, value: reencrypt(keyring, row, context, key) }));
        if (phase === 'rotate') {
          result.alreadyCurrent += rows.length - stale.length;
          if (fresh.length > 0) {
            await db.transaction().execute(async (trx) => {
              for (const { row, value } of fresh) {
                const updated = await sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${value}
                  WHERE ${sql.ref(key)} = ${row.row_key} AND ${sql.ref(column)} = ${row.value}`.execute(trx);
                if (Number(updated.numAffectedRows ?? 0) === 1) reencrypted += 1;
                else result.alreadyCurrent += 1; // rewritten by the live server meanwhile, under the current key
              }
            });
          }
        }
        options.onProgress?.({ phase, column: context, done, total, reencrypted });
        if (rows.length < batchSize) break;
        if (pauseMs > 0) await sleep(pauseMs);
      }
      result.reencrypted += reencrypted;
    }
  }
  return result;
}

/** Decrypts with whichever configured key wrote it and encrypts with the current one. */
function reencrypt(keyring: Keyring, row: EncryptedValue, context: string, key: string): string {
  try {
    return keyring.encrypt(keyring.decrypt(row.value, { accountId: row.account, column: context }), { accountId: row.account, column: context });
  } catch (error) {
    if (error instanceof DecryptionError) {
      throw new DecryptionError(`${context} of ${key} "${row.row_key}": ${error.message} Nothing was changed.`);
    }
    throw error;
  }
}

/** One progress line per batch on a terminal (rewritten in place), every 10 % otherwise. */
function progressPrinter(stream: NodeJS.WriteStream): (progress: RotationProgress) => void {
  let lastShare = -1;
  return ({ phase, column, done, total, reencrypted }) => {
    const share = total === 0 ? 100 : Math.floor((done / total) * 100);
    const text = `rotate-keys: ${phase === 'check' ? 'checking' : 'rotating'} ${column}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} (${share} %)${phase === 'rotate' ? `, ${reencrypted.toLocaleString('en')} re-encrypted` : ''}`;
    if (stream.isTTY) {
      stream.write(`\r${text}\x1b[K${done >= total ? '\n' : ''}`);
    } else if (Math.floor(share / 10) !== Math.floor(lastShare / 10) || done >= total) {
      stream.write(`${text}\n`);
    }
    lastShare = done >= total ? -1 : share;
  };
}

/** `email-config-wizard rotate-keys`: moves every stored secret to the first configured key. */
export const rotateKeysCommand: CliCommand = {
  name: 'rotate-keys',
  summary: 'Re-encrypt every stored secret with the first key in EMAIL_WIZARD_ENCRYPTION_KEYS',
  async run(args) {
    if (args.includes('--help')) {
      process.stdout.write(
        'Usage: email-config-wizard rotate-keys\n\n' +
          'Put the new key first in EMAIL_WIZARD_ENCRYPTION_KEYS and keep the old ones after it\n' +
          '("new:<base64>,old:<base64>"), restart the servers, run this once, then remove the old keys.\n' +
          'Reads the same environment as the server (EMAIL_WIZARD_DB or DATABASE_URL). Works in batches while\n' +
          'the servers keep running; progress goes to stderr. Interrupted (Ctrl-C)? Run it again: it carries on.\n',
      );
      return 0;
    }
    const config = loadConfig(process.env);
    const database = await openDatabase({ databaseUrl: config.databaseUrl, sqliteFile: config.dbFile });
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const keyring = new Keyring(config.encryptionKeys);
      const { reencrypted, alreadyCurrent } = await rotateKeys(database.db, keyring, { onProgress: progressPrinter(process.stderr), signal: stop.signal });
      process.stdout.write(
        `Re-encrypted ${reencrypted} secret(s) with key "${keyring.currentKeyId}"; ${alreadyCurrent} already used it.\n`,
      );
      return 0;
    } catch (error) {
      if (stop.signal.aborted) {
        process.stderr.write('\nrotate-keys interrupted between batches: what was done stays done; run it again to finish.\n');
        return 130;
      }
      if (!(error instanceof DecryptionError)) throw error;
      process.stderr.write(`rotate-keys stopped: ${error.message}\n`);
      return 1;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await database.close();
    }
  },
};
