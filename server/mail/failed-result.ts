import { explainFailure } from './diagnose.js';
import type { PhaseTracker } from './phases.js';
import type { MailConnection } from './socket.js';
import type { MailCredentials, MailServer, Protocol, ProtocolResult, TesterOptions } from './types.js';

/** What a tester holds when its test fails. */
export interface FailedTest {
  tracker: PhaseTracker;
  connection: MailConnection;
  client?: { close(): void };
  server: MailServer;
  credentials: MailCredentials;
  options: TesterOptions;
}

/**
 * Ends a failed IMAP or SMTP test the same way for both: stops the phase clock, closes the
 * client and the socket, checks whether the port speaks implicit TLS (for the "use TLS" advice)
 * and explains the failure as a contract error.
 */
export async function failedResult(protocol: Protocol, failure: unknown, test: FailedTest): Promise<ProtocolResult> {
  const { tracker, connection, server, options } = test;
  const phase = tracker.fail();
  test.client?.close();
  connection.destroy();
  const portSpeaksTls = await connection.portSpeaksTlsAfter(phase, failure);
  return {
    ok: false,
    phases: tracker.phases,
    error: explainFailure(failure, {
      protocol,
      server,
      phase,
      credentials: test.credentials.kind,
      ...(test.credentials.kind === 'oauth' && test.credentials.account ? { account: test.credentials.account } : {}),
      oauthProvider: options.oauthProvider,
      greetingTimeoutMs: options.greetingTimeoutMs,
      certificate: connection.certificate,
      address: connection.address,
      portSpeaksTls,
    }),
  };
}
