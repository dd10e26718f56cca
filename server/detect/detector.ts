import { NetError, type SafeNetwork } from '../net/index.js';
import type { Logger } from '../log/index.js';
import { normaliseEmail, type NormalisedEmail } from './address.js';
import { TtlCache } from './cache.js';
import { isAnswer, type Finding } from './finding.js';
import { buildResult, type DomainFindings } from './render.js';
import { runSources } from './scheduler.js';
import { detectBuiltin } from './sources/builtin.js';
import { STANDARD_PORTS, type MxRecord, type ServicePorts, type SourceContext } from './sources/context.js';
import { detectionSources, type DetectionSourceEntry } from './sources/registry.js';
import type { DetectionProgress, DetectionResult } from './types.js';

export interface DetectorOptions {
  net: SafeNetwork;
  /** The whole pipeline answers within this many milliseconds, whatever hangs. Default 3000. */
  deadlineMs?: number;
  /** Base URL of a remote ISPDB (`<base><domain>`); unset = never asked. */
  ispdbUrl?: string;
  /** How long an answer is cached per domain. Default 1 hour. */
  cacheTtlMs?: number;
  /** How long a miss is cached. Default 5 minutes. An answer the deadline cut short is never cached. */
  missTtlMs?: number;
  cacheSize?: number;
  /** Guessing starts once the other sources came back empty, or after this long. Default a third of the deadline. */
  guessAfterMs?: number;
  /**
   * Once a source has answered, better-ranked sources still running get at most this much
   * longer (an autoconfig host that never answers must not hold every answer to the deadline).
   * Default 1000 ms. Such an answer is not cached.
   */
  patienceMs?: number;
  /** Once a less likely guessed server answered, a silent more likely one gets this much longer. Default 400 ms. */
  preferenceGraceMs?: number;
  /** Where the domain's own HTTPS, IMAP and SMTP services are looked for (standard ports unless a test says otherwise). */
  ports?: Partial<ServicePorts>;
  logger?: Logger;
}

export interface DetectOptions {
  /** Called as each source starts and ends (for the widget's progress display). */
  onProgress?: (event: DetectionProgress) => void;
}

/** Finds IMAP/SMTP settings for email addresses. */
export interface Detector {
  /**
   * Detects the settings of `email`. Throws InvalidEmailError for something that is not an
   * address; otherwise always answers (source `none` when nothing was found).
   */
  detect(email: string, options?: DetectOptions): Promise<DetectionResult>;
  /**
   * The answer when it costs no network traffic (built-in database or cache), else undefined.
   * Throws InvalidEmailError like `detect`. Lets callers rate-limit only remote look-ups.
   */
  peek(email: string): DetectionResult | undefined;
  clearCache(): void;
}

/** Time kept back from the deadline for shaping and sending the answer. */
const DEADLINE_MARGIN_MS = 30;

const DEFAULTS = { deadlineMs: 3000, cacheTtlMs: 60 * 60 * 1000, missTtlMs: 5 * 60 * 1000, cacheSize: 10_000, patienceMs: 1000 };

/** A domain's cached findings; `perAddress` says the autoconfig answer is made per address and must be asked again for another one. */
interface CachedDomain extends DomainFindings {
  perAddress: boolean;
  /** The MX records the run saw, reused when the per-address part is asked again. */
  mx?: MxRecord[];
}

/**
 * Builds the detection pipeline: the built-in database answers at once; otherwise the sources
 * of the registry (autoconfig, SRV, MX with its DNS signals, an optional ISPDB, and guessing
 * last) run under one deadline through the scheduler, and the best-ranked answer wins.
 * Per-domain findings are cached per domain; findings made for one address (an autoconfig
 * server that fills in each user's login) are cached for that address only. Concurrent
 * look-ups of one domain share their work; an answer cut short by the deadline is not cached.
 *
 * @example
 * const detector = createDetector({ net: services.net });
 * const result = await detector.detect('support@company.com', { onProgress: console.log });
 */
