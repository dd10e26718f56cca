import type { Config } from '../config/index.js';
import type { OAuthProviderId } from '../store/database.js';
import { OAUTH_PROVIDERS } from '../contract/codes.js';

/** Everything we need to know about one configured OAuth provider. */
export interface ProviderSettings {
  id: OAuthProviderId;
  /** "Google" or "Microsoft", for sentences. */
  name: string;
  clientId: string;
  clientSecret?: string;
  authorizationUrl: string;
  tokenUrl: string;
  revocationUrl?: string;
  redirectUri: string;
  /** Requested at authorisation. */
  scopes: string[];
  /** Scopes without which the mailbox cannot be used: a grant lacking one is refused. */
  requiredScopes: string[];
  /** Sent again with every refresh (Microsoft wants them; Google must not get them). */
  refreshScopes: string[];
  /** Extra authorisation parameters (offline access, consent prompt, form_post). */
  authorizationParams: Record<string, string>;
  /** Public client redeeming codes cross-origin: send this `Origin` with token requests. */
  tokenRequestOrigin?: string;
  /** Refresh tokens rotate on every refresh (Microsoft). */
  rotatesRefreshTokens: boolean;
}

export const PROVIDER_IDS: readonly OAuthProviderId[] = OAUTH_PROVIDERS;

export const GOOGLE_SCOPES = ['https://mail.google.com/', 'openid', 'email'];
export const MICROSOFT_SCOPES = [
  'https://outlook.office.com/IMAP.AccessAsUser.All',
  'https://outlook.office.com/SMTP.Send',
  'offline_access',
  'openid',
  'email',
];

/** The callback URL registered with the provider: `${publicUrl}${basePath}/oauth/<provider>/callback`. */
export function redirectUriFor(config: Pick<Config, 'publicUrl' | 'basePath'>, provider: OAuthProviderId): string {
  return `${config.publicUrl}${config.basePath}/oauth/${provider}/callback`;
}

/**
 * The configured providers, keyed by id; a provider without a client id is absent ("not
 * configured"), which is not an error.
 *
 * @example
 * const providers = providerSettings(config);
 * providers.google?.scopes; // ['https://mail.google.com/', 'openid', 'email']
 */
export function providerSettings(config: Config): Partial<Record<OAuthProviderId, ProviderSettings>> {
  const result: Partial<Record<OAuthProviderId, ProviderSettings>> = {};
  if (config.google) {
    result.google = {
      id: 'google',
      name: 'Google',
      ...config.google,
      redirectUri: redirectUriFor(config, 'google'),
      scopes: GOOGLE_SCOPES,
      // Google may report the mail scope alone; the ID token proves openid/email.
      requiredScopes: ['https://mail.google.com/'],
      refreshScopes: [],
      // Without offline access and a consent prompt Google issues no refresh token.
      authorizationParams: { access_type: 'offline', prompt: 'consent' },
      rotatesRefreshTokens: false,
    };
  }
  if (config.microsoft) {
    const { tenant: _tenant, authority: _authority, ...endpoints } = config.microsoft;
    result.microsoft = {
      id: 'microsoft',
      name: 'Microsoft',
      ...endpoints,
      redirectUri: redirectUriFor(config, 'microsoft'),
      scopes: MICROSOFT_SCOPES,
      requiredScopes: ['https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send'],
      refreshScopes: MICROSOFT_SCOPES,
      // form_post keeps the code out of browser history and Referer headers.
      authorizationParams: { response_mode: 'form_post', prompt: 'select_account' },
      ...(endpoints.clientSecret ? {} : { tokenRequestOrigin: new URL(config.publicUrl).origin }),
      rotatesRefreshTokens: true,
    };
  }
  return result;
}

/** Compares granted scopes with the required ones; Microsoft reports them without the resource prefix sometimes. */
export function missingScopes(provider: ProviderSettings, granted: string[]): string[] {
  const have = new Set(granted.map((scope) => scope.toLowerCase()));
  return provider.requiredScopes.filter((scope) => {
    const lower = scope.toLowerCase();
    const short = lower.replace(/^https:\/\/outlook\.office\.com\//, '');
    return !have.has(lower) && !have.has(short);
  });
}
