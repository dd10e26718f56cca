import type { DetectionResult, SettingsView, TestResult } from '../api.js';

/** Sample contract payloads for widget tests. */
export const detection = (overrides: Partial<DetectionResult> = {}): DetectionResult => ({
  email: 'support@company.com',
  domain: 'company.com',
  provider: { id: 'google-workspace', name: 'Google Workspace', oauth: 'google', supported: true },
  imap: { host: 'imap.gmail.com', port: 993, security: 'tls', username: 'support@company.com' },
  smtp: { host: 'smtp.gmail.com', port: 587, security: 'starttls', username: 'support@company.com' },
  source: 'mx',
  confidence: 'high',
  authMethods: ['oauth', 'password'],
  notes: ['Use an app password: Google Account → Security → App passwords.'],
  alternatives: [],
  elapsedMs: 12,
  ...overrides,
});

export const passedTest: TestResult = {
  ok: true,
  imap: { ok: true, phases: [{ name: 'connect', ok: true, ms: 12 }, { name: 'tls', ok: true, ms: 8 }, { name: 'authenticate', ok: true, ms: 30 }] },
  smtp: { ok: true, phases: [{ name: 'connect', ok: true, ms: 10 }, { name: 'authenticate', ok: true, ms: 25 }] },
};

export const failedPortTest: TestResult = {
  ok: false,
  imap: {
    ok: false,
    phases: [{ name: 'connect', ok: false, ms: 4 }],
    error: { code: 'TLS_FAILED', message: 'Port 143 expects STARTTLS, not TLS.', field: 'imap.port', steps: ['Use port 993 with TLS, or choose STARTTLS for port 143.'] },
  },
  smtp: { ok: true, phases: [{ name: 'connect', ok: true, ms: 10 }] },
};

export const savedSettings = (overrides: Partial<SettingsView> = {}): SettingsView => ({
  accountId: 'acct-1',
  email: 'support@company.com',
  imap: { host: 'imap.company.com', port: 993, security: 'tls', username: 'support@company.com' },
  smtp: { host: 'smtp.company.com', port: 465, security: 'tls', username: 'support@company.com' },
  auth: { method: 'password', hasPassword: true, hasSmtpPassword: false },
  fromName: 'Company Support',
  checkIntervalSeconds: 300,
  deleteAfterProcessing: false,
  allowUntrustedCertificates: false,
  status: 'connected',
  lastTest: { at: '2026-11-25T10:00:00.000Z', ok: true },
  createdAt: '2026-11-20T10:00:00.000Z',
  updatedAt: '2026-11-25T10:00:00.000Z',
  ...overrides,
});
