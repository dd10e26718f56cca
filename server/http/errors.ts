import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError } from '../contract/errors.js';
import type { ErrorBody } from '../contract/error-body.js';
import { errorBodyOf } from './error-status.js';

export type { ErrorBody };

/**
 * The old HTTP-shaped error, kept while the code moves to `AppError` (`server/contract/errors.ts`):
 * capabilities throw `AppError` and `server/http/error-status.ts` picks the status. Routes may
 * still throw this; it is an `AppError` with its status always set.
 *
 * @deprecated Throw `AppError`; give `{ status }` only when the code's usual status does not fit.
 */
export class ApiError extends AppError {
  override readonly name: string = 'ApiError';
  declare readonly status: ContentfulStatusCode;

  constructor(status: ContentfulStatusCode, code: string, message: string, field?: string) {
    super(code, message, field === undefined ? { status } : { status, field });
  }

  toBody(): ErrorBody {
    return errorBodyOf(this);
  }
}

/** The error envelope for a code and a sentence. */
export function errorBody(code: string, message: string, field?: string): ErrorBody {
  return { error: { code, message, ...(field ? { field } : {}) } };
}
