import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import type { Logger } from '../log/index.js';
import { redact } from '../log/index.js';

export interface AuditEntry {
  actor: 'host' | 'session' | 'system';
  accountId?: string;
  action: string;
  result: 'ok' | 'error';
  /** Non-secret facts (error codes, hosts); secret-looking keys are dropped anyway. */
  detail?: Record<string, unknown>;
  requestId?: string;
}

/** Appends to the audit log. There is deliberately no update or delete here. */
export class AuditLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly logger?: Logger,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    try {
      await this.db
        .insertInto('audit_log')
        .values({
          id: randomUUID(),
          at: Date.now(),
          actor: entry.actor,
          account_id: entry.accountId ?? null,
          action: entry.action,
          result: entry.result,
          detail: entry.detail ? JSON.stringify(redact(entry.detail)) : null,
          request_id: entry.requestId ?? null,
        })
        .execute();
    } catch (error) {
      // An audit failure must not undo the user's action; it is reported for operators instead.
      this.logger?.error('audit log write failed', { action: entry.action, error });
    }
  }
}
