import { describe, expect, it } from 'vitest';
import providersJson from './providers.json' with { type: 'json' };
import { buildProviderIndex } from './load.js';
import { matchMxHost } from './mx.js';
import { findProviderByMx } from './index.js';

const idOf = (mx: string) => findProviderByMx(mx)?.provider.id;

describe('findProviderByMx: hosted mail behind a custom domain', () => {
  it('recognises Google Workspace MX hosts, old and new', () => {
    for (const mx of ['aspmx.l.google.com', 'alt1.aspmx.l.google.com', 'aspmx2.googlemail.com', 'smtp.google.com', 'ASPMX.L.GOOGLE.COM.']) {
      expect(idOf(mx), mx).toBe('google-workspace');
    }
    expect(findProviderByMx('aspmx.l.google.com')?.provider.oauth).toBe('google');
  });

  it('recognises Microsoft 365 in both MX zones and gives it Microsoft OAuth', () => {
    for (const mx of ['foo.mail.protection.outlook.com', 'contoso-com.mail.protection.outlook.com', 'x.mx.microsoft', 'contoso-com.d-v1.mx.microsoft']) {
      const match = findProviderByMx(mx);
      expect(match?.provider.id, mx).toBe('microsoft-365');
      expect(match?.provider.oauth).toBe('microsoft');
      expect(match?.forwardingOnly).toBe(false);
    }
  });

  it('tells Outlook.com consumer MX apart from Microsoft 365', () => {
    expect(idOf('outlook-com.olc.protection.outlook.com')).toBe('outlook');
    expect(idOf('eur.olc.protection.outlook.com')).toBe('outlook');
  });

  it('picks the Zoho data centre from the MX host and uses the organisation servers', () => {
    const eu = findProviderByMx('mx.zoho.eu');
    expect(eu?.region).toBe('eu');
    expect(eu?.provider.imap?.host).toBe('imappro.zoho.eu');
    expect(eu?.provider.smtp?.host).toBe('smtppro.zoho.eu');
    expect(findProviderByMx('mx2.zoho.com.au')?.provider.imap?.host).toBe('imappro.zoho.com.au');
    expect(findProviderByMx('mx.zoho.in')?.provider.smtp?.host).toBe('smtppro.zoho.in');
    expect(findProviderByMx('mx3.zoho.com')?.provider.imap?.host).toBe('imappro.zoho.com');
    expect(findProviderByMx('mx.zoho.jp')?.region).toBe('jp');
  });

  it('fills the Amazon WorkMail region from the MX host into both server names', () => {
    const match = findProviderByMx('inbound-smtp.eu-west-1.amazonaws.com');
    expect(match?.provider.id).toBe('amazon-workmail');
    expect(match?.region).toBe('eu-west-1');
    expect(match?.provider.imap).toEqual({ host: 'imap.mail.eu-west-1.awsapps.com', port: 993, security: 'tls', username: 'email' });
    expect(match?.provider.smtp?.host).toBe('smtp.mail.eu-west-1.awsapps.com');
    expect(findProviderByMx('inbound-smtp.us-east-1.amazonaws.com')?.provider.imap?.host).toBe('imap.mail.us-east-1.awsapps.com');
    // the template itself is never handed out with its placeholder filled by a previous call
    expect(findProviderByMx('inbound-smtp.us-west-2.amazonaws.com')?.provider.smtp?.host).toBe('smtp.mail.us-west-2.awsapps.com');
  });

  it('does not treat other amazonaws.com hosts as WorkMail', () => {
    expect(findProviderByMx('inbound-smtp.eu-west-1.amazonaws.com.evil.test')).toBeUndefined();
    expect(findProviderByMx('ec2-1-2-3-4.compute-1.amazonaws.com')).toBeUndefined();
    expect(findProviderByMx('inbound-smtp.not_a_region.amazonaws.com')).toBeUndefined();
  });

  it('covers the common hosting companies', () => {
    const cases: Record<string, string> = {
      'in1-smtp.messagingengine.com': 'fastmail',
      'mx01.mail.icloud.com': 'icloud-custom-domain',
      'mta7.am0.yahoodns.net': 'yahoo',
      'mx.yandex.net': 'yandex-360',
      'emx.mail.ru': 'mailru-business',
      'mailstore1.secureserver.net': 'godaddy',
      'mx1.privateemail.com': 'namecheap-private-email',
      'mx00.ionos.de': 'ionos-de',
      'mx01.kundenserver.de': 'ionos-de',
      'mx00.ionos.com': 'ionos-com',
      'mx00.ionos.co.uk': 'ionos-uk',
      'mx1.mail.ovh.net': 'ovh',
      'mx1.emailsrvr.com': 'rackspace',
      'spool.mail.gandi.net': 'gandi',
      'smtpin.rzone.de': 'strato',
      'www123.your-server.de': 'hetzner',
      'mta-gw.infomaniak.ch': 'infomaniak',
      'mxext1.mailbox.org': 'mailbox-org',
      'aspmx1.migadu.com': 'migadu',
      'mx1.titan.email': 'titan',
      'mx1.hostinger.com': 'hostinger',
      'mx1.one.com': 'one-com',
    };
    for (const [mx, id] of Object.entries(cases)) expect(idOf(mx), mx).toBe(id);
  });

  it('marks Proton and Tuta custom domains as unsupported, with a reason', () => {
    const proton = findProviderByMx('mail.protonmail.ch');
    expect(proton?.provider.supported).toBe(false);
    expect(proton?.provider.imap).toBeNull();
    expect(proton?.forwardingOnly).toBe(false);
    expect(findProviderByMx('mailsec.protonmail.ch')?.provider.id).toBe('proton');
    expect(findProviderByMx('mail.tutanota.de')?.provider.id).toBe('tuta');
  });
});

