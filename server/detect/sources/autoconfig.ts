import { NetError } from '../../net/index.js';
import { parseAutoconfig, type AutoconfigDocument } from '../autoconfig-xml.js';
import type { NormalisedEmail } from '../address.js';
import type { Finding, ServerTemplate } from '../finding.js';
import { RANK, STANDARD_PORTS, type SourceContext } from './context.js';
import { mxLookupDomains } from './mx.js';

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
export async function fetchAutoconfigDocument(ctx: SourceContext, url: string): Promise<AutoconfigDocument | undefined> {
  const response = await ctx.net.fetchText(url, {
    timeoutMs: ctx.remainingMs(),
    maxBytes: MAX_DOCUMENT_BYTES,
    signal: ctx.signal,
    headers: { accept: 'application/xml, text/xml' },
  });
  if (response.status !== 200) return undefined;
  return parseAutoconfig(response.body);
}

/**
 * Tries a domain's autoconfig URLs in parallel and keeps the best one that answered.
 * `sendAddress` is true only for the address's own domain: its answer may be made for this
 * one address (automx, YunoHost fill in each user's login), and is then marked so — it is
 * never served to another address.
 */
export async function detectByAutoconfig(
  ctx: SourceContext,
  domain: string,
  meta: Pick<Finding, 'source' | 'rank' | 'confidence'>,
  sendAddress: boolean,
): Promise<Finding[]> {
  const urls = autoconfigUrls(domain, sendAddress ? ctx.address : undefined, ctx.ports.https);
  const settled = await Promise.allSettled(urls.map((url) => fetchAutoconfigDocument(ctx, url)));
  for (const [i, outcome] of settled.entries()) {
    if (outcome.status !== 'fulfilled' || !outcome.value) continue;
    const document = outcome.value;
    const notes = domain === ctx.address.domain ? [] : [`Settings published by ${domain}, which handles mail for ${ctx.address.domain}.`];
    const filled = sendAddress && i === 0 && madeForAddress(document);
    return [
      {
        ...meta,
        imap: placeholders(document.imap, ctx.address),
        smtp: placeholders(document.smtp, ctx.address),
        ...(document.authMethods ? { authMethods: document.authMethods } : {}),
        ...(filled ? { scope: 'address' as const } : {}),
        notes,
      },
    ];
  }
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected' && !isAbsent(s.reason));
  if (failure) throw failure.reason;
  return [];
}

/** The autoconfig source: the domain's own documents, and those of its MX host's domains (never sent the address). */
export async function detectByAutoconfigs(ctx: SourceContext): Promise<Finding[]> {
  const own = detectByAutoconfig(ctx, ctx.address.domain, { source: 'autoconfig', rank: RANK.autoconfig, confidence: 'high' }, true);
  const viaMx = mxLookupDomains(ctx).then((domains) =>
    settle(domains.map((domain) => detectByAutoconfig(ctx, domain, { source: 'autoconfig', rank: RANK.mxAutoconfig, confidence: 'medium' }, false))),
  );
  return settle([own, viaMx]);
}

/**
 * Errors that only mean "this domain publishes no autoconfig". A name that resolves only to
 * blocked addresses counts as absent too: detection must not tell internal names from missing ones.
 */
function isAbsent(error: unknown): boolean {
  return error instanceof NetError && ['DNS_NOT_FOUND', 'CONNECTION_REFUSED', 'BLOCKED_ADDRESS'].includes(error.code);
}

/** True when a server filled in values of its own (no placeholder left in a username): an answer for one address. */
function madeForAddress(document: AutoconfigDocument): boolean {
  return [document.imap, document.smtp].some((server) => server !== null && !server.username.includes('%'));
}

/** Turns the address filled in by a server back into placeholders, so the answer renders for the address it was made for. */
function placeholders(server: ServerTemplate | null, address: NormalisedEmail): ServerTemplate | null {
  if (!server) return null;
  const lower = server.username.toLowerCase();
  if (lower === address.email.toLowerCase()) return { ...server, username: '%EMAILADDRESS%' };
  if (lower === address.localPart.toLowerCase()) return { ...server, username: '%EMAILLOCALPART%' };
  return server;
}

/** Findings of several look-ups of one source; when none found anything, the first failure is the outcome. */
export async function settle(parts: Array<Promise<Finding[]>>): Promise<Finding[]> {
  const settled = await Promise.allSettled(parts);
  const found = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (found.length === 0 && failure) throw failure.reason;
  return found;
}
