import { AppError } from '../contract/errors.js';
import type { Protocol } from '../contract/codes.js';
import { classifyAddress, isLocalhostName, MAIL_PORTS, parseIpLiteral } from '../net/index.js';
import type { MailTargets } from './secret-binding.js';

/**
 * The address and port rules of `POST /test`, applied where a server is saved (`PUT /settings`)
 * rather than connected to: with private networks not allowed, an IP literal in a blocked range
 * (however it is spelled), `localhost` / `*.localhost`, or a port that is not a mail port is
 * `BLOCKED_ADDRESS` (field `<protocol>.host` or `.port`). A name is not looked up here: one that
 * leads only to blocked addresses is treated like a name that does not exist (saved, and refused
 * when it is used — by the connection test, and by `POST /accounts/:id/credentials`, which
 * checks the names again when the host asks).
 */
export function checkServerAddresses(targets: MailTargets, allowPrivateNetworks: boolean, status = 400): void {
  if (allowPrivateNetworks) return;
  for (const protocol of ['imap', 'smtp'] as const) {
    const target = targets[protocol];
    if (!target) continue;
    const literal = parseIpLiteral(target.host);
    if ((literal && classifyAddress(literal.address).blocked) || isLocalhostName(target.host)) {
      throw blocked(protocol, 'host', `${target.host} is a private or local network address, which this server does not connect to on a user's behalf.`, status);
    }
    if (!MAIL_PORTS.has(target.port)) {
      throw blocked(protocol, 'port', `Port ${target.port} is not a mail port; use 993 or 143 for IMAP and 465 or 587 for SMTP.`, status);
    }
  }
}

function blocked(protocol: Protocol, part: 'host' | 'port', message: string, status: number): AppError {
  return new AppError('BLOCKED_ADDRESS', message, { field: `${protocol}.${part}`, status });
}
