import type { AccountEventBody, AccountEventList } from '../contract/events.js';
import type { AccountEventRow } from '../store/database.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** One outbox row as `GET /accounts/:id/events` shows it: the event as sent, and how its delivery stands. */
export function eventView(row: AccountEventRow): AccountEventList['events'][number] {
  const body = JSON.parse(row.payload) as AccountEventBody;
  return {
    id: row.id,
    type: body.type,
    timestamp: body.timestamp,
    data: body.data,
    delivery: {
      state: row.state,
      attempts: row.attempts,
      lastAttemptAt: iso(row.last_attempt_at),
      lastStatus: row.last_status,
      lastError: row.last_error,
      nextAttemptAt: row.state === 'pending' ? iso(row.next_attempt_at) : null,
      finishedAt: iso(row.finished_at),
    },
  };
}
