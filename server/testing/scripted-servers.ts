import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import tls from 'node:tls';

/**
 * Small scripted mail servers on 127.0.0.1 for the quirks real Dovecot and smtp-server cannot
 * show on loopback: IMAP `LOGINDISABLED`, Microsoft's "User is authenticated but not connected.",
 * SMTP `530 … STARTTLS` and `421`. A script answers line by line; a proxy in front of a real
 * server holds its greeting back (a slow server).
 */
export interface ScriptedServer {
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Every line the clients sent (AUTH lines included: test data only). */
  lines: string[];
  stop(): Promise<void>;
}

/** What a script can do with the connection. */
export interface ScriptIo {
  /** Sends one reply (a line break is added; embed `\r\n` for several lines). */
  send(text: string): void;
  /** Ends the connection. */
  close(): void;
}

export interface ScriptOptions {
  /** The first thing the server says (without the line break), or nothing. */
  greeting?: string;
  /** Answers one line from the client. */
  onLine(line: string, io: ScriptIo): void;
  /** Implicit TLS with this certificate. */
  tls?: { key: string; cert: string };
}

/** Starts a scripted line server. */
export async function startScriptedServer(options: ScriptOptions): Promise<ScriptedServer> {
  let connections = 0;
  const lines: string[] = [];
  const sockets = new Set<Socket>();
  const handle = (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const io: ScriptIo = {
      send: (text) => {
        if (!socket.destroyed) socket.write(`${text}\r\n`);
      },
      close: () => socket.end(),
    };
    let buffer = '';
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        lines.push(line);
        options.onLine(line, io);
      }
    });
    if (options.greeting !== undefined) io.send(options.greeting);
  };
  const server: Server = options.tls ? tls.createServer({ key: options.tls.key, cert: options.tls.cert }, handle) : createServer(handle);
  server.on('error', () => {});
  if (options.tls) server.on('tlsClientError', () => {});
  return listen(server, sockets, () => connections, lines);
}

/**
 * A TCP proxy to `targetPort` that holds the server's first bytes (its greeting) back for
 * `delayMs`, then passes everything through: a healthy but slow server.
 */
export async function startSlowGreetingProxy(targetPort: number, delayMs: number): Promise<ScriptedServer> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    connections += 1;
    sockets.add(client);
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    sockets.add(upstream);
    const held: Buffer[] = [];
    let open = false;
    const timer = setTimeout(() => {
      open = true;
      for (const chunk of held.splice(0)) client.write(chunk);
    }, delayMs);
    upstream.on('data', (chunk: Buffer) => (open ? client.write(chunk) : held.push(chunk)));
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    const end = () => {
      clearTimeout(timer);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
      socket.on('close', () => sockets.delete(socket));
    }
  });
  return listen(server, sockets, () => connections, []);
}

async function listen(server: Server, sockets: Set<Socket>, count: () => number, lines: string[]): Promise<ScriptedServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return count();
    },
    lines,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** IMAP tags and commands: `a1 LOGIN …` → ['a1', 'LOGIN']. */
function imapCommand(line: string): { tag: string; command: string } {
  const [tag = '*', command = ''] = line.split(' ');
  return { tag, command: command.toUpperCase() };
}

/** An IMAP server that refuses any login before TLS: `LOGINDISABLED`, and STARTTLS offered. */
export function imapLoginDisabledScript(): ScriptOptions {
  const capabilities = 'IMAP4rev1 STARTTLS LOGINDISABLED';
  return {
    greeting: `* OK [CAPABILITY ${capabilities}] Plaintext login is disabled here`,
    onLine(line, io) {
      const { tag, command } = imapCommand(line);
      if (command === 'CAPABILITY') io.send(`* CAPABILITY ${capabilities}\r\n${tag} OK Capability completed.`);
      else if (command === 'LOGIN') io.send(`${tag} NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure connections.`);
      else if (command === 'LOGOUT') {
        io.send(`* BYE Logging out\r\n${tag} OK Logout completed.`);
        io.close();
      } else io.send(`${tag} BAD Not supported here.`);
    },
  };
}

/**
 * Exchange Online's answer when a valid token's account may not open the mailbox named as the
 * user: `NO User is authenticated but not connected.` (over implicit TLS with `tls`).
 */
export function imapNotConnectedScript(certificate: { key: string; cert: string }): ScriptOptions {
  const capabilities = 'IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=XOAUTH2 AUTH=OAUTHBEARER';
  let waitingForSasl: string | undefined;
  return {
    tls: certificate,
    greeting: `* OK [CAPABILITY ${capabilities}] The Microsoft Exchange IMAP4 service is ready.`,
    onLine(line, io) {
      if (waitingForSasl) {
        const tag = waitingForSasl;
        waitingForSasl = undefined;
        io.send(`${tag} NO User is authenticated but not connected.`);
        return;
      }
      const { tag, command } = imapCommand(line);
      if (command === 'CAPABILITY') io.send(`* CAPABILITY ${capabilities}\r\n${tag} OK CAPABILITY completed.`);
      else if (command === 'AUTHENTICATE') {
        // With SASL-IR the token comes on the same line; otherwise after a continuation.
        if (line.split(' ').length > 3) io.send(`${tag} NO User is authenticated but not connected.`);
        else {
          waitingForSasl = tag;
          io.send('+ ');
        }
      } else if (command === 'ID') io.send(`* ID NIL\r\n${tag} OK ID completed.`);
      else if (command === 'LOGOUT') {
        io.send(`* BYE Microsoft Exchange Server IMAP4 server signing off.\r\n${tag} OK LOGOUT completed.`);
        io.close();
      } else io.send(`${tag} BAD Command Argument Error. 11`);
    },
  };
}

/** An SMTP server that offers AUTH in plaintext but refuses it: `530 5.7.0 Must issue a STARTTLS command first`. */
export function smtpStartTlsFirstScript(): ScriptOptions {
  return {
    greeting: '220 smtp.example ESMTP ready',
    onLine(line, io) {
      const verb = line.split(' ')[0]!.toUpperCase();
      if (verb === 'EHLO') io.send('250-smtp.example\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME');
      else if (verb === 'HELO') io.send('250 smtp.example');
      else if (verb === 'AUTH') io.send('530 5.7.0 Must issue a STARTTLS command first');
      else if (verb === 'QUIT') {
        io.send('221 2.0.0 Bye');
        io.close();
      } else io.send('502 5.5.1 Unrecognized command');
    },
  };
}

/** An SMTP server that says "not now" from its first line: `421 4.7.0 Try again later`. */
export function smtpTryLaterScript(): ScriptOptions {
  return {
    greeting: '421 4.7.0 Try again later, closing connection.',
    onLine(_line, io) {
      io.send('421 4.7.0 Try again later, closing connection.');
      io.close();
    },
  };
}
