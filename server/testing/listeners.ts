import { createServer, connect, type Server, type Socket, type AddressInfo } from 'node:net';

/**
 * A free TCP port on 127.0.0.1, for daemons (Dovecot) that cannot listen on port 0 themselves.
 * The port is released before it is returned, so start the daemon right away.
 */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`; rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    if (Date.now() > deadline) throw new Error(`Nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface CountingListener {
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  stop(): Promise<void>;
}

/**
 * A listener on 127.0.0.1 that accepts connections, counts them and never says a word — a mail
 * server that hangs before its greeting, and proof (a count of zero) that a blocked address was
 * never contacted. With `greeting` it says that once and then nothing (another protocol's banner).
 * `host` and `port` place it elsewhere on loopback (127.0.0.2 at a greeter's port: a guessed host
 * that accepts and never speaks beside one that answers).
 *
 * @example
 * const silent = await startSilentListener();
 * // … run a test against 127.0.0.1:silent.port …
 * expect(silent.connections).toBe(0);
 */
export async function startSilentListener(options: { greeting?: string; host?: string; port?: number } = {}): Promise<CountingListener> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    if (options.greeting) socket.write(options.greeting);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens (connections are refused). */
export const findClosedPort = findFreePort;

/** An IMAP server that takes any sign-in attempt and writes down everything it was sent. */
export interface RecordingImapListener extends CountingListener {
  /** Every line received, in order (sign-in lines included: this is the attacker's view). */
  readonly lines: readonly string[];
  /** True when `secret` arrived in any form a client sends it: raw, or inside base64 (SASL PLAIN, XOAUTH2). */
  saw(secret: string): boolean;
}

/**
 * An attacker's mail server on 127.0.0.1 (plain IMAP): it greets, offers `AUTH=PLAIN`, accepts
 * `LOGIN` and `AUTHENTICATE` (then refuses them) and records every line — the proof that a saved
 * secret was, or was not, sent to a server of someone else's choosing.
 *
 * @example
 * const evil = await startRecordingImapListener();
 * // … POST /test naming 127.0.0.1:evil.port …
 * expect(evil.connections).toBe(0);
 */
export async function startRecordingImapListener(): Promise<RecordingImapListener> {
  const lines: string[] = [];
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.write('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2] ready\r\n');
    let buffer = '';
    let pendingTag: string | undefined;
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        lines.push(line);
        if (pendingTag) {
          socket.write(`${pendingTag} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n`);
          pendingTag = undefined;
          continue;
        }
        const [tag = '*', command = ''] = line.split(' ');
        const verb = command.toUpperCase();
        if (verb === 'CAPABILITY') socket.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2\r\n${tag} OK done\r\n`);
        else if (verb === 'AUTHENTICATE' && line.trim().split(' ').length === 3) {
          pendingTag = tag;
          socket.write('+ \r\n');
        } else if (verb === 'AUTHENTICATE' || verb === 'LOGIN') socket.write(`${tag} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n`);
        else if (verb === 'LOGOUT') socket.end(`* BYE\r\n${tag} OK bye\r\n`);
        else socket.write(`${tag} OK done\r\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const decoded = () =>
    lines.flatMap((line) => [line, ...line.split(/\s+/).filter((word) => /^[A-Za-z0-9+/]{8,}={0,2}$/.test(word)).map((word) => Buffer.from(word, 'base64').toString('latin1'))]);
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    get lines() {
      return lines;
    },
    saw: (secret) => decoded().some((text) => text.includes(secret)),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