describe('findProviderByMx: forwarding-only services', () => {
  it('says there is no mailbox behind forwarding services', () => {
    for (const mx of ['mx1.improvmx.com', 'route1.mx.cloudflare.net', 'route3.mx.cloudflare.net', 'eforward1.registrar-servers.com',
      'eforward5.registrar-servers.com', 'mx1.simplelogin.co', 'mx1.forwardemail.net', 'fwd1.porkbun.com', 'mx1.addy.io']) {
      const match = findProviderByMx(mx);
      expect(match?.forwardingOnly, mx).toBe(true);
      expect(match?.provider.supported).toBe(false);
      expect(match?.provider.imap).toBeNull();
      expect(match?.provider.notes.join(' ')).toMatch(/no mailbox to connect/);
    }
  });

  it('treats inbound-processing services (webhooks) as having no mailbox', () => {
    for (const mx of ['mxa.mailgun.org', 'mxb.eu.mailgun.org', 'mx.sendgrid.net', 'inbound.postmarkapp.com']) {
      expect(findProviderByMx(mx)?.forwardingOnly, mx).toBe(true);
    }
    expect(findProviderByMx('smtp.sendgrid.net')).toBeUndefined();
    expect(findProviderByMx('api.postmarkapp.com')).toBeUndefined();
  });

  it('does not mistake other hosts of the same companies for forwarders', () => {
    expect(findProviderByMx('cloudflare.net')).toBeUndefined();
    expect(findProviderByMx('ns1.cloudflare.net')).toBeUndefined();
    expect(findProviderByMx('mx1.porkbun.com')).toBeUndefined();
    expect(findProviderByMx('server1.registrar-servers.com')).toBeUndefined();
  });
});

describe('findProviderByMx: lookalikes and bad input', () => {
  it('never matches above the registrable domain', () => {
    for (const mx of ['google.com.evil.test', 'aspmx.l.google.com.evil.test', 'mail.protection.outlook.com.attacker.example',
      'x.mx.microsoft.evil.test', 'mx.zoho.eu.example.org', 'evilgoogle.com', 'mail.evilgoogle.com', 'notmessagingengine.com']) {
      expect(findProviderByMx(mx), mx).toBeUndefined();
    }
  });

  it('answers undefined for unknown, empty and malformed hosts', () => {
    for (const mx of ['mx.example.com', '', '.', 'localhost', 'com', '..', 'a..b.google', '127.0.0.1', '[::1]', ' ']) {
      expect(findProviderByMx(mx), JSON.stringify(mx)).toBeUndefined();
    }
  });

  it('matches the MX host minus its first label before its registrable domain', () => {
    const index = buildProviderIndex(providersJson, {
      patterns: [
        { suffix: 'example.com', provider: 'gmail', source: 'https://example.com/' },
        { suffix: 'mail.example.com', provider: 'fastmail', source: 'https://example.com/' },
      ],
    });
    expect(matchMxHost(index, 'mx1.mail.example.com')?.provider.id).toBe('fastmail');
    expect(matchMxHost(index, 'mx1.other.example.com')?.provider.id).toBe('gmail');
    expect(matchMxHost(index, 'example.com')?.provider.id).toBe('gmail');
  });
});
