import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { NetError } from './errors.js';

export interface HttpResponse {
  status: number;
  body: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
}

export interface HttpExchangeOptions {
  url: URL;
  host: string;
  port: number;
  /** The address already checked by SafeNetwork: the socket goes there and nowhere else. */
  resolved: { address: string; family: 4 | 6 };
  method: string;
  headers: Record<string, string>;
  body?: string;
  maxBytes: number;
  signal: AbortSignal;
  /** Trust store with any extra CAs (Node's default when undefined). */
  secureContext?: import('node:tls').SecureContext;
}

/**
 * One HTTP(S) request whose socket is pinned to a pre-checked address: the `lookup` hook hands
 * Node that address instead of resolving the name again, while the Host header and TLS
 * servername still carry the name. Reads at most `maxBytes` of the body.
 */
export function httpExchange(options: HttpExchangeOptions): Promise<HttpResponse> {
  const { url, resolved } = options;
  const pinnedLookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) {
      (callback as unknown as (e: null, list: { address: string; family: number }[]) => void)(null, [resolved]);
    } else {
      callback(null, resolved.address, resolved.family);
    }
  };
  const secure = url.protocol === 'https:';
  const transport = secure ? https : http;
  const body = options.body === undefined ? undefined : Buffer.from(options.body, 'utf8');
  return new Promise((resolve, reject) => {
    const request = transport.request(
      {
        protocol: url.protocol,
        hostname: options.host,
        port: options.port,
        path: `${url.pathname}${url.search}`,
        method: options.method,
        headers: {
          'user-agent': 'email-config-wizard',
          'accept-encoding': 'identity',
          ...options.headers,
          ...(body ? { 'content-length': String(body.length) } : {}),
        },
        lookup: pinnedLookup,
        agent: false,
        signal: options.signal,
        ...(secure && options.secureContext ? { secureContext: options.secureContext } : {}),
      },
      (response) => {
        const declared = Number(response.headers['content-length'] ?? '0');
        if (declared > options.maxBytes) {
          response.destroy();
          reject(new NetError('RESPONSE_TOO_LARGE', `${url.host} sent more than ${options.maxBytes} bytes.`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            response.destroy();
            reject(new NetError('RESPONSE_TOO_LARGE', `${url.host} sent more than ${options.maxBytes} bytes.`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', reject);
        response.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
