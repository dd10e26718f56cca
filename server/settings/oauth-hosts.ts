import hostsData from '../detect/providers/oauth-mail-hosts.json' with { type: 'json' };
import { normaliseHost } from '../net/index.js';
import type { OAuthProviderId } from '../store/database.js';

type Protocol = 'imap' | 'smtp';

/** Each provider's own mail hosts, normalised once when the module loads. */
const OAUTH_MAIL_HOSTS: Readonly<Record<OAuthProviderId, Record<Protocol, ReadonlySet<string>>>> = (() => {
  const read = (provider: OAuthProviderId, protocol: Protocol): ReadonlySet<string> => {
    const hosts = hostsData[provider][protocol].map((host) => {
      const normal = normaliseHost(host);
      if (normal !== host) throw new Error(`oauth-mail-hosts.json: ${provider}.${protocol} holds "${host}", which is not a normalised host name.`);
      return normal;
    });
    if (hosts.length === 0) throw new Error(`oauth-mail-hosts.json: ${provider}.${protocol} is empty.`);
    return new Set(hosts);
  };
  return {
    google: { imap: read('google', 'imap'), smtp: read('google', 'smtp') },
    microsoft: { imap: read('microsoft', 'imap'), smtp: read('microsoft', 'smtp') },
  };
})();

/**
 * True when `host` is one of `provider`'s own mail servers for `protocol`
 * (`server/detect/providers/oauth-mail-hosts.json`, national clouds included): the only places an
 * access token may be sent. Compared after `normaliseHost`.
 *
 * @example isOAuthMailHost('google', 'imap', 'IMAP.Gmail.com.') // true
 */
export function isOAuthMailHost(provider: OAuthProviderId, protocol: Protocol, host: string): boolean {
  const normal = normaliseHost(host);
  return normal !== undefined && OAUTH_MAIL_HOSTS[provider][protocol].has(normal);
}

/** The hosts of one provider and protocol, for messages. */
export function oauthMailHosts(provider: OAuthProviderId, protocol: Protocol): string[] {
  return [...OAUTH_MAIL_HOSTS[provider][protocol]];
}
