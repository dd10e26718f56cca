import { startMailServers, type TestMailServers } from './mail-servers.js';
import type { OAuthTestServer } from './oauth-server.js';

export interface OAuthMailServerOptions {
  /** Mailboxes Dovecot keeps (each gets an INBOX; their passwords are never used). */
  mailboxes: string[];
  /** Names besides the defaults that resolve to 127.0.0.1 and are on the certificates (e.g. `outlook.office365.com`). */
  extraNames?: string[];
  /**
   * The mailbox a token opens, or undefined when the servers refuse it. Default: the account the
   * local OAuth server issued it to, while it is valid there.
   */
  mailboxOf?: (accessToken: string) => string | undefined;
}

/**
 * Dovecot (oauth2 passdb asking an introspection endpoint) and smtp-server (XOAUTH2) that accept
 * exactly the tokens `mailboxOf` vouches for: by default the local OAuth server's live tokens, for
 * their own account. A login whose user name is not that mailbox is refused, as Exchange and
 * Gmail refuse a token for another mailbox.
 *
 * @example
 * const mail = await startOAuthMailServers(oauth, { mailboxes: ['support@contoso.test'], extraNames: ['outlook.office365.com', 'smtp.office365.com'] });
 */
export function startOAuthMailServers(oauth: OAuthTestServer, options: OAuthMailServerOptions): Promise<TestMailServers> {
  const mailboxOf = options.mailboxOf ?? ((token: string) => oauth.introspect(token)?.email);
  return startMailServers({
    extraNames: options.extraNames,
    dovecot: {
      users: options.mailboxes.map((username) => ({ username, password: 'unused-password' })),
      introspect: (token) => {
        const mailbox = mailboxOf(token);
        return mailbox ? { active: true, username: mailbox } : { active: false };
      },
    },
    smtp: { tokenOwner: mailboxOf },
  });
}
