import { describe, expect, it } from 'vitest';
import { isLocalhostName, normaliseHost, sameHost } from './host.js';

describe('normaliseHost', () => {
  it.each([
    ['IMAP.Example.COM', 'imap.example.com'],
    ['imap.example.com.', 'imap.example.com'],
    [' imap.example.com ', 'imap.example.com'],
    ['imap.bücher.test', 'imap.xn--bcher-kva.test'],
    ['IMAP.BÜCHER.test.', 'imap.xn--bcher-kva.test'],
    ['imap.xn--bcher-kva.test', 'imap.xn--bcher-kva.test'],
    ['2130706433', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['[::1]', '::1'],
    ['::FFFF:127.0.0.1', '127.0.0.1'],
    ['2001:DB8::1', '2001:db8::1'],
  ])('%s → %s', (text, normal) => {
    expect(normaliseHost(text)).toBe(normal);
  });

  it.each(['', ' ', 'exa mple.com', 'a..b', '-x.example', 'x'.repeat(64) + '.example'])('is undefined for "%s"', (text) => {
    expect(normaliseHost(text)).toBeUndefined();
  });

  it('compares hosts after normalising both', () => {
    expect(sameHost('IMAP.bücher.test.', 'imap.xn--bcher-kva.test')).toBe(true);
    expect(sameHost('127.1', '2130706433')).toBe(true);
    expect(sameHost('imap.example.com', 'imap.example.net')).toBe(false);
    expect(sameHost('', '')).toBe(false);
  });
});

describe('isLocalhostName', () => {
  it.each(['localhost', 'LOCALHOST.', 'imap.localhost', 'a.b.localhost'])('%s is reserved (RFC 6761)', (name) => {
    expect(isLocalhostName(name)).toBe(true);
  });
  it.each(['localhost.example.com', 'mylocalhost', 'example.com', '127.0.0.1'])('%s is not', (name) => {
    expect(isLocalhostName(name)).toBe(false);
  });
});
