import { XMLParser } from 'fast-xml-parser';
import type { Security } from '../contract/codes.js';
import type { AuthMethod, ServerTemplate } from './finding.js';

/** The usable part of a Thunderbird autoconfig document. */
export interface AutoconfigDocument {
  displayName?: string;
  imap: ServerTemplate | null;
  smtp: ServerTemplate | null;
  /** What the chosen servers' `<authentication>` entries allow (OAuth2 → oauth, password-* → password); unset when they say neither. */
  authMethods?: AuthMethod[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Entities are off: a document cannot expand into something large (billion laughs).
  processEntities: false,
  isArray: (name) => ['emailProvider', 'incomingServer', 'outgoingServer', 'authentication'].includes(name),
  parseTagValue: false,
});

const SOCKET_TYPES: Record<string, Security | undefined> = { SSL: 'tls', TLS: 'tls', STARTTLS: 'starttls' };

/** `<authentication>` values (current and the older `plain`/`secure`) and the sign-in method each allows. */
const AUTHENTICATION: Record<string, AuthMethod | undefined> = {
  oauth2: 'oauth',
  'password-cleartext': 'password',
  'password-encrypted': 'password',
  plain: 'password',
  secure: 'password',
};

/** The placeholders Thunderbird's format defines; they may stand in host names as well as user names. */
const PLACEHOLDER = /%(EMAILADDRESS|EMAILLOCALPART|EMAILDOMAIN)%/gi;

/**
 * Reads a Thunderbird autoconfig document (config-v1.1.xml, also ISPDB's format) and picks the
 * first usable IMAP and SMTP servers: POP3 and plaintext entries are skipped; host names and
 * usernames keep their `%EMAILADDRESS%`/`%EMAILLOCALPART%`/`%EMAILDOMAIN%` placeholders
 * (upper-cased, filled in per address later); `<authentication>` of the chosen servers becomes
 * `authMethods`. Returns undefined when the text is not such a document or offers neither server.
 *
 * @see https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat
 */
export function parseAutoconfig(xml: string): AutoconfigDocument | undefined {
  let tree: Record<string, unknown>;
  try {
    tree = parser.parse(xml) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const clientConfig = tree.clientConfig as { emailProvider?: Array<Record<string, unknown>> } | undefined;
  const provider = clientConfig?.emailProvider?.[0];
  if (!provider) return undefined;
  const imap = firstUsable(provider.incomingServer, 'imap');
  const smtp = firstUsable(provider.outgoingServer, 'smtp');
  if (!imap && !smtp) return undefined;
  const displayName = text(provider.displayName);
  const methods = imap?.methods.length ? imap.methods : (smtp?.methods ?? []);
  return {
    ...(displayName ? { displayName } : {}),
    imap: imap?.server ?? null,
    smtp: smtp?.server ?? null,
    ...(methods.length > 0 ? { authMethods: methods } : {}),
  };
}

/** The first usable server of a type, with the sign-in methods of every entry for that same server. */
function firstUsable(servers: unknown, type: 'imap' | 'smtp'): { server: ServerTemplate; methods: AuthMethod[] } | null {
  if (!Array.isArray(servers)) return null;
  const entries = (servers as Array<Record<string, unknown>>).filter((server) => server['@type'] === type);
  for (const entry of entries) {
    const server = readServer(entry);
    if (!server) continue;
    const methods = new Set<AuthMethod>();
    for (const other of entries) {
      const same = readServer(other);
      if (!same || same.host !== server.host || same.port !== server.port) continue;
      for (const value of Array.isArray(other.authentication) ? other.authentication : []) {
        const method = AUTHENTICATION[text(value)?.toLowerCase() ?? ''];
        if (method) methods.add(method);
      }
    }
    return { server, methods: [...methods].sort() };
  }
  return null;
}

function readServer(server: Record<string, unknown>): ServerTemplate | undefined {
  const host = text(server.hostname)?.toLowerCase().replace(PLACEHOLDER, (name) => name.toUpperCase()).replace(/\.$/, '');
  const port = Number(text(server.port));
  const security = SOCKET_TYPES[text(server.socketType)?.toUpperCase() ?? ''];
  if (!host || !isHostTemplate(host) || !Number.isInteger(port) || port < 1 || port > 65535 || !security) return undefined;
  const username = (text(server.username) ?? '%EMAILADDRESS%').replace(PLACEHOLDER, (name) => name.toUpperCase());
  return { host, port, security, username };
}

/** A host name, possibly with placeholders: checked with sample values filled in. */
function isHostTemplate(host: string): boolean {
  const sample = host.replace(PLACEHOLDER, (name) => (name.toUpperCase() === '%EMAILDOMAIN%' ? 'example.com' : 'user'));
  return /^[a-z0-9.-]+$/.test(sample) && !sample.startsWith('.') && !sample.includes('..');
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number') return String(value);
  if (value && typeof value === 'object' && '#text' in value) return text((value as { '#text': unknown })['#text']);
  return undefined;
}
