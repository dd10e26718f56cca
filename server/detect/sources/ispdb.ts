import { parseAutoconfig } from '../autoconfig-xml.js';
import type { Finding } from '../finding.js';
import { settle } from './autoconfig.js';
import { RANK, type SourceContext } from './context.js';
import { mxLookupDomains } from './mx.js';

/**
 * Asks a remote ISPDB (Thunderbird's format: `<base><domain>` answers a config-v1.1 document)
 * about a domain. Off unless EMAIL_WIZARD_ISPDB_URL is set, because it tells a third party which
 * domain is being set up. The address itself is never sent.
 *
 * @example detectByIspdb(ctx, 'https://autoconfig.thunderbird.net/v1.1/', 'example.com', meta)
 */
export async function detectByIspdb(ctx: SourceContext, baseUrl: string, domain: string, meta: Pick<Finding, 'source' | 'rank' | 'confidence'>): Promise<Finding[]> {
  const url = `${baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`}${encodeURIComponent(domain)}`;
  const response = await ctx.net.fetchText(url, { timeoutMs: ctx.remainingMs(), maxBytes: 256 * 1024, signal: ctx.signal });
  if (response.status !== 200) return [];
  const document = parseAutoconfig(response.body);
  if (!document) return [];
  return [{ ...meta, imap: document.imap, smtp: document.smtp, ...(document.authMethods ? { authMethods: document.authMethods } : {}) }];
}

/** The ISPDB source: the address domain, then the MX host's domains. */
export function detectByIspdbs(ctx: SourceContext, baseUrl: string): Promise<Finding[]> {
  const own = detectByIspdb(ctx, baseUrl, ctx.address.domain, { source: 'ispdb', rank: RANK.ispdb, confidence: 'medium' });
  const viaMx = mxLookupDomains(ctx).then((domains) =>
    settle(domains.map((domain) => detectByIspdb(ctx, baseUrl, domain, { source: 'ispdb', rank: RANK.mxIspdb, confidence: 'medium' }))),
  );
  return settle([own, viaMx]);
}
