import { AppError } from '../contract/errors.js';
import type { Protocol } from '../contract/codes.js';
import { NetError, parseIpLiteral, type SafeNetwork } from '../net/index.js';
import type { Logger } from '../log/index.js';
import type { OAuthProviderId } from '../store/database.js';
import { checkServerAddresses } from './address-rules.js';
import type { MailServer } from '../contract/mail-server.js';
import { checkOAuthTargets } from './secret-binding.js';

/** Where the host's fetcher should connect for one protocol. */
export interface PinnedServer {
  /**
   * The checked IP address; the saved host name itself only where no check is made by this server:
   * on-premise mode, or an OAuth provider's own host (from the fixed list) that could not be looked up now.
   */
  host: string;
  /** The saved host name, for TLS (SNI and certificate check) when `host` is its address. */
  servername?: string;
}

/** How long a host's fetcher should wait before asking again after a DNS look-up that did not answer. */
export const HOST_CHECK_RETRY_AFTER_SECONDS = 30;

/**
 * Checks the saved servers again when the host asks for credentials — a name that resolved to a
 * public address when it was saved may resolve to 169.254.169.254 now, and the host's fetcher does
 * not go through the safe network layer. Each name is looked up now: only blocked addresses →
 * `409 BLOCKED_ADDRESS`; otherwise the answer is the checked address with the name as
 * `servername`, so the fetcher connects exactly where the check looked (a later DNS answer cannot
 * send it elsewhere) and TLS still verifies the name.
 *
 * Outside on-premise mode a user-chosen name is never handed out unchecked:
 * - DNS says it does not exist → `409 BLOCKED_ADDRESS` (the fetcher's own look-up may meet another
 *   resolver — /etc/hosts, search domains);
 * - the look-up could not be completed (timeout, refused, SERVFAIL) → `503 HOST_CHECK_UNAVAILABLE`
 *   with `Retry-After` (field `imap.host`/`smtp.host`): a hostile domain could stay silent for this
 *   check and then answer the fetcher's own resolver with an internal address.
 * When both protocols fail, a definite refusal (409) wins over "try again" (503), IMAP before SMTP.
 * In on-premise mode, and for an OAuth provider's own hosts (the fixed list), a name that cannot
 * be looked up now is handed out by name. OAuth settings must still name the provider's own hosts
 * over TLS (`409 OAUTH_HOST_MISMATCH` / `INSECURE_CONNECTION`).
 *
 * @example const pins = await pinSavedServers(services.net, view, logger); // { imap: { host: '203.0.113.7', servername: 'imap.example.com' }, … }
 */
export async function pinSavedServers(
  net: Pick<SafeNetwork, 'resolveSafeAddress' | 'allowPrivateNetworks'>,
  saved: { imap: MailServer; smtp: MailServer; oauthProvider?: OAuthProviderId },
  logger?: Logger,
): Promise<Record<Protocol, PinnedServer>> {
  const targets = { imap: saved.imap, smtp: saved.smtp };
  checkServerAddresses(targets, net.allowPrivateNetworks, 409);
  if (saved.oauthProvider) {
    try {
      checkOAuthTargets(saved.oauthProvider, targets);
    } catch (error) {
      if (error instanceof AppError) throw new AppError(error.code, error.message, { field: error.field, status: 409 });
      throw error;
    }
  }
  const pin = async (protocol: Protocol): Promise<PinnedServer> => {
    const { host } = targets[protocol];
    if (parseIpLiteral(host)) return { host };
    try {
      const { address } = await net.resolveSafeAddress(host, undefined, { revealBlocked: true });
      return { host: address, servername: host };
    } catch (error) {
      if (error instanceof NetError && error.code === 'BLOCKED_ADDRESS') {
        throw new AppError(
          'BLOCKED_ADDRESS',
          `The saved ${protocol.toUpperCase()} server ${host} now points to a private or local network address; its credentials are not handed out. Ask the user to check the server name in the widget.`,
          { field: `${protocol}.host`, status: 409 },
        );
      }
      const errorCode = error instanceof NetError ? error.code : undefined;
      // The fetcher resolves the name with its own resolver — /etc/hosts (localhost.localdomain,
      // ip6-localhost), search domains (`redis`, `metadata`), another DNS server than
      // EMAIL_WIZARD_DNS_SERVERS — so a user-chosen name that DNS says does not exist is never handed
      // out outside on-premise mode: the fetcher could only find it somewhere this check did not look.
      if (errorCode === 'DNS_NOT_FOUND' && !net.allowPrivateNetworks && !saved.oauthProvider) {
        logger?.warn('saved mail host does not exist in DNS; not handed out', { protocol, host });
        throw new AppError(
          'BLOCKED_ADDRESS',
          `The saved ${protocol.toUpperCase()} server ${host} does not exist in DNS now; its credentials are not handed out unchecked. Ask the user to check the server name in the widget.`,
          { field: `${protocol}.host`, status: 409 },
        );
      }
      // A look-up that could not be completed (timeout, refused, SERVFAIL) checked nothing: a hostile
      // domain can stay silent for this check and answer the fetcher's own resolver with
      // 169.254.169.254. Outside on-premise mode such a user-chosen name is not handed out; the host
      // tries again later.
      if (!net.allowPrivateNetworks && !saved.oauthProvider) {
        if (!(error instanceof NetError)) throw error; // not a look-up outcome: the server's fault (500), never a hand-out
        logger?.warn('saved mail host could not be checked now; not handed out', { protocol, host, errorCode });
        throw new AppError(
          'HOST_CHECK_UNAVAILABLE',
          `The saved ${protocol.toUpperCase()} server ${host} could not be checked right now (its DNS did not answer); try again shortly.`,
          { field: `${protocol}.host`, retryAfterSeconds: HOST_CHECK_RETRY_AFTER_SECONDS, cause: error },
        );
      }
      logger?.warn('saved mail host could not be checked now; handed out by name', { protocol, host, errorCode });
      return { host };
    }
  };
  const settled = await Promise.allSettled([pin('imap'), pin('smtp')]);
  const failures = settled.filter((result): result is PromiseRejectedResult => result.status === 'rejected').map((result) => result.reason as unknown);
  if (failures.length > 0) {
    // Deterministic: a definite refusal (409, or a bug) before "try again" (503), IMAP before SMTP.
    throw failures.find((reason) => !(reason instanceof AppError && reason.code === 'HOST_CHECK_UNAVAILABLE')) ?? failures[0];
  }
  const [imap, smtp] = settled.map((result) => (result as PromiseFulfilledResult<PinnedServer>).value) as [PinnedServer, PinnedServer];
  return { imap, smtp };
}
