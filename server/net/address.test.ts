import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classifyAddress, parseIpLiteral } from './address.js';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456:789a::1', 'uniqueLocal'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.254', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.10', 'reserved'],
    ['240.0.0.1', 'reserved'],
  ])('blocks %s (%s)', (ip, range) => {
    expect(classifyAddress(ip)).toEqual({ blocked: true, range });
  });

  it.each([
    // IPv4-mapped IPv6, in both spellings, is judged as the IPv4 address inside.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['[::ffff:169.254.169.254]', 'linkLocal'],
    ['::ffff:a9fe:a9fe', 'linkLocal'],
    ['::ffff:10.1.2.3', 'private'],
    // Decimal, hex, octal and short IPv4 spellings that getaddrinfo/inet_aton accept.
    ['2130706433', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['0x7f.0.0.1', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['127.1', 'loopback'],
    ['2852039166', 'linkLocal'],
    ['0xa9.0xfe.0xa9.0xfe', 'linkLocal'],
    ['012.0.0.1', 'private'],
    // IPv6 forms that embed an IPv4 address are refused as a whole.
    ['64:ff9b::7f00:1', 'rfc6052'],
    ['2002:7f00:1::', '6to4'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
  ])('sees through the spelling %s (%s)', (ip, range) => {
    expect(classifyAddress(ip)).toEqual({ blocked: true, range });
  });

  it.each([
    // IPv4-compatible (deprecated) forms of loopback and the metadata address.
    ['::7f00:1', 'notGlobalUnicast'],
    ['::7f00:2', 'notGlobalUnicast'],
    ['::a9fe:a9fe', 'notGlobalUnicast'],
    // Outside global unicast 2000::/3: ipaddr.js has no name for these and called them unicast.
    ['fe00::1', 'notGlobalUnicast'],
    ['4000::1', 'notGlobalUnicast'],
    ['1000::1', 'notGlobalUnicast'],
    ['e000::1', 'notGlobalUnicast'],
    // Special-purpose blocks inside 2000::/3.
    ['2001:2::1', 'benchmarking'],
    ['2001:1::1', 'reserved'],
    ['3fff::1', 'reserved'],
  ])('allows IPv6 only in global unicast 2000::/3: blocks %s (%s)', (ip, range) => {
    expect(classifyAddress(ip)).toEqual({ blocked: true, range });
  });

  it.each(['8.8.8.8', '93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001:82b::200e'])('allows the public address %s', (ip) => {
    expect(classifyAddress(ip)).toEqual({ blocked: false, range: 'unicast' });
  });

  it.each(['', 'localhost', 'example.com', '1.2.3.4.5', '::g', '999.1.1.1'])('blocks "%s", which is no IP address', (text) => {
    expect(classifyAddress(text)).toEqual({ blocked: true, range: 'invalid' });
  });

  it('blocks every private IPv4 address however it is spelled', () => {
    const privateV4 = fc.oneof(
      fc.tuple(fc.constant(10), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(192), fc.constant(168), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(127), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(169), fc.constant(254), fc.nat(255), fc.nat(255)),
    );
    fc.assert(
      fc.property(privateV4, fc.constantFrom('dotted', 'decimal', 'hex', 'octal', 'mapped'), (octets, spelling) => {
        const value = octets.reduce((n, o) => n * 256 + o, 0);
        const text = {
          dotted: octets.join('.'),
          decimal: String(value),
          hex: `0x${value.toString(16)}`,
          octal: octets.map((o) => `0${o.toString(8)}`).join('.'),
          mapped: `::ffff:${octets.join('.')}`,
        }[spelling];
        expect(classifyAddress(text).blocked).toBe(true);
      }),
    );
  });
});

describe('parseIpLiteral', () => {
  it('normalises odd spellings to the canonical address', () => {
    expect(parseIpLiteral('0x7f.1')).toEqual({ address: '127.0.0.1', family: 4 });
    expect(parseIpLiteral('[::ffff:127.0.0.1]')).toEqual({ address: '127.0.0.1', family: 4 });
    expect(parseIpLiteral('2001:DB8::1')).toEqual({ address: '2001:db8::1', family: 6 });
  });

  it('leaves host names alone, including ones that start with digits', () => {
    for (const name of ['imap.example.com', '1und1.de', '123.example', '0x7f.example', 'a.b']) expect(parseIpLiteral(name)).toBeUndefined();
  });
});
