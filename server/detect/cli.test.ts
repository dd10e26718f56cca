import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../testing/dns-server.js';
import { runDetectCli } from './cli.js';

let dns: TestDnsServer;

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runDetectCli(args, {
    env: { EMAIL_WIZARD_DNS_SERVERS: dns.address, EMAIL_WIZARD_ALLOW_PRIVATE_NETWORKS: 'true', EMAIL_WIZARD_DETECT_TIMEOUT_MS: '1000' },
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dns = await startDnsServer({
    'fabrikam.test': { MX: [{ exchange: 'fabrikam-test.mail.protection.outlook.com', priority: 0 }] },
    'empty.test': {},
  });
});

afterAll(async () => {
  await dns?.close();
});

describe('email-config-wizard detect', () => {
  it('prints the result as JSON with --json', async () => {
    const { code, stdout } = await run(['ops@fabrikam.test', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ source: 'mx', provider: { id: 'microsoft-365' }, imap: { host: 'outlook.office365.com', username: 'ops@fabrikam.test' } });
  });

  it('prints a short summary, with progress on stderr', async () => {
    const { code, stdout, stderr } = await run(['ops@fabrikam.test']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ops@fabrikam\.test: Microsoft 365 \(OAuth: microsoft\), source mx, confidence high/);
    expect(stdout).toMatch(/IMAP {2}outlook\.office365\.com:993 +TLS +user ops@fabrikam\.test/);
    expect(stdout).toContain('Sign-in: oauth\n');
    expect(stderr).toMatch(/mx: found/);
  });

  it('exits 3 when nothing was found', async () => {
    const { code, stdout } = await run(['ops@empty.test']);
    expect(code).toBe(3);
    expect(stdout).toContain('source none');
  });

  it('exits 64 with a sentence for a bad address, and with usage for bad arguments', async () => {
    const bad = await run(['not-an-address']);
    expect(bad).toMatchObject({ code: 64, stdout: '' });
    expect(bad.stderr).toContain('has no @');
    for (const args of [[], ['a@b.test', 'c@d.test'], ['a@b.test', '--verbose']]) {
      const usage = await run(args);
      expect(usage.code).toBe(64);
      expect(usage.stderr).toContain('Usage: email-config-wizard detect <email> [--json]');
    }
  });
});
