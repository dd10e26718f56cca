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

interface EncryptedValue {
  row_key: string;
  account: string;
  value: string;
}

/**
 * Re-encrypts every value in `ENCRYPTED_COLUMNS` that is not yet under the keyring's current
 * (first) key, in one transaction: either every secret moves to the new key or none does. A value
 * no configured key can read aborts the run and names its row.
 *
 * @example
 * // EMAIL_WIZARD_ENCRYPTION_KEYS="k2:<new>,k1:<old>"
 * await rotateKeys(database.db, new Keyring(config.encryptionKeys)); // { reencrypted: 12, alreadyCurrent: 0 }
 */
export async function rotateKeys(db: Kysely<Database>, keyring: Keyring): Promise<RotationResult> {
  const result: RotationResult = { reencrypted: 0, alreadyCurrent: 0 };
  await db.transaction().execute(async (trx) => {
    for (const { table, column, key, account } of ENCRYPTED_COLUMNS) {
      const context = `${table}.${column}`;
      const { rows } = await sql<EncryptedValue>`
        SELECT ${sql.ref(key)} AS row_key, ${sql.ref(account)} AS account, ${sql.ref(column)} AS value
        FROM ${sql.table(table)} WHERE ${sql.ref(column)} IS NOT NULL`.execute(trx);
      for (const row of rows) {
        if (keyring.keyIdOf(row.value) === keyring.currentKeyId) {
          result.alreadyCurrent += 1;
          continue;
        }
        let plaintext: string;
        try {
          plaintext = keyring.decrypt(row.value, { accountId: row.account, column: context });
        } catch (error) {
          if (error instanceof DecryptionError) {
            throw new DecryptionError(`${context} of ${key} "${row.row_key}": ${error.message} Nothing was changed.`);
          }
          throw error;
        }
        const fresh = keyring.encrypt(plaintext, { accountId: row.account, column: context });
        await sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${fresh}
          WHERE ${sql.ref(key)} = ${row.row_key} AND ${sql.ref(column)} = ${row.value}`.execute(trx);
        result.reencrypted += 1;
      }
    }
  });
  return result;
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
          'Reads the same environment as the server (EMAIL_WIZARD_DB or DATABASE_URL).\n',
      );
      return 0;
    }
    const config = loadConfig(process.env);
    const database = await openDatabase({ databaseUrl: config.databaseUrl, sqliteFile: config.dbFile });
    try {
      const keyring = new Keyring(config.encryptionKeys);
      const { reencrypted, alreadyCurrent } = await rotateKeys(database.db, keyring);
      process.stdout.write(
        `Re-encrypted ${reencrypted} secret(s) with key "${keyring.currentKeyId}"; ${alreadyCurrent} already used it.\n`,
      );
      return 0;
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      process.stderr.write(`rotate-keys stopped: ${error.message}\n`);
      return 1;
    } finally {
      await database.close();
    }
  },
};
