import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import type { RetentionRule } from './retention.js';

const HOUR_MS = 3600_000;
const DELETE_BATCH = 5000;

/**
 * Deletes the rows of `table` whose `column` is before `before`, at most 5000 per statement
 * through the column's index, so no statement holds the database for long.
 */
export async function deleteBefore(db: Kysely<Database>, table: 'rate_limits' | 'oauth_flows' | 'connection_tests', key: string, column: string, before: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const result = await sql`DELETE FROM ${sql.table(table)} WHERE ${sql.ref(key)} IN (SELECT ${sql.ref(key)} FROM ${sql.table(table)} WHERE ${sql.ref(column)} < ${before} ORDER BY ${sql.ref(column)} LIMIT ${DELETE_BATCH})`.execute(db);
    const count = Number(result.numAffectedRows ?? 0n);
    deleted += count;
    if (count < DELETE_BATCH) return deleted;
  }
}

/**
 * The retention rules of the tables that grow with every request, whoever sends it: rate-limit
 * counters, OAuth sign-ins and the short-lived latest connection test. (The audit log and the
 * webhook outbox register their own rules.)
 */
export function trafficRetentionRules(db: Kysely<Database>): RetentionRule[] {
  return [
    {
      table: 'rate_limits',
      description: 'rate-limit counters, by the start of their window (the longest window is 10 minutes)',
      defaultMs: 24 * HOUR_MS,
      prune: (before) => deleteBefore(db, 'rate_limits', 'bucket', 'window_start', before),
    },
    {
      table: 'oauth_flows',
      description: 'OAuth sign-ins, by when they expired (a sign-in can be finished for 10 minutes)',
      defaultMs: 24 * HOUR_MS,
      prune: (before) => deleteBefore(db, 'oauth_flows', 'id', 'expires_at', before),
    },
    {
      table: 'connection_tests',
      description: "an account's latest connection test, by when it ran (it counts for a save within 30 minutes)",
      defaultMs: 24 * HOUR_MS,
      prune: (before) => deleteBefore(db, 'connection_tests', 'account_id', 'at', before),
    },
  ];
}
