import { SafeNetwork } from '../net/index.js';
import { createTestCa, type TestCa } from './certs.js';
import { startDnsServer, type TestDnsServer } from './dns-server.js';
import { startDovecot, type DovecotOptions, type TestDovecot } from './dovecot.js';
import { startSmtpServer, type SmtpServerHarnessOptions, type TestSmtpServer } from './smtp-server.js';

/** Names the local DNS server points at 127.0.0.1, and that the certificates cover. */
export const MAIL_TEST_HOSTS = {
  imap: 'imap.mail.test',
  smtp: 'smtp.mail.test',
  /** Resolves to loopback but is on no certificate: for name-mismatch tests. */
  other: 'other.mail.test',
} as const;

export interface TestMailServers {
  ca: TestCa;
  dovecot: TestDovecot;
  smtp: TestSmtpServer;
  dns: TestDnsServer;
  /** A SafeNetwork that resolves through the local DNS server and may reach loopback. */
  network: SafeNetwork;
  /** Environment for `createTestApp`: private networks allowed, DNS through the local server. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Dovecot, an SMTP server and a DNS server on loopback, sharing one test CA, with
 * `imap.mail.test`, `smtp.mail.test` and `other.mail.test` (plus `extraNames`) resolving to
 * 127.0.0.1. One call per test file.
 *
 * @example
 * const mail = await startMailServers({ dovecot: { introspect: (token) => … } });
 * const result = await testImap(mail.network, { host: MAIL_TEST_HOSTS.imap, port: mail.dovecot.imapsPort, security: 'tls', username }, …, { ca: mail.ca.cert, … });
 */
export async function startMailServers(
  options: { dovecot?: DovecotOptions; smtp?: SmtpServerHarnessOptions; extraNames?: string[] } = {},
): Promise<TestMailServers> {
  const ca = createTestCa();
  const extra = options.extraNames ?? [];
  const [dovecot, smtp, dns] = await Promise.all([
    startDovecot({ ca, certNames: [MAIL_TEST_HOSTS.imap, 'localhost', ...extra], ...options.dovecot }),
    startSmtpServer({ ca, certNames: [MAIL_TEST_HOSTS.smtp, 'localhost', ...extra], ...options.smtp }),
    startDnsServer(Object.fromEntries([...Object.values(MAIL_TEST_HOSTS), ...extra].map((name) => [name, { A: ['127.0.0.1'] }]))),
  ]);
  return {
    ca,
    dovecot,
    smtp,
    dns,
    network: new SafeNetwork({ allowPrivateNetworks: true, dnsServers: [dns.address] }),
    env: { EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS: 'true', EMAIL_WIZARD_DNS_SERVERS: dns.address },
    async stop() {
      await Promise.all([dovecot.stop(), smtp.stop(), dns.close()]);
    },
  };
}
