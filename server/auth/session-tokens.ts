import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a verified session token grants: one account, maybe one origin, until it expires. */
export interface SessionClaims {
  /** Random id of this session; OAuth flows remember which session started them. */
  sessionId: string;
  accountId: string;
  origin?: string;
  issuedAt: number;
  expiresAt: number;
}

export type SessionTokenFailure = 'malformed' | 'bad_signature' | 'expired';

export class SessionTokenError extends Error {
  constructor(readonly reason: SessionTokenFailure) {
    super(
      reason === 'expired'
        ? 'The session token has expired. Ask the host application for a new one.'
        : 'The session token is not valid.',
    );
    this.name = 'SessionTokenError';
  }
}

interface Payload {
  v: 1;
  sid: string;
  acc: string;
  org?: string;
  iat: number;
  exp: number;
}

const PREFIX = 'ecw1';
const VERIFIED_CACHE_SIZE = 1024;

/**
 * Signs and verifies the short-lived tokens the widget carries. Format:
 * `ecw1.<base64url JSON claims>.<base64url HMAC-SHA256>` — opaque to the widget.
 *
 * @example
 * const tokens = new SessionTokens(secret);
 * const { token } = tokens.issue({ accountId: 'acme', origin: 'https://app.acme.test', ttlSeconds: 3600 });
 * tokens.verify(token).accountId; // 'acme'
 */
export class SessionTokens {
  /**
   * Tokens whose signature already checked out, so the widget's repeated calls with one token
   * skip the HMAC and the JSON parse. Only the exact token string hits; expiry is still checked
   * on every call.
   */
  private readonly verified = new Map<string, Payload>();

  constructor(
    private readonly secret: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  issue(input: { accountId: string; origin?: string; ttlSeconds: number }): { token: string; claims: SessionClaims } {
    const issuedAt = this.now();
    const payload: Payload = {
      v: 1,
      sid: randomBytes(12).toString('base64url'),
      acc: input.accountId,
      ...(input.origin ? { org: input.origin } : {}),
      iat: Math.floor(issuedAt / 1000),
      exp: Math.floor(issuedAt / 1000) + input.ttlSeconds,
    };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const token = `${PREFIX}.${body}.${this.sign(body)}`;
    return { token, claims: toClaims(payload) };
  }

  verify(token: string): SessionClaims {
    const known = this.verified.get(token);
    if (known) {
      if (known.exp * 1000 <= this.now()) throw new SessionTokenError('expired');
      return toClaims(known);
    }
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== PREFIX || !parts[1] || !parts[2]) throw new SessionTokenError('malformed');
    const [, body, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new SessionTokenError('bad_signature');
    let payload: Payload;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
    } catch {
      throw new SessionTokenError('malformed');
    }
    if (payload.v !== 1 || typeof payload.acc !== 'string' || typeof payload.exp !== 'number') {
      throw new SessionTokenError('malformed');
    }
    if (payload.exp * 1000 <= this.now()) throw new SessionTokenError('expired');
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, payload);
    return toClaims(payload);
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(`${PREFIX}.${body}`).digest('base64url');
  }
}

function toClaims(payload: Payload): SessionClaims {
  return {
    sessionId: payload.sid,
    accountId: payload.acc,
    ...(payload.org ? { origin: payload.org } : {}),
    issuedAt: payload.iat * 1000,
    expiresAt: payload.exp * 1000,
  };
}
