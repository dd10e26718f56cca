import type { ErrorBody, ErrorCode } from '../contract/index.js';

export type { ErrorBody };

/**
 * The error envelope for an answer the web layer gives itself (404, 405, a body it cannot read).
 * Capabilities throw `AppError` (server/contract/errors.ts) instead; `error-status.ts` answers it.
 */
export function errorBody(code: ErrorCode, message: string, field?: string): ErrorBody {
  return { error: { code, message, ...(field ? { field } : {}) } };
}
