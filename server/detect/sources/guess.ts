import { NetError } from '../../net/index.js';
import { probeMailServer, type ProbeTarget } from '../probe.js';
import type { Finding, ServerTemplate } from '../types.js';
import { RANK, STANDARD_PORTS, type ServicePorts, type SourceContext } from './context.js';

/**
 * The host names and ports guessing tries, most likely first: `imap.`/`mail.`/bare domain on
 * 993 and 143, `smtp.`/`mail.`/bare domain on 465 and 587.
 */
export function guessTargets(domain: string, ports: ServicePorts = STANDARD_PORTS): ProbeTarget[] {
  const imapHosts = [`imap.${domain}`, `mail.${domain}`, domain];
  const smtpHosts = [`smtp.${domain}`, `mail.${domain}`, domain];
  return [
    ...imapHosts.flatMap((host) => [
      { host, port: ports.imaps, protocol: 'imap' as const, security: 'tls' as const },
      { host, port: ports.imap, protocol: 'imap' as const, security: 'starttls' as const },
    ]),
    ...smtpHosts.flatMap((host) => [
      { host, port: ports.smtps, protocol: 'smtp' as const, security: 'tls' as const },
      { host, port: ports.submission, protocol: 'smtp' as const, security: 'starttls' as const },
    ]),
  ];
}

/**
 * Probes every guessed host and port in parallel (connect, TLS with certificate check,
 * greeting/EHLO, never a login) and keeps the most likely server of each kind that answered.
 * Low confidence: a server that answers is not proof it holds this mailbox.
 */
export async function detectByGuessing(ctx: SourceContext): Promise<Finding[]> {
  const targets = guessTargets(ctx.address.domain, ctx.ports);
  const outcomes = await Promise.allSettled(
    targets.map((target) => probeMailServer(ctx.net, target, { timeoutMs: ctx.remainingMs(), signal: ctx.signal })),
  );
  const working = targets.filter((_, i) => outcomes[i]?.status === 'fulfilled');
  const best = (protocol: 'imap' | 'smtp'): ServerTemplate | null => {
    const target = working.find((t) => t.protocol === protocol);
    return target ? { host: target.host, port: target.port, security: target.security, username: '%EMAILADDRESS%' } : null;
  };
  const imap = best('imap');
  const smtp = best('smtp');
  if (!imap && !smtp) {
    // Names that do not exist and closed ports are ordinary; a timeout or a bad certificate is worth reporting.
    const telling = outcomes.find(
      (o): o is PromiseRejectedResult => o.status === 'rejected' && !(o.reason instanceof NetError && ['DNS_NOT_FOUND', 'CONNECTION_REFUSED'].includes(o.reason.code)),
    );
    if (telling) throw telling.reason;
    return [];
  }
  return [
    {
      source: 'guess',
      rank: RANK.guess,
      confidence: 'low',
      imap,
      smtp,
      notes: ['These settings were found by trying common server names; run the connection test before saving them.'],
    },
  ];
}
