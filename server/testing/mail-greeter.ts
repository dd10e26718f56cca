import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { TestCertificate } from './certs.js';

export interface MailGreeter {
  port: number;
  readonly connections: number;
  /** Every command a client sent, in order (proves no login was attempted). */
  readonly commands: string[];
  close(): Promise<void>;
}

/**
 * A minimal IMAP or SMTP server on 127.0.0.1 for detection tests: it greets, answers
 * CAPABILITY/EHLO/STARTTLS/LOGOUT/QUIT, refuses everything else, and records every command.
 * `mode` `tls` speaks TLS from the first byte; `starttls` upgrades on request; both use
 * `certificate`.
 */
export async function startMailGreeter(protocol: 'imap' | 'smtp', mode: 'tls' | 'starttls', certificate: TestCertificate, port = 0): Promise<MailGreeter> {
  let connections = 0;
  const commands: string[] = [];
  const sockets = new Set<net.Socket>();
  const secureContext = tls.createSecureContext({ key: certificate.key, cert: certificate.cert });

  const converse = (socket: net.Socket, secure: boolean) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      let end: number;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end).replace(/\r$/, '');
        buffer = buffer.slice(end + 1);
        commands.push(line);
        if (answer(line) === 'upgrade') return;
      }
    };
    const answer = (line: string): 'upgrade' | undefined => {
      if (protocol === 'imap') {
        const [tag = '*', verb = ''] = line.split(' ');
        switch (verb.toUpperCase()) {
          case 'CAPABILITY':
            socket.write(`* CAPABILITY IMAP4rev1${secure ? ' AUTH=PLAIN' : ' STARTTLS LOGINDISABLED'}\r\n${tag} OK done\r\n`);
            return;
          case 'STARTTLS':
            if (secure || mode !== 'starttls') return void socket.write(`${tag} BAD not now\r\n`);
            socket.write(`${tag} OK begin TLS\r\n`);
            return upgrade();
          case 'LOGOUT':
            socket.end(`* BYE\r\n${tag} OK bye\r\n`);
            return;
          default:
            socket.write(`${tag} NO not in this test\r\n`);
            return;
        }
      }
      const verb = line.split(' ')[0]?.toUpperCase() ?? '';
      switch (verb) {
        case 'EHLO':
          socket.write(`250-test.invalid\r\n${!secure && mode === 'starttls' ? '250-STARTTLS\r\n' : ''}250 AUTH PLAIN LOGIN\r\n`);
          return;
        case 'STARTTLS':
          if (secure || mode !== 'starttls') return void socket.write('503 not now\r\n');
          socket.write('220 go ahead\r\n');
          return upgrade();
        case 'QUIT':
          socket.end('221 bye\r\n');
          return;
        default:
          socket.write('502 not in this test\r\n');
          return;
      }
    };
    const upgrade = (): 'upgrade' => {
      socket.off('data', onData);
      const secureSocket = new tls.TLSSocket(socket, { isServer: true, secureContext });
      secureSocket.on('error', () => {});
      sockets.add(secureSocket);
      secureSocket.once('secure', () => converse(secureSocket, true));
      return 'upgrade';
    };
    socket.on('data', onData);
    if (!secure || mode === 'tls') greet(socket);
  };
  const greet = (socket: net.Socket) => socket.write(protocol === 'imap' ? '* OK test IMAP ready\r\n' : '220 test.invalid ESMTP ready\r\n');

  const server =
    mode === 'tls'
      ? tls.createServer({ key: certificate.key, cert: certificate.cert }, (socket) => converse(socket, true))
      : net.createServer((socket) => converse(socket, false));
  server.on('connection', (socket: net.Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    commands,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
