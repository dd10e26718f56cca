import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The body of every error response: `{"error": {"code", "message", "field"?}}`. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/**
 * An error that knows how it should be shown to an API caller.
 * Thrown anywhere below a route; the app's error handler turns it into the envelope.
 *
 * @example
 * throw new ApiError(404, 'NOT_CONFIGURED', 'No mailbox is connected to this account yet.');
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}

export function errorBody(code: string, message: string, field?: string): ErrorBody {
  return new ApiError(400, code, message, field).toBody();
}
