import { getDomain } from 'tldts';
import type { ProviderSignal } from '../finding.js';

/**
 * Evidence about who hosts a domain's mailboxes, beyond its MX: DNS records the big hosted
 * providers ask their customers to publish, and the mail filters that often sit in front of
 * them. Each rule names where the fact comes from.
 */

/** Mail-filter services: when one is the MX, the mailboxes are somewhere else. */
export const MAIL_FILTERS: ReadonlyArray<{ name: string; suffixes: string[]; source: string }> = [
  { name: 'Mimecast', suffixes: ['mimecast.com', 'mimecast.co.za', 'mimecast-offshore.com'], source: 'https://www.captaindns.com/en/blog/mimecast-secure-email-gateway' },
  { name: 'Proofpoint', suffixes: ['pphosted.com', 'ppe-hosted.com'], source: 'https://www.captaindns.com/en/blog/proofpoint-secure-email-gateway' },
  { name: 'Barracuda', suffixes: ['barracudanetworks.com'], source: 'https://www.captaindns.com/en/blog/barracuda-secure-email-gateway' },
  { name: 'Cisco Secure Email', suffixes: ['iphmx.com', 'etd.cisco.com'], source: 'https://www.captaindns.com/en/blog/cisco-secure-email-gateway' },
  { name: 'Hornetsecurity', suffixes: ['hornetsecurity.com', 'antispameurope.com'], source: 'https://cp.hornetsecurity.com/manual/en/partner/365_total_protection/c_basic_settings.html' },
];

/** The filter service an MX host belongs to, if any. */
export function mailFilterOf(mxHost: string): string | undefined {
  const host = mxHost.toLowerCase().replace(/\.$/, '');
  const registrable = getDomain(host) ?? host;
  return MAIL_FILTERS.find((filter) => filter.suffixes.some((suffix) => (host === suffix || host.endsWith(`.${suffix}`)) && suffix.length >= registrable.length))?.name;
}

/** SPF `include:` targets of hosted providers (strength 2: the domain sends through them). */
const SPF_INCLUDES: ReadonlyArray<{ include: string; providerId: string; name: string; source: string }> = [
  { include: 'spf.protection.outlook.com', providerId: 'microsoft-365', name: 'Microsoft 365', source: 'https://learn.microsoft.com/microsoft-365/enterprise/external-domain-name-system-records' },
  { include: 'spf.protection.office365.us', providerId: 'microsoft-365', name: 'Microsoft 365', source: 'https://learn.microsoft.com/microsoft-365/enterprise/external-domain-name-system-records' },
  { include: '_spf.google.com', providerId: 'google-workspace', name: 'Google Workspace', source: 'https://support.google.com/a/answer/10685031' },
];

/** Domain-verification TXT records (strength 1: they outlive a move and are made for other services too). */
const VERIFICATION_TXT: ReadonlyArray<{ pattern: RegExp; providerId: string; name: string; source: string }> = [
  { pattern: /^MS=ms\d+$/i, providerId: 'microsoft-365', name: 'Microsoft 365', source: 'https://learn.microsoft.com/microsoft-365/admin/get-help-with-domains/create-dns-records-at-any-dns-hosting-provider' },
  { pattern: /^google-site-verification=/i, providerId: 'google-workspace', name: 'Google Workspace', source: 'https://support.google.com/a/answer/183895' },
];

/** `autodiscover.<domain>` aliases that point at a hosted provider (strength 3: Outlook clients find the mailbox there). */
const AUTODISCOVER_CNAMES: ReadonlyArray<{ target: string; providerId: string; name: string; source: string }> = [
  { target: 'autodiscover.outlook.com', providerId: 'microsoft-365', name: 'Microsoft 365', source: 'https://learn.microsoft.com/microsoft-365/enterprise/external-domain-name-system-records' },
];

/** Signals from a domain's TXT records: SPF includes and verification records. */
export function signalsFromTxt(domain: string, records: string[]): ProviderSignal[] {
  const signals: ProviderSignal[] = [];
  for (const record of records) {
    const text = record.trim();
    if (/^v=spf1\b/i.test(text)) {
      const includes = [...text.matchAll(/\binclude:([^\s]+)/gi)].map((m) => m[1]!.toLowerCase().replace(/\.$/, ''));
      for (const rule of SPF_INCLUDES) {
        if (includes.includes(rule.include)) {
          signals.push({ providerId: rule.providerId, strength: 2, reason: `${domain} sends mail through ${rule.name} (its SPF record includes ${rule.include}).` });
        }
      }
      continue;
    }
    for (const rule of VERIFICATION_TXT) {
      if (rule.pattern.test(text)) {
        signals.push({ providerId: rule.providerId, strength: 1, reason: `${domain} is verified with ${rule.name} (a TXT record ${text.split('=')[0]}=…).` });
      }
    }
  }
  return signals;
}

/** The signal of an `autodiscover.<domain>` CNAME target, if it names a hosted provider. */
export function signalFromAutodiscover(domain: string, target: string | undefined): ProviderSignal[] {
  if (!target) return [];
  const rule = AUTODISCOVER_CNAMES.find((r) => r.target === target.toLowerCase().replace(/\.$/, ''));
  return rule ? [{ providerId: rule.providerId, strength: 3, reason: `autodiscover.${domain} points to ${rule.target}, so the mailboxes are at ${rule.name}.` }] : [];
}

/** Where each signal rule comes from, for the README and reviews. */
export const SIGNAL_SOURCES = [...SPF_INCLUDES, ...VERIFICATION_TXT, ...AUTODISCOVER_CNAMES].map((rule) => rule.source);
