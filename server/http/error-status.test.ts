import { describe, expect, it } from 'vitest';
import { AppError, isAppError } from '../contract/errors.js';
import { OAUTH_ERROR_CODES, REQUEST_ERROR_CODES } from '../contract/codes.js';
import { ERROR_STATUS, errorBodyOf, statusOf } from './error-status.js';

describe('the edge table of error statuses', () => {
  it('has a 4xx or 5xx status for every error code of the contract', () => {
    for (const code of [...REQUEST_ERROR_CODES, ...OAUTH_ERROR_CODES]) {
      expect(ERROR_STATUS[code], code).toBeGreaterThanOrEqual(400);
      expect(ERROR_STATUS[code], code).toBeLessThan(600);
    }
  });

  it("answers an AppError with its code's status, or the status it carries for this route", () => {
    expect(statusOf(new AppError('NOT_CONFIGURED', 'Nothing saved.'))).toBe(404);
    expect(statusOf(new AppError('BLOCKED_ADDRESS', 'Refused.', { field: 'imap.host' }))).toBe(400);
    expect(statusOf(new AppError('BLOCKED_ADDRESS', 'Refused.', { status: 409 }))).toBe(409);
  });

  it('treats a code missing from the table as the server’s fault', () => {
    expect(statusOf(new AppError('SOMETHING_NEW', 'x'))).toBe(500);
  });

  it('builds the envelope, with the field only when there is one', () => {
    expect(errorBodyOf(new AppError('PASSWORD_REQUIRED', 'Enter the password.', { field: 'auth.password' }))).toEqual({
      error: { code: 'PASSWORD_REQUIRED', message: 'Enter the password.', field: 'auth.password' },
    });
    expect(errorBodyOf(new AppError('NOT_CONFIGURED', 'Nothing saved.'))).toEqual({ error: { code: 'NOT_CONFIGURED', message: 'Nothing saved.' } });
  });

  it('recognises AppError by shape, and nothing else that merely has a code', () => {
    expect(isAppError(new AppError('NOT_FOUND', 'x'))).toBe(true);
    const copy = Object.assign(new Error('x'), { name: 'AppError', code: 'NOT_FOUND' });
    expect(isAppError(copy)).toBe(true);
    expect(isAppError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
    expect(isAppError({ name: 'AppError', code: 'NOT_FOUND', message: 'x' })).toBe(false);
  });
});
