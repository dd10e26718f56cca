import { MxPatternsFileSchema, ProvidersFileSchema, REGION_PLACEHOLDER, type MxPattern } from './schema.js';
import type { ProviderEntry } from './types.js';

/** The validated, indexed provider database. */
export interface ProviderIndex {
  byId: ReadonlyMap<string, ProviderEntry>;
  byDomain: ReadonlyMap<string, ProviderEntry>;
  mxBySuffix: ReadonlyMap<string, MxPattern>;
  mxRegexes: ReadonlyArray<{ regex: RegExp; pattern: MxPattern }>;
}

/** Thrown when a data file breaks a rule; the message lists every problem found. */
export class ProviderDataError extends Error {
  constructor(readonly problems: string[]) {
    super(`Provider database is invalid:\n- ${problems.join('\n- ')}`);
    this.name = 'ProviderDataError';
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Validates the raw contents of `providers.json` and `mx-patterns.json` and indexes them.
 * Collects every problem (bad field, duplicate id or domain, MX pattern naming an unknown
 * provider, duplicate MX suffix, region-templated hosts nothing can fill in) and throws one
 * {@link ProviderDataError} listing them all.
 *
 * @example
 * const index = buildProviderIndex(providersJson, mxPatternsJson);
 * index.byDomain.get('gmail.com')?.imap?.host; // 'imap.gmail.com'
 */
export function buildProviderIndex(providersRaw: unknown, mxRaw: unknown): ProviderIndex {
  const problems: string[] = [];
  const providersFile = ProvidersFileSchema.safeParse(providersRaw);
  const mxFile = MxPatternsFileSchema.safeParse(mxRaw);
  if (!providersFile.success) {
    for (const issue of providersFile.error.issues) problems.push(`providers.json ${describePath(providersRaw, issue.path)}: ${issue.message}`);
  }
  if (!mxFile.success) {
    for (const issue of mxFile.error.issues) problems.push(`mx-patterns.json ${issue.path.join('.')}: ${issue.message}`);
  }
  if (!providersFile.success || !mxFile.success) throw new ProviderDataError(problems);

  const providers = indexProviders(providersFile.data.providers, problems);
  const patterns = indexMxPatterns(mxFile.data.patterns, providers, problems);
  if (problems.length > 0) throw new ProviderDataError(problems);
  return { byId: providers.byId, byDomain: providers.byDomain, ...patterns };
}

function indexProviders(entries: ProviderEntry[], problems: string[]) {
  const byId = new Map<string, ProviderEntry>();
  const byDomain = new Map<string, ProviderEntry>();
  const regional = new Set<string>();
  for (const provider of entries) {
    if (byId.has(provider.id)) problems.push(`duplicate provider id "${provider.id}"`);
    if ([provider.imap?.host, provider.smtp?.host].some((host) => host?.includes(REGION_PLACEHOLDER))) {
      regional.add(provider.id);
      // Only an MX regex can supply the region; an address domain would hand out "{region}" literally.
      if (provider.domains.length > 0) problems.push(`"${provider.id}" has ${REGION_PLACEHOLDER} hosts, so it cannot list address domains`);
    }
    byId.set(provider.id, deepFreeze(provider));
    for (const domain of provider.domains) {
      const owner = byDomain.get(domain);
      if (owner) problems.push(`domain "${domain}" is listed by both "${owner.id}" and "${provider.id}"`);
      else byDomain.set(domain, provider);
    }
  }
  return { byId, byDomain, regional };
}

function indexMxPatterns(
  patterns: MxPattern[],
  providers: { byId: ReadonlyMap<string, ProviderEntry>; regional: ReadonlySet<string> },
  problems: string[],
): Pick<ProviderIndex, 'mxBySuffix' | 'mxRegexes'> {
  const mxBySuffix = new Map<string, MxPattern>();
  const mxRegexes: Array<{ regex: RegExp; pattern: MxPattern }> = [];
  for (const pattern of patterns) {
    const label = pattern.suffix ?? pattern.regex;
    const target = providers.byId.get(pattern.provider);
    if (!target) problems.push(`MX pattern ${label} names unknown provider "${pattern.provider}"`);
    if (target && pattern.forwardingOnly && target.supported) problems.push(`forwarding-only MX pattern ${label} points at a supported provider`);
    const regional = providers.regional.has(pattern.provider);
    if (pattern.suffix !== undefined) {
      if (regional) problems.push(`MX suffix ${label} points at "${pattern.provider}", whose hosts need a region from an MX regex`);
      if (mxBySuffix.has(pattern.suffix)) problems.push(`duplicate MX suffix "${pattern.suffix}"`);
      mxBySuffix.set(pattern.suffix, deepFreeze(pattern));
    } else if (pattern.regex !== undefined) {
      let regex: RegExp;
      try {
        regex = new RegExp(pattern.regex);
      } catch {
        problems.push(`MX regex ${label} does not compile`);
        continue;
      }
      if (regional && !pattern.regex.includes('(?<region>')) problems.push(`MX regex ${label} points at "${pattern.provider}" but captures no region`);
      mxRegexes.push({ regex, pattern: deepFreeze(pattern) });
    }
  }
  return { mxBySuffix, mxRegexes };
}

/** Turns a zod issue path into something a person can find in the file (`providers[12] (id "gmx")`). */
function describePath(raw: unknown, path: PropertyKey[]): string {
  const [, index] = path;
  const providers = (raw as { providers?: Array<{ id?: unknown }> } | null)?.providers;
  const id = typeof index === 'number' ? providers?.[index]?.id : undefined;
  return `${path.map(String).join('.')}${typeof id === 'string' ? ` (id "${id}")` : ''}`;
}
