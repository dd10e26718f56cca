import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { createTestApp, type TestApp } from '../testing/app.js';
import { startOAuthTestServer, type OAuthTestServer } from '../testing/oauth-server.js';
import { MAIL_TEST_HOSTS, startMailServers, type TestMailServers } from '../testing/mail-servers.js';
import { OAUTH_TEST_ENV, hostCredentials, saveOAuthSettings, signIn } from '../testing/oauth-journeys.js';

/**
 * End to end: a token from a finished sign-in, handed out by the host credentials endpoint,
 * logs into a real Dovecot (oauth2 passdb asking a local introspection endpoint that knows the
 * OAuth server's tokens) and into smtp-server with XOAUTH2 — before and after a refresh.
 */
const MAILBOX = 'alice@mail.test';
let oauth: OAuthTestServer;
let mail: TestMailServers;
let app: TestApp;

beforeAll(async () => {
  oauth = await startOAuthTestServer();
  mail = await startMailServers({
    dovecot: {
      introspect: (token) => {
        const grant = oauth.introspect(token);
        return grant ? { active: true, username: grant.email } : { active: false };
      },
    },
  });
  app = await createTestApp({ ...oauth.env(), ...OAUTH_TEST_ENV, ...mail.env });
});
afterAll(async () => {
  await app?.close();
  await mail?.stop();
  await oauth?.close();
});

type Credentials = {
  imap: { auth: { user: string; accessToken: string } };
  smtp: { auth: { type: 'OAuth2'; user: string; accessToken: string } };
};

async function imapLogin(user: string, accessToken: string): Promise<number> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: mail.dovecot.imapsPort,
    secure: true,
    servername: MAIL_TEST_HOSTS.imap,
    tls: { ca: [mail.ca.cert] },
    auth: { user, accessToken },
    logger: false,
    connectionTimeout: 5000,
    greetingTimeout: 5000,
  });
  await client.connect();
  try {
    const inbox = await client.mailboxOpen('INBOX');
    return inbox.exists;
  } finally {
    await client.logout();
  }
}

async function smtpSend(auth: Credentials['smtp']['auth']): Promise<void> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: mail.smtp.securePort,
    secure: true,
    tls: { servername: MAIL_TEST_HOSTS.smtp, ca: [mail.ca.cert] },
    auth,
    connectionTimeout: 5000,
    greetingTimeout: 5000,
  });
  try {
    await transport.sendMail({ from: auth.user, to: 'someone@mail.test', subject: 'OAuth test', text: 'hello' });
  } finally {
    transport.close();
  }
}

/** The SMTP harness checks XOAUTH2 against a table: fill it with the tokens the OAuth server currently honours. */
function trustTokens(...tokens: string[]) {
  mail.smtp.setTokens(Object.fromEntries(tokens.filter((t) => oauth.introspect(t)).map((t) => [t, oauth.introspect(t)!.email])));
}

describe('XOAUTH2 with a stored token', () => {
  it.each(['google', 'microsoft'] as const)('%s: the token from the credentials endpoint logs into Dovecot and smtp-server', async (provider) => {
    const accountId = `e2e-${provider}`;
    const journey = await signIn(app, oauth, { accountId, provider, consent: { email: MAILBOX } });
    expect(journey.callback.status).toBe(200);
    expect((await saveOAuthSettings(app, journey.token, provider, MAILBOX)).status).toBe(200);

    const first = (await (await hostCredentials(app, accountId)).json()) as Credentials;
    expect(first.imap.auth.user).toBe(MAILBOX);
    expect(await imapLogin(first.imap.auth.user, first.imap.auth.accessToken)).toBeGreaterThanOrEqual(0);
    trustTokens(first.smtp.auth.accessToken);
    const sent = mail.smtp.messages.length;
    await smtpSend(first.smtp.auth);
    expect(mail.smtp.messages.length).toBe(sent + 1);
    expect(mail.smtp.authAttempts.at(-1)).toMatchObject({ method: 'XOAUTH2', username: MAILBOX });

    // After a refresh the new token works too.
    await app.services.database.db.updateTable('oauth_credentials').set({ access_expires_at: Date.now() - 1 }).where('account_id', '=', accountId).execute();
    const second = (await (await hostCredentials(app, accountId)).json()) as Credentials;
    expect(second.imap.auth.accessToken).not.toBe(first.imap.auth.accessToken);
    expect(await imapLogin(MAILBOX, second.imap.auth.accessToken)).toBeGreaterThanOrEqual(0);
    trustTokens(second.smtp.auth.accessToken);
    await smtpSend(second.smtp.auth);
  });

  it('Dovecot refuses a token the OAuth server does not know', async () => {
    await expect(imapLogin(MAILBOX, 'at_not-a-real-token-0123456789')).rejects.toMatchObject({ authenticationFailed: true });
  });
});