export function createDetector(options: DetectorOptions): Detector {
  const settings = { ...DEFAULTS, ...options };
  const guessAfterMs = options.guessAfterMs ?? Math.round(settings.deadlineMs / 3);
  const ports: ServicePorts = { ...STANDARD_PORTS, ...options.ports };
  const sources = detectionSources({
    ...(settings.ispdbUrl ? { ispdbUrl: settings.ispdbUrl } : {}),
    ...(settings.preferenceGraceMs !== undefined ? { preferenceGraceMs: settings.preferenceGraceMs } : {}),
  });
  const domainCache = new TtlCache<CachedDomain>(settings.cacheSize);
  const addressCache = new TtlCache<Finding[]>(settings.cacheSize);
  const inflight = new Map<string, Promise<CachedDomain>>();

  async function detect(email: string, detectOptions: DetectOptions = {}): Promise<DetectionResult> {
    const started = performance.now();
    const address = normaliseEmail(email);
    const progress = detectOptions.onProgress ?? (() => {});
    const elapsed = () => Math.round(performance.now() - started);
    const deadlineAt = started + settings.deadlineMs - DEADLINE_MARGIN_MS;

    progress({ source: 'builtin', status: 'start' });
    const builtin = detectBuiltin(address.domain);
    progress({ source: 'builtin', status: 'end', found: builtin !== undefined, ms: elapsed() });
    if (builtin) return buildResult(address, { findings: [builtin], notes: [] }, elapsed());

    const cachedDomain = domainCache.get(address.domain);
    const known = fromCache(address);
    if (known) return buildResult(address, known, elapsed());
    if (cachedDomain?.perAddress) return buildResult(address, await rerunPerAddress(address, cachedDomain, progress, deadlineAt), elapsed());

    let shared = inflight.get(address.domain);
    const mine = !shared;
    if (!shared) {
      shared = run(address, sources, progress, deadlineAt).then(({ findings, complete, mx }) => remember(address, findings, complete, mx));
      const forget = () => inflight.delete(address.domain);
      shared.then(forget, forget);
      inflight.set(address.domain, shared);
    }
    const domain = await shared;
    if (!domain.perAddress || mine) return buildResult(address, mine ? withOwn(domain, address) : domain, elapsed());
    // Another address's look-up was shared: its per-address answer is not ours, so ask again for this one.
    return buildResult(address, await rerunPerAddress(address, domain, progress, deadlineAt), elapsed());
  }

  /** The cached answer for this address, if everything it needs is cached. */
  function fromCache(address: NormalisedEmail): DomainFindings | undefined {
    const domain = domainCache.get(address.domain);
    if (!domain) return undefined;
    if (!domain.perAddress) return domain;
    const own = addressCache.get(address.email.toLowerCase());
    return own ? { findings: [...domain.findings, ...own], notes: domain.notes } : undefined;
  }

  /** Splits what a run found into the per-domain part (cached for the domain) and the per-address part. */
  function remember(address: NormalisedEmail, findings: Finding[], complete: boolean, mx: MxRecord[] | undefined): CachedDomain {
    const perDomain = findings.filter((f) => f.scope !== 'address');
    const perAddress = findings.filter((f) => f.scope === 'address');
    const domain: CachedDomain = { findings: perDomain, notes: [], perAddress: perAddress.length > 0, ...(mx ? { mx } : {}) };
    lastOwn.set(domain, perAddress);
    if (complete) {
      const ttl = findings.some(isAnswer) ? settings.cacheTtlMs : settings.missTtlMs;
      domainCache.set(address.domain, domain, ttl);
      if (perAddress.length > 0) addressCache.set(address.email.toLowerCase(), perAddress, ttl);
    }
    return domain;
  }
  /** The per-address findings of the run that produced a domain entry, for the address that ran it. */
  const lastOwn = new WeakMap<CachedDomain, Finding[]>();
  const withOwn = (domain: CachedDomain, address: NormalisedEmail): DomainFindings => ({ findings: [...domain.findings, ...(lastOwn.get(domain) ?? [])], notes: domain.notes });

  /** Runs the autoconfig source again for another address of a domain whose autoconfig answers per address. */
  async function rerunPerAddress(address: NormalisedEmail, domain: CachedDomain, progress: (e: DetectionProgress) => void, deadlineAt: number): Promise<DomainFindings> {
    const again = await run(address, sources.filter((s) => s.name === 'autoconfig'), progress, deadlineAt, domain.mx);
    const own = again.findings.filter((f) => f.scope === 'address');
    if (again.complete && own.length > 0) addressCache.set(address.email.toLowerCase(), own, settings.cacheTtlMs);
    return { findings: [...domain.findings.filter((f) => f.source !== 'autoconfig'), ...again.findings], notes: domain.notes };
  }

  /** Runs sources under the deadline; `complete` is false when the deadline cut some short. */
  async function run(
    address: NormalisedEmail,
    selected: DetectionSourceEntry[],
    progress: (event: DetectionProgress) => void,
    deadlineAt: number,
    knownMx?: MxRecord[],
  ): Promise<{ findings: Finding[]; complete: boolean; mx?: MxRecord[] }> {
    const stop = new AbortController();
    let mx: Promise<MxRecord[]> | undefined = knownMx ? Promise.resolve(knownMx) : undefined;
    let seenMx: MxRecord[] | undefined = knownMx;
    const remainingMs = () => Math.max(1, Math.round(deadlineAt - performance.now()));
    const ctx: SourceContext = {
      net: settings.net,
      address,
      signal: stop.signal,
      remainingMs,
      ports,
      mx: () => {
        if (!mx) {
          mx = settings.net.resolveMx(address.domain, remainingMs());
          mx.then((records) => (seenMx = records), () => {});
        }
        return mx;
      },
    };
    try {
      const outcome = await runSources(selected, ctx, {
        deadlineMs: remainingMs(),
        fallbackAfterMs: guessAfterMs,
        patienceMs: settings.patienceMs,
        onEvent: (event) => progress(event as DetectionProgress),
        errorCode: (error) => progressCode(error),
      });
      return { ...outcome, ...(seenMx ? { mx: seenMx } : {}) };
    } finally {
      stop.abort();
    }
  }

  /** The code a failed source reports; a blocked address looks exactly like a missing name when private networks are off. */
  function progressCode(error: unknown): string {
    if (!(error instanceof NetError)) {
      settings.logger?.warn('detection source failed', { error });
      return 'UNKNOWN';
    }
    return error.code === 'BLOCKED_ADDRESS' && !settings.net.allowPrivateNetworks ? 'DNS_NOT_FOUND' : error.code;
  }

  function peek(email: string): DetectionResult | undefined {
    const started = performance.now();
    const address = normaliseEmail(email);
    const builtin = detectBuiltin(address.domain);
    const known = builtin ? { findings: [builtin], notes: [] } : fromCache(address);
    return known ? buildResult(address, known, Math.round(performance.now() - started)) : undefined;
  }

  return {
    detect,
    peek,
    clearCache: () => {
      domainCache.clear();
      addressCache.clear();
    },
  };
}
