/** One outbound HTTP exchange: the shape `SafeNetwork.request` (server/net) also has. */
export interface HttpTransport {
  request(
    url: string,
    options: { method: string; headers?: Record<string, string>; body?: string; timeoutMs: number; maxBytes?: number },
  ): Promise<{ status: number; body: string; headers: Record<string, string> }>;
}

const DEFAULT_MAX_BYTES = 256 * 1024;

/** The transport failed before an HTTP answer arrived (timeout, refused, reset, blocked address). */
export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * A transport over the platform `fetch` with a hard timeout (AbortSignal), no redirects and a
 * size cap. Used when the SSRF-safe network layer is not in play (private networks allowed).
 *
 * @example
 * const transport = fetchTransport();
 * await transport.request('http://127.0.0.1:9000/token', { method: 'POST', body: 'a=b', timeoutMs: 10_000 });
 */
export function fetchTransport(): HttpTransport {
  return {
    async request(url, { method, headers, body, timeoutMs, maxBytes = DEFAULT_MAX_BYTES }) {
      let response: Response;
      try {
        response = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'TimeoutError' || name === 'AbortError') {
          throw new TransportError(`No answer from ${new URL(url).host} within ${timeoutMs} ms.`, 'TIMEOUT');
        }
        throw new TransportError(`Could not reach ${new URL(url).host}.`, 'NETWORK_ERROR');
      }
      const text = await readCapped(response, maxBytes);
      return { status: response.status, body: text, headers: Object.fromEntries(response.headers) };
    },
  };
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new TransportError(`The answer is larger than ${maxBytes} bytes.`, 'RESPONSE_TOO_LARGE');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
