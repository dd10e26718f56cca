import { describe, expect, it } from 'vitest';
import { InvalidEmailError, normaliseEmail } from './address.js';

describe('normaliseEmail', () => {
  it('trims, lower-cases the domain, keeps the local part and drops a trailing dot', () => {
    expect(normaliseEmail('  Support@Company.COM. ')).toEqual({ email: 'Support@company.com', localPart: 'Support', domain: 'company.com' });
  });

  it('turns an international domain into punycode', () => {
    expect(normaliseEmail('info@Bücher.de')).toEqual({ email: 'info@xn--bcher-kva.de', localPart: 'info', domain: 'xn--bcher-kva.de' });
    expect(normaliseEmail('kontakt@münchen.de').domain).toBe('xn--mnchen-3ya.de');
  });

  it('accepts the usual local-part characters and international local parts', () => {
    expect(normaliseEmail("o'brien+tickets@example.org").localPart).toBe("o'brien+tickets");
    expect(normaliseEmail('jürgen@example.de').email).toBe('jürgen@example.de');
  });

  it('normalises a combining accent to the precomposed letter (NFC), so both spellings are one address', () => {
    const combining = 'Jose\u0301@example.com';
    const precomposed = 'Jos\u00e9@example.com';
    expect(combining).not.toBe(precomposed);
    expect(normaliseEmail(combining)).toEqual(normaliseEmail(precomposed));
    expect(normaliseEmail(combining).localPart).toBe('Jos\u00e9');
  });

  it.each([
    ['Thai', 'ติดต่อ@example.co.th', 'ติดต่อ'],
    ['Hindi', 'संपर्क@example.in', 'संपर्क'],
    ['Hindi on a Hindi domain', 'संपर्क@डाटामेल.भारत', 'संपर्क'],
    ['Chinese', '支持@example.cn', '支持'],
    ['Greek with a dot', 'υποστήριξη.πελατών@example.gr', 'υποστήριξη.πελατών'],
  ])('accepts an internationalised local part (RFC 6531): %s', (_, input, localPart) => {
    const address = normaliseEmail(input);
    expect(address.localPart).toBe(localPart);
    expect(address.domain).toMatch(/^[a-z0-9.-]+$/);
  });

  it.each([
    ['a combining mark with nothing to sit on', '\u0301abc@example.com'],
    ['a combining mark after a dot', 'abc.\u0301def@example.com'],
    ['an invisible format character', 'sup\u200Bport@example.com'],
    ['a right-to-left override', 'sup\u202Eport@example.com'],
    ['a no-break space', 'sup\u00A0port@example.com'],
    ['a private-use character', 'sup\uE000port@example.com'],
  ])('still refuses %s', (_, input) => {
    expect(() => normaliseEmail(input)).toThrow(InvalidEmailError);
  });

  it.each([
    ['', 'Enter an email address, such as support@company.com.'],
    ['   ', 'Enter an email address, such as support@company.com.'],
    ['support', '"support" has no @: enter a full address, such as support@company.com.'],
    ['a@b@example.com', 'An email address has exactly one @.'],
    ['@example.com', 'The part before the @ is missing.'],
    ['support@', 'The domain after the @ is missing.'],
    ['sup port@example.com', 'An email address cannot contain spaces or control characters.'],
    ['support@exa\u0000mple.com', 'An email address cannot contain spaces or control characters.'],
    ['support@example.com\nBcc: x@evil.test', 'An email address cannot contain spaces or control characters.'],
    ['support\t@example.com', 'An email address cannot contain spaces or control characters.'],
    ['support@127.0.0.1', 'Use an address with a domain name, not an IP address, after the @.'],
    ['support@[127.0.0.1]', 'Use an address with a domain name, not an IP address, after the @.'],
    ['support@[::1]', 'Use an address with a domain name, not an IP address, after the @.'],
    ['support@2130706433', 'Use an address with a domain name, not an IP address, after the @.'],
    ['support@localhost', '"localhost" is not a valid domain name.'],
    ['support@-bad.com', '"-bad.com" is not a valid domain name.'],
    ['support@exa_mple.com', '"exa_mple.com" is not a valid domain name.'],
    ['support@example..com', '"example..com" is not a valid domain name.'],
    ['.support@example.com', 'The part before the @ cannot start or end with a dot, or have two dots in a row.'],
    ['sup..port@example.com', 'The part before the @ cannot start or end with a dot, or have two dots in a row.'],
    ['"quoted"@example.com', 'The part before the @ contains characters an address cannot have.'],
    ['<support@example.com>', 'The part before the @ contains characters an address cannot have.'],
    [`${'a'.repeat(65)}@example.com`, 'The part before the @ is longer than the 64 characters an address allows.'],
  ])('refuses %j with a sentence', (input, message) => {
    expect(() => normaliseEmail(input)).toThrow(new InvalidEmailError(message));
  });

  it('refuses a 300-character domain and a label over 63 characters', () => {
    const longDomain = `${'a'.repeat(60)}.`.repeat(5) + 'com';
    expect(longDomain.length).toBeGreaterThan(300);
    expect(() => normaliseEmail(`support@${longDomain}`)).toThrow(InvalidEmailError);
    expect(() => normaliseEmail(`support@${'a'.repeat(64)}.com`)).toThrow(InvalidEmailError);
  });

  it('refuses an address over 254 characters', () => {
    const domain = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.com`;
    expect(() => normaliseEmail(`${'x'.repeat(60)}@${domain}`)).toThrow('The address is longer than the 254 characters an address allows.');
  });

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 42, {}, ['a@b.com']]) {
      expect(() => normaliseEmail(value)).toThrow('Enter an email address, such as support@company.com.');
    }
  });

  it('marks its errors with the contract code', () => {
    try {
      normaliseEmail('nope');
    } catch (error) {
      expect((error as InvalidEmailError).code).toBe('INVALID_EMAIL');
    }
  });
});
