import adviceData from './advice.json' with { type: 'json' };
import type { MailTestCode, Protocol } from './types.js';
import type { OAuthProvider } from '../contract/codes.js';

interface ProviderAdvice {
  id: string;
  name: string;
  hosts: string[];
  steps: Partial<Record<MailTestCode, string[]>>;
}

const generic = adviceData.generic as Record<MailTestCode, string[]>;
const providers = adviceData.providers as ProviderAdvice[];

/** What the steps' `{placeholders}` are filled with. */
export interface AdviceContext {
  protocol: Protocol;
  host: string;
  port: number;
  username: string;
  /** OAuth: the signed-in account (the mailbox is `username`). */
  account?: string;
  /** Names on the server's certificate, when a certificate was the problem. */
  certNames?: string[];
  /** The OAuth provider in use, for "Sign in with … again". */
  oauthProvider?: OAuthProvider;
}

/**
 * The mail provider behind a server name, for provider-specific steps.
 * @example providerForHost('smtp.office365.com')?.id // 'microsoft'
 */
export function providerForHost(host: string): { id: string; name: string } | undefined {
  const match = findProvider(host);
  return match ? { id: match.id, name: match.name } : undefined;
}

function findProvider(host: string): ProviderAdvice | undefined {
  const name = host.toLowerCase();
  return providers.find((provider) => provider.hosts.some((suffix) => name === suffix || name.endsWith(`.${suffix}`)));
}

/**
 * Steps a person can take for a failure: the provider's own when the server belongs to a known
 * provider and it has steps for this code, otherwise the generic ones; placeholders filled in.
 * `extra` steps (a working security setting, for example) come first.
 *
 * @example stepsFor('APP_PASSWORD_REQUIRED', { protocol: 'smtp', host: 'smtp.gmail.com', port: 465, username: 'a@gmail.com' })
 */
export function stepsFor(code: MailTestCode, context: AdviceContext, extra: string[] = []): string[] {
  const steps = findProvider(context.host)?.steps[code] ?? generic[code] ?? generic.UNKNOWN;
  const values: Record<string, string> = {
    host: context.host,
    port: String(context.port),
    username: context.username,
    account: context.account ?? 'the account you signed in with',
    protocolName: context.protocol.toUpperCase(),
    providerName: context.oauthProvider === 'microsoft' ? 'Microsoft' : context.oauthProvider === 'google' ? 'Google' : 'your provider',
    certNames: context.certNames?.length ? ` (${context.certNames.join(', ')})` : '',
  };
  const filled = steps.map((step) => step.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole));
  return [...extra, ...filled.filter((step) => !extra.includes(step))];
}
