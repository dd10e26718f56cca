import { XMLParser } from 'fast-xml-parser';
import type { Security, ServerTemplate } from './types.js';

/** The usable part of a Thunderbird autoconfig document. */
export interface AutoconfigDocument {
  displayName?: string;
  imap: ServerTemplate | null;
  smtp: ServerTemplate | null;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Entities are off: a document cannot expand into something large (billion laughs).
  processEntities: false,
  isArray: (name) => ['emailProvider', 'incomingServer', 'outgoingServer'].includes(name),
  parseTagValue: false,
});

const SOCKET_TYPES: Record<string, Security | undefined> = { SSL: 'tls', TLS: 'tls', STARTTLS: 'starttls' };

/**
 * Reads a Thunderbird autoconfig document (config-v1.1.xml, also ISPDB's format) and picks the
 * first usable IMAP and SMTP servers: POP3 and plaintext entries are skipped, the username
 * keeps its `%EMAILADDRESS%`/`%EMAILLOCALPART%` placeholder. Returns undefined when the text
 * is not such a document or offers neither server.
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
  return { ...(displayName ? { displayName } : {}), imap, smtp };
}

function firstUsable(servers: unknown, type: 'imap' | 'smtp'): ServerTemplate | null {
  if (!Array.isArray(servers)) return null;
  for (const server of servers as Array<Record<string, unknown>>) {
    if (server['@type'] !== type) continue;
    const host = text(server.hostname)?.toLowerCase();
    const port = Number(text(server.port));
    const security = SOCKET_TYPES[text(server.socketType)?.toUpperCase() ?? ''];
    if (!host || !/^[a-z0-9.-]+$/.test(host) || !Number.isInteger(port) || port < 1 || port > 65535 || !security) continue;
    return { host: host.replace(/\.$/, ''), port, security, username: text(server.username) ?? '%EMAILADDRESS%' };
  }
  return null;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number') return String(value);
  if (value && typeof value === 'object' && '#text' in value) return text((value as { '#text': unknown })['#text']);
  return undefined;
}
