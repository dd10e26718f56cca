import { NetError } from '../../net/index.js';
import { parseAutoconfig } from '../autoconfig-xml.js';
import type { NormalisedEmail } from '../address.js';
import type { Finding, ServerTemplate } from '../types.js';
import { STANDARD_PORTS, type SourceContext } from './context.js';

const MAX_DOCUMENT_BYTES = 256 * 1024;

/**
 * The autoconfig URLs of a domain, best first. The address goes only into the HTTPS request to
 * the domain's own autoconfig host (as Thunderbird does), never to a third party's.
 */
export function autoconfigUrls(domain: string, address?: NormalisedEmail, httpsPort = STANDARD_PORTS.https): string[] {
  const query = address ? `?emailaddress=${encodeURIComponent(address.email)}` : '';
  const port = httpsPort === STANDARD_PORTS.https ? '' : `:${httpsPort}`;
  return [
    `https://autoconfig.${domain}${port}/mail/config-v1.1.xml${query}`,
    `https://${domain}${port}/.well-known/autoconfig/mail/config-v1.1.xml`,
  ];
}

/**
 * Fetches and parses one autoconfig document; undefined when it is missing or unusable.
 * Network failures other than "not there" are rethrown so progress can report them.
 */
export async function fetchAutoconfigDocument(ctx: SourceContext, url: string, address: NormalisedEmail): Promise<{ imap: ServerTemplate | null; smtp: ServerTemplate | null } | undefined> {
  const response = await ctx.net.fetchText(url, {
    timeoutMs: ctx.remainingMs(),
    maxBytes: MAX_DOCUMENT_BYTES,
    signal: ctx.signal,
    headers: { accept: 'application/xml, text/xml' },
  });
  if (response.status !== 200) return undefined;
  const document = parseAutoconfig(response.body);
  if (!document) return undefined;
  return { imap: placeholders(document.imap, address), smtp: placeholders(document.smtp, address) };
}

/**
 * Tries a domain's autoconfig URLs in parallel and keeps the best one that answered.
 * `sendAddress` is true only for the address's own domain.
 */
export async function detectByAutoconfig(
  ctx: SourceContext,
  domain: string,
  meta: Pick<Finding, 'source' | 'rank' | 'confidence'>,
  sendAddress: boolean,
): Promise<Finding[]> {
  const urls = autoconfigUrls(domain, sendAddress ? ctx.address : undefined, ctx.ports.https);
  const settled = await Promise.allSettled(urls.map((url) => fetchAutoconfigDocument(ctx, url, ctx.address)));
  for (const outcome of settled) {
    if (outcome.status === 'fulfilled' && outcome.value) {
      const notes = domain === ctx.address.domain ? [] : [`Settings published by ${domain}, which handles mail for ${ctx.address.domain}.`];
      return [{ ...meta, ...outcome.value, notes }];
    }
  }
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected' && !isAbsent(s.reason));
  if (failure) throw failure.reason;
  return [];
}

/** Errors that only mean "this domain publishes no autoconfig". */
function isAbsent(error: unknown): boolean {
  return error instanceof NetError && ['DNS_NOT_FOUND', 'CONNECTION_REFUSED'].includes(error.code);
}

/**
 * Some autoconfig servers fill the address in themselves; turn it back into placeholders so the
 * cached answer fits every address of the domain.
 */
function placeholders(server: ServerTemplate | null, address: NormalisedEmail): ServerTemplate | null {
  if (!server) return null;
  const lower = server.username.toLowerCase();
  if (lower === address.email.toLowerCase()) return { ...server, username: '%EMAILADDRESS%' };
  if (lower === address.localPart.toLowerCase()) return { ...server, username: '%EMAILLOCALPART%' };
  return server;
}
