import { describe, expect, it } from 'vitest';
import { parseAutoconfig } from './autoconfig-xml.js';

const doc = (servers: string, extra = '') => `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.com">
    <domain>example.com</domain>
    <displayName>Example Mail</displayName>
    ${servers}
  </emailProvider>${extra}
</clientConfig>`;

describe('parseAutoconfig', () => {
  it('picks the first usable IMAP and SMTP servers, skipping POP3 and plaintext entries', () => {
    const xml = doc(`
      <incomingServer type="pop3"><hostname>pop.example.com</hostname><port>995</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
      <incomingServer type="imap"><hostname>plain.example.com</hostname><port>143</port><socketType>plain</socketType><username>%EMAILADDRESS%</username></incomingServer>
      <incomingServer type="imap"><hostname>IMAP.example.com</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILLOCALPART%</username></incomingServer>
      <incomingServer type="imap"><hostname>imap2.example.com</hostname><port>143</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username></incomingServer>
      <outgoingServer type="smtp"><hostname>smtp.example.com</hostname><port>25</port><socketType>plain</socketType></outgoingServer>
      <outgoingServer type="smtp"><hostname>smtp.example.com</hostname><port>587</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username></outgoingServer>`);
    expect(parseAutoconfig(xml)).toEqual({
      displayName: 'Example Mail',
      imap: { host: 'imap.example.com', port: 993, security: 'tls', username: '%EMAILLOCALPART%' },
      smtp: { host: 'smtp.example.com', port: 587, security: 'starttls', username: '%EMAILADDRESS%' },
    });
  });

  it('keeps a document with only one usable side', () => {
    const xml = doc(`<outgoingServer type="smtp"><hostname>smtp.example.com</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>`);
    expect(parseAutoconfig(xml)).toMatchObject({ imap: null, smtp: { host: 'smtp.example.com', port: 465, security: 'tls', username: '%EMAILADDRESS%' } });
  });

  it.each([
    ['not XML', 'this is not xml <'],
    ['HTML', '<html><body>Welcome</body></html>'],
    ['an empty document', ''],
    ['only POP3', doc(`<incomingServer type="pop3"><hostname>pop.example.com</hostname><port>995</port><socketType>SSL</socketType></incomingServer>`)],
    ['only plaintext', doc(`<incomingServer type="imap"><hostname>imap.example.com</hostname><port>143</port><socketType>plain</socketType></incomingServer>`)],
    ['a bad port', doc(`<incomingServer type="imap"><hostname>imap.example.com</hostname><port>99999</port><socketType>SSL</socketType></incomingServer>`)],
    ['a bad host name', doc(`<incomingServer type="imap"><hostname>imap example com</hostname><port>993</port><socketType>SSL</socketType></incomingServer>`)],
  ])('answers undefined for %s', (_, xml) => {
    expect(parseAutoconfig(xml)).toBeUndefined();
  });

  it('does not expand entities (no billion laughs)', () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>` +
      doc(`<incomingServer type="imap"><hostname>&lol2;</hostname><port>993</port><socketType>SSL</socketType></incomingServer>`);
    expect(parseAutoconfig(xml)).toBeUndefined();
  });

  it('keeps placeholders in host names as well as user names, whatever their case', () => {
    const xml = doc(`
      <incomingServer type="imap"><hostname>mail.%EMAILDOMAIN%</hostname><port>993</port><socketType>SSL</socketType><username>%emaillocalpart%</username></incomingServer>
      <outgoingServer type="smtp"><hostname>SMTP.%EmailDomain%.</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></outgoingServer>`);
    expect(parseAutoconfig(xml)).toMatchObject({
      imap: { host: 'mail.%EMAILDOMAIN%', username: '%EMAILLOCALPART%' },
      smtp: { host: 'smtp.%EMAILDOMAIN%', username: '%EMAILADDRESS%' },
    });
  });

  it('refuses a host template that is not a host name once filled in', () => {
    const xml = doc(`<incomingServer type="imap"><hostname>%EMAILDOMAIN% evil</hostname><port>993</port><socketType>SSL</socketType></incomingServer>`);
    expect(parseAutoconfig(xml)).toBeUndefined();
  });

  it.each([
    ['OAuth2 and a password', ['OAuth2', 'password-cleartext'], ['oauth', 'password']],
    ['only OAuth2', ['OAuth2'], ['oauth']],
    ['only an encrypted password', ['password-encrypted'], ['password']],
    ['only a cleartext password', ['password-cleartext'], ['password']],
    ['an older value', ['plain'], ['password']],
  ])('reads <authentication> %s into authMethods', (_, values, expected) => {
    // Thunderbird's ISPDB lists one entry per method for the same server.
    const entries = values
      .map((value) => `<incomingServer type="imap"><hostname>imap.example.com</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>${value}</authentication></incomingServer>`)
      .join('');
    expect(parseAutoconfig(doc(entries))?.authMethods).toEqual(expected);
  });

  it('says nothing about sign-in when no entry names a method it knows', () => {
    const xml = doc(`<incomingServer type="imap"><hostname>imap.example.com</hostname><port>993</port><socketType>SSL</socketType><authentication>NTLM</authentication></incomingServer>`);
    expect(parseAutoconfig(xml)).not.toHaveProperty('authMethods');
  });
});
