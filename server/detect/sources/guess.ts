import { NetError } from '../../net/index.js';
import { probeMailServer, type ProbeTarget } from '../probe.js';
import type { Finding, ServerTemplate } from '../finding.js';
import type { SourceHooks } from '../scheduler.js';
import { RANK, STANDARD_PORTS, type ServicePorts, type SourceContext } from './context.js';

/** Once a less likely server answered, a more likely one still silent gets this much longer. */
export const PREFERENCE_GRACE_MS = 400;

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

type ProbeState = 'pending' | 'ok' | 'failed';

/**
 * Probes every guessed host and port in parallel (connect, TLS with certificate check,
 * greeting/EHLO, never a login) and keeps the most likely server of each kind that answered.
 * What works is reported as it comes in; a probe that hangs costs only itself: once a less
 * likely server answered, a silent more likely one gets {@link PREFERENCE_GRACE_MS} more.
 * Low confidence: a server that answers is not proof it holds this mailbox.
 */
export function detectByGuessing(ctx: SourceContext, hooks: Pick<SourceHooks, 'partial'> = { partial: () => {} }, graceMs = PREFERENCE_GRACE_MS): Promise<Finding[]> {
  const targets = guessTargets(ctx.address.domain, ctx.ports);
  const states: ProbeState[] = targets.map(() => 'pending');
  const errors: unknown[] = [];
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  const graceOver = { imap: false, smtp: false };
  const timers: NodeJS.Timeout[] = [];

  const indexes = (protocol: 'imap' | 'smtp') => targets.flatMap((t, i) => (t.protocol === protocol ? [i] : []));
  const bestWorking = (protocol: 'imap' | 'smtp') => indexes(protocol).find((i) => states[i] === 'ok');
  /** Decided when the best working server has no pending better one (or its grace ran out), or all failed. */
  const decided = (protocol: 'imap' | 'smtp') => {
    for (const i of indexes(protocol)) {
      if (states[i] === 'ok') return true;
      if (states[i] === 'pending') return graceOver[protocol] && bestWorking(protocol) !== undefined;
    }
    return true;
  };
  const template = (i: number | undefined): ServerTemplate | null => {
    const target = i === undefined ? undefined : targets[i];
    return target ? { host: target.host, port: target.port, security: target.security, username: '%EMAILADDRESS%' } : null;
  };
  const findings = (): Finding[] => {
    const imap = template(bestWorking('imap'));
    const smtp = template(bestWorking('smtp'));
    if (!imap && !smtp) return [];
    return [{ source: 'guess', rank: RANK.guess, confidence: 'low', imap, smtp, notes: ['These settings were found by trying common server names; run the connection test before saving them.'] }];
  };

  return new Promise<Finding[]>((resolve, reject) => {
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      stop.abort();
      for (const timer of timers) clearTimeout(timer);
      const found = findings();
      if (found.length > 0) return resolve(found);
      // Names that do not exist (or resolve only to blocked addresses, which must look the same) and closed ports are ordinary; a timeout or a bad certificate is worth reporting.
      const telling = errors.find((e) => !(e instanceof NetError && ['DNS_NOT_FOUND', 'CONNECTION_REFUSED', 'BLOCKED_ADDRESS'].includes(e.code)));
      if (telling) return reject(telling);
      resolve([]);
    };
    const update = (protocol: 'imap' | 'smtp') => {
      if (settled) return;
      hooks.partial(findings());
      if (bestWorking(protocol) !== undefined && !graceOver[protocol]) {
        timers.push(
          setTimeout(() => {
            graceOver[protocol] = true;
            if (decided('imap') && decided('smtp')) finish();
          }, graceMs),
        );
      }
      if (decided('imap') && decided('smtp')) finish();
    };
    targets.forEach((target, i) => {
      probeMailServer(ctx.net, target, { timeoutMs: ctx.remainingMs(), signal }).then(
        () => {
          states[i] = 'ok';
          update(target.protocol);
        },
        (error: unknown) => {
          states[i] = 'failed';
          errors.push(error);
          update(target.protocol);
        },
      );
    });
  });
}
