/**
 * The one error a capability throws when a request cannot be done as asked: a code from the
 * contract (`codes.ts`), a sentence a person can act on, and the field to fix.
 *
 * It imports nothing and knows nothing of HTTP: the web edge (`server/http/error-status.ts`) maps
 * the code to a status, and recognises the error by its shape, as Hono's app recognises
 * `HTTPException`. `status` is only for the few codes whose status depends on where they are
 * raised (`BLOCKED_ADDRESS` is 400 on `PUT /settings` but 409 on `POST /accounts/:id/credentials`).
 *
 * @example
 * throw new AppError('NOT_CONFIGURED', 'No mailbox is connected to this account yet.');
 * throw new AppError('PASSWORD_REQUIRED', 'Enter the mailbox password.', { field: 'auth.password' });
 */
export class AppError<Code extends string = string> extends Error {
  override readonly name: string = 'AppError';
  readonly code: Code;
  readonly field?: string;
  /** An HTTP status for this occurrence only, when the code's usual one does not fit the context. */
  readonly status?: number;
  /** When trying again makes sense: "try again in n seconds" (sent as `Retry-After`). */
  readonly retryAfterSeconds?: number;

  constructor(code: Code, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.field !== undefined) this.field = options.field;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export interface AppErrorOptions {
  field?: string;
  status?: number;
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** True for an `AppError`, also one made by another copy of this module (a second bundle): recognised by shape. */
export function isAppError(error: unknown): error is AppError {
  return (
    error instanceof Error &&
    typeof (error as Partial<AppError>).code === 'string' &&
    ((error as Partial<AppError>).field === undefined || typeof (error as Partial<AppError>).field === 'string') &&
    (error instanceof AppError || error.name === 'AppError')
  );
}
