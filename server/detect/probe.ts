import type { Socket } from 'node:net';
import type { SafeNetwork } from '../net/index.js';
import { NetError } from '../net/index.js';

export interface ProbeTarget {
  host: string;
  port: number;
  protocol: 'imap' | 'smtp';
  security: 'tls' | 'starttls';
}

const MAX_REPLY_BYTES = 16 * 1024;
const PROBE_EHLO_NAME = 'email-config-wizard.invalid';

/**
 * Checks that a mail server really speaks at `host:port` without logging in: connects through
 * SafeNetwork (blocked addresses are never contacted), verifies TLS against the host name
 * (implicit, or after STARTTLS), and reads the IMAP greeting or the SMTP greeting and EHLO
 * answer. Resolves when the server looks right; rejects with a NetError otherwise.
 *
 * @example await probeMailServer(net, { host: 'imap.example.com', port: 993, protocol: 'imap', security: 'tls' }, { timeoutMs: 2000 })
 */
export async function probeMailServer(net: SafeNetwork, target: ProbeTarget, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
  const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]) : AbortSignal.timeout(opts.timeoutMs);
  const where = `${target.host}:${target.port}`;
  const connected =
    target.security === 'tls'
      ? await net.connectTls({ host: target.host, port: target.port, timeoutMs: opts.timeoutMs, signal })
      : await net.connectTcp({ host: target.host, port: target.port, timeoutMs: opts.timeoutMs, signal });
  let socket: Socket = connected.socket;
  const onAbort = () => socket.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const reader = new ReplyReader(socket, signal, where);
    if (target.protocol === 'imap') {
      expect(await reader.line(), /^\* (OK|PREAUTH)\b/i, where, 'IMAP greeting');
      if (target.security === 'starttls') {
        socket.write('p1 STARTTLS\r\n');
        expect(await reader.tagged('p1'), /^p1 OK\b/i, where, 'STARTTLS');
        socket = await upgrade(net, socket, target.host, signal, reader);
        socket.write('p2 LOGOUT\r\n');
      } else {
        socket.write('p1 LOGOUT\r\n');
      }
    } else {
      expect(await reader.smtpReply(), /^220/, where, 'SMTP greeting');
      socket.write(`EHLO ${PROBE_EHLO_NAME}\r\n`);
      const ehlo = await reader.smtpReply();
      expect(ehlo, /^250/, where, 'EHLO');
      if (target.security === 'starttls') {
        if (!/^250[ -]STARTTLS\b/im.test(ehlo)) throw new NetError('TLS_FAILED', `${where} does not offer STARTTLS.`);
        socket.write('STARTTLS\r\n');
        expect(await reader.smtpReply(), /^220/, where, 'STARTTLS');
        socket = await upgrade(net, socket, target.host, signal, reader);
      }
      socket.write('QUIT\r\n');
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    socket.destroy();
  }
}

async function upgrade(net: SafeNetwork, socket: Socket, host: string, signal: AbortSignal, reader: ReplyReader): Promise<Socket> {
  reader.detach();
  const secure = await net.upgradeTls({ socket, host, timeoutMs: 60_000, signal });
  reader.attach(secure);
  return secure;
}

function expect(reply: string, pattern: RegExp, where: string, step: string): void {
  if (!pattern.test(reply)) throw new NetError('NETWORK_ERROR', `${where} did not answer the ${step} as a mail server would.`);
}

/** Collects CRLF-terminated lines from a socket (which may be swapped for its TLS upgrade). */
class ReplyReader {
  private buffer = '';
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;
  private socket: Socket;
  private readonly onData = (chunk: Buffer) => {
    this.buffer += chunk.toString('latin1');
    if (this.buffer.length > MAX_REPLY_BYTES) this.fail(new NetError('RESPONSE_TOO_LARGE', `${this.where} sent an oversized reply.`));
    this.waiter?.();
  };
  private readonly onEnd = () => this.fail(new NetError('NETWORK_ERROR', `${this.where} closed the connection.`));
  private readonly onError = () => this.fail(new NetError('NETWORK_ERROR', `${this.where} closed the connection unexpectedly.`));

  constructor(socket: Socket, private readonly signal: AbortSignal, private readonly where: string) {
    this.socket = socket;
    this.attach(socket);
    signal.addEventListener('abort', () => this.fail(new NetError('TIMEOUT', `${where} did not answer in time.`)), { once: true });
  }

  attach(socket: Socket): void {
    this.socket = socket;
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }

  detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.waiter?.();
  }

  /** Waits until `complete` finds a reply in the buffer and removes it. */
  private async take(complete: (buffer: string) => number): Promise<string> {
    for (;;) {
      const end = complete(this.buffer);
      if (end >= 0) {
        const reply = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end);
        return reply;
      }
      if (this.failure) throw this.failure;
      if (this.signal.aborted) throw new NetError('TIMEOUT', `${this.where} did not answer in time.`);
      await new Promise<void>((resolve) => (this.waiter = resolve));
      this.waiter = undefined;
    }
  }

  line(): Promise<string> {
    return this.take((b) => (b.indexOf('\n') >= 0 ? b.indexOf('\n') + 1 : -1));
  }

  /** Lines up to and including the one starting with `tag`. */
  tagged(tag: string): Promise<string> {
    return this.take((b) => {
      const match = new RegExp(`(^|\\n)${tag} [^\\n]*\\n`, 'i').exec(b);
      return match ? match.index + match[0].length : -1;
    }).then((reply) => reply.slice(reply.search(new RegExp(`(^|\\n)${tag} `, 'i'))).replace(/^\n/, ''));
  }

  /** A complete (possibly multi-line) SMTP reply: ends with a line "ddd " or "ddd\r\n". */
  smtpReply(): Promise<string> {
    return this.take((b) => {
      const match = /(^|\n)\d{3}(?: [^\n]*)?\r?\n/.exec(b);
      return match ? match.index + match[0].length : -1;
    });
  }
}
