/** Why an outbound connection or look-up failed; the connection test shows these codes as they are. */
export type NetErrorCode =
  | 'BLOCKED_ADDRESS'
  | 'DNS_NOT_FOUND'
  | 'TIMEOUT'
  | 'CONNECTION_REFUSED'
  | 'TLS_CERT_INVALID'
  | 'TLS_FAILED'
  | 'PORT_NOT_ALLOWED'
  | 'RESPONSE_TOO_LARGE'
  | 'TOO_MANY_REDIRECTS'
  | 'NETWORK_ERROR';

/**
 * A failed network operation. The message is a sentence safe to show to a user: it names the
 * host the user gave, never an address that host resolved to.
 *
 * @example
 * try { await net.connectTls({ host, port: 993, timeoutMs: 5000 }); }
 * catch (error) { if (error instanceof NetError && error.code === 'TLS_CERT_INVALID') … }
 */
export class NetError extends Error {
  override name = 'NetError';
  constructor(
    readonly code: NetErrorCode,
    message: string,
    /** The low-level error code (ECONNRESET, CERT_HAS_EXPIRED…), for logs and finer diagnosis. */
    readonly detail?: string,
  ) {
    super(message);
  }
}

const CERT_ERROR_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A readable reason for the certificate codes people actually meet. */
function certificateReason(code: string): string {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return 'its certificate has expired';
    case 'CERT_NOT_YET_VALID':
      return 'its certificate is not valid yet';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'its certificate is issued for a different host name';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return 'its certificate is self-signed';
    default:
      return 'its certificate is not signed by a trusted authority';
  }
}

/**
 * Turns a Node socket, TLS or DNS error into a NetError with a sentence about `host:port`.
 * A NetError passes through unchanged.
 */
export function toNetError(error: unknown, target: string): NetError {
  if (error instanceof NetError) return error;
  const err = error as NodeJS.ErrnoException & { reason?: string };
  const code = err?.code ?? '';
  if (err?.name === 'AbortError' || code === 'ABORT_ERR' || code === 'ETIMEDOUT' || code === 'ETIMEOUT') {
    return new NetError('TIMEOUT', `${target} did not answer in time.`, code || 'ABORT_ERR');
  }
  if (code === 'ECONNREFUSED') return new NetError('CONNECTION_REFUSED', `${target} refused the connection.`, code);
  if (CERT_ERROR_CODES.has(code)) {
    return new NetError('TLS_CERT_INVALID', `${target} cannot be trusted: ${certificateReason(code)}.`, code);
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || /SSL|TLS/i.test(err?.message ?? '')) {
    const hint = code === 'ERR_SSL_WRONG_VERSION_NUMBER' ? ' The port may expect STARTTLS (or no TLS) instead of implicit TLS.' : '';
    return new NetError('TLS_FAILED', `The secure (TLS) connection to ${target} failed.${hint}`, code || undefined);
  }
  if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'ENONAME') {
    return new NetError('DNS_NOT_FOUND', `The host name in ${target} does not exist.`, code);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return new NetError('NETWORK_ERROR', `${target} closed the connection unexpectedly.`, code);
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new NetError('NETWORK_ERROR', `${target} cannot be reached from this server.`, code);
  }
  return new NetError('NETWORK_ERROR', `The connection to ${target} failed.`, code || undefined);
}
