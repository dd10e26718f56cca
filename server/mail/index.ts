/**
 * Real IMAP and SMTP connection tests: phase by phase, through the SSRF-safe network layer,
 * with every failure explained as a contract code, a sentence and steps a person can act on.
 */
export { MailTestService, DEFAULT_LIMITS, type MailTestDependencies, type MailTestLimits, type PreparedTest, type TestAnswer, type TestCaller } from './service.js';
export { testImap, type ImapTestOptions } from './imap-tester.js';
export { testSmtp, type SmtpTestOptions } from './smtp-tester.js';
export { explainFailure, type FailureContext } from './diagnose.js';
export { providerForHost, stepsFor } from './advice.js';
export { MAIL_TEST_CODES, type MailTestCode, type MailCredentials, type Phase, type PhaseName, type Protocol, type ProtocolResult, type TestError } from './types.js';
