import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DetectionProgress, DetectionResult } from './types.js';

/**
 * With private networks disallowed, detection never connects to an address a hostile domain
 * points at — loopback, private, link-local (the cloud metadata address), mapped IPv6 — proved
 * by counting listeners on those addresses and the real mail/web ports. It runs inside a
 * loopback-only network namespace (root and iproute2 needed), so nothing can leave the machine.
 */
const namespace = `ecw-detect-${process.pid}`;

interface Report {
  victim: { result: DetectionResult; events: DetectionProgress[] };
  guessVictim: { result: DetectionResult; events: DetectionProgress[] };
  redirect: { result: DetectionResult; events: DetectionProgress[] };
  publicDomain: { result: DetectionResult; events: DetectionProgress[] };
  direct: Record<string, string>;
  publicRequests: string[];
  countsAfterStrict: Record<string, number>;
  countsAfterControl: Record<string, number>;
}

let report: Report;

describe('blocked addresses (loopback-only network namespace)', () => {
  beforeAll(() => {
    if (process.getuid?.() !== 0) throw new Error('This suite creates a loopback-only network namespace: run npm test as root (with iproute2).');
    const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
    ip('netns', 'add', namespace);
    try {
      ip('netns', 'exec', namespace, 'ip', 'link', 'set', 'lo', 'up');
      for (const address of ['10.9.9.9/32', '169.254.169.254/32', '93.184.216.34/32']) ip('netns', 'exec', namespace, 'ip', 'addr', 'add', address, 'dev', 'lo');
      const scenario = fileURLToPath(new URL('../testing/detect-netns-scenario.ts', import.meta.url));
      const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
      const output = execFileSync('ip', ['netns', 'exec', namespace, tsx, scenario], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
      report = JSON.parse(output.toString()) as Report;
    } finally {
      spawnSync('ip', ['netns', 'del', namespace]);
    }
  });

  afterAll(() => {
    spawnSync('ip', ['netns', 'del', namespace]);
  });

  it('makes no connection at all to blocked addresses named by MX, autoconfig, SRV or guessed hosts', () => {
    expect(Object.values(report.countsAfterStrict).reduce((a, b) => a + b, 0)).toBe(0);
    const ended = Object.fromEntries(report.victim.events.filter((e) => e.status === 'end').map((e) => [e.source, e]));
    // A name that resolves only to blocked addresses answers exactly like one that does not resolve.
    expect(ended.autoconfig).toEqual(expect.objectContaining({ found: false }));
    expect(ended.autoconfig).not.toHaveProperty('error');
    // SRV targets on internal addresses are not handed out (no probe of the server's own network names).
    expect(ended.srv).toEqual(expect.objectContaining({ found: false }));
    expect(report.victim.result).toMatchObject({ source: 'none', imap: null, smtp: null });
    expect(JSON.stringify(report.victim.result)).not.toMatch(/imap\.victim\.test|smtp\.victim\.test/);
    const guessed = report.guessVictim.events.find((e) => e.source === 'guess' && e.status === 'end');
    expect(guessed).toEqual(expect.objectContaining({ found: false }));
    expect(guessed).not.toHaveProperty('error');
    expect(report.guessVictim.result).toMatchObject({ source: 'none', imap: null, smtp: null });
  });

  it('would have counted those connections (control run with private networks allowed)', () => {
    expect(Object.values(report.countsAfterControl).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('refuses every spelling of the metadata, private and loopback addresses', () => {
    // `localhost` is blocked by name (RFC 6761), like every spelling of a blocked address; a name
    // that resolves only to blocked addresses answers like one that does not exist.
    const expected = (host: string) => (host === 'mx.victim.test' ? 'DNS_NOT_FOUND' : 'BLOCKED_ADDRESS');
    for (const [host, code] of Object.entries(report.direct)) expect({ host, code }).toEqual({ host, code: expected(host) });
  });

  it('does not follow a public server’s redirect to an internal name', () => {
    expect(report.publicRequests).toContain('autoconfig.redirect.test /mail/config-v1.1.xml?emailaddress=help%40redirect.test');
    const redirected = report.redirect.events.find((e) => e.source === 'autoconfig' && e.status === 'end');
    expect(redirected).toEqual(expect.objectContaining({ found: false }));
    expect(redirected).not.toHaveProperty('error');
    expect(report.countsAfterStrict['127.0.0.1:443']).toBe(0);
  });

  it('still detects a domain whose autoconfig is on a public address', () => {
    expect(report.publicDomain.result).toMatchObject({ source: 'autoconfig', imap: { host: 'imap.public.test', port: 993, security: 'tls' } });
  });
});
