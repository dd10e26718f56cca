import type { MiddlewareHandler } from 'hono';
import { AppError } from '../contract/errors.js';
import type { AppEnv, Services } from './context.js';
import { createApiKeyCheck } from '../auth/api-keys.js';
import { SessionTokenError } from '../auth/session-tokens.js';

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Host backend routes: `Authorization: Bearer <API key>`. */
export function requireApiKey(services: Services): MiddlewareHandler<AppEnv> {
  const isValidKey = createApiKeyCheck(services.config.apiKeys);
  return async (c, next) => {
    const key = bearer(c.req.header('authorization'));
    if (!key) throw new AppError('UNAUTHORIZED', 'Send the host API key as "Authorization: Bearer <key>".');
    if (!isValidKey(key)) throw new AppError('INVALID_API_KEY', 'The API key is not valid.');
    await next();
  };
}

/**
 * Widget routes: `Authorization: Bearer <session token>`. The token names the account, so no
 * widget route takes an account id from the URL; an origin-bound token is refused elsewhere.
 */
export function requireSession(services: Services): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    if (!token) throw new AppError('UNAUTHORIZED', 'This request needs a session token from the host application.');
    let claims;
    try {
      claims = services.sessions.verify(token);
    } catch (error) {
      if (error instanceof SessionTokenError) {
        throw new AppError(error.reason === 'expired' ? 'SESSION_EXPIRED' : 'INVALID_SESSION', error.message);
      }
      throw error;
    }
    const origin = c.req.header('origin');
    if (claims.origin && origin && origin !== claims.origin) {
      throw new AppError('ORIGIN_MISMATCH', 'This session token was issued for another website.');
    }
    c.set('session', claims);
    c.set('logger', c.get('logger').child({ accountId: claims.accountId }));
    await next();
  };
}

/** Host routes name the account in the path: check it once for every such route. */
export const ACCOUNT_ID_PATTERN = /^[A-Za-z0-9._:@-]{1,128}$/;
