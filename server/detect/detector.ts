import { NetError, type SafeNetwork } from '../net/index.js';
import type { Logger } from '../log/index.js';
import { normaliseEmail, type NormalisedEmail } from './address.js';
import { TtlCache } from './cache.js';
import { buildResult, type DomainFindings } from './render.js';
import { detectBuiltin } from './sources/builtin.js';
import { detectByMx, mxBaseDomain } from './sources/mx.js';
import { detectByAutoconfig } from './sources/autoconfig.js';
import { detectBySrv } from './sources/srv.js';
import { detectByIspdb } from './sources/ispdb.js';
import { detectByGuessing } from './sources/guess.js';
import { RANK, STANDARD_PORTS, type ServicePorts, type SourceContext } from './sources/context.js';
import type { DetectionProgress, DetectionResult, Finding, SourceName } from './types.js';

export interface DetectorOptions {
  net: SafeNetwork;
  /** The whole pipeline answers within this many milliseconds, whatever hangs. Default 3000. */
  deadlineMs?: number;
  /** Base URL of a remote ISPDB (`<base><domain>`); unset = never asked. */
  ispdbUrl?: string;
  /** How long an answer is cached per domain. Default 1 hour. */
  cacheTtlMs?: number;
  /** How long a miss (or an answer cut short by the deadline) is cached. Default 5 minutes. */
  missTtlMs?: number;
  cacheSize?: number;
  /** Guessing starts once the other sources came back empty, or after this long. Default a third of the deadline. */
  guessAfterMs?: number;
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

const DEFAULTS = { deadlineMs: 3000, cacheTtlMs: 60 * 60 * 1000, missTtlMs: 5 * 60 * 1000, cacheSize: 10_000 };

/**
 * Builds the detection pipeline: the built-in database answers at once; otherwise MX, the
 * domain's autoconfig, SRV records, an optional ISPDB and (last) guessing run in parallel
 * under one deadline, and the best-ranked answer wins. Answers and misses are cached per domain,
 * and concurrent look-ups of one domain share their work.
 *
 * @example
 * const detector = createDetector({ net: services.net });
 * const result = await detector.detect('support@company.com', { onProgress: console.log });
 */
export function createDetector(options: DetectorOptions): Detector {
  const settings = { ...DEFAULTS, ...options };
  const guessAfterMs = options.guessAfterMs ?? Math.round(settings.deadlineMs / 3);
  const ports: ServicePorts = { ...STANDARD_PORTS, ...options.ports };
  const cache = new TtlCache<DomainFindings>(settings.cacheSize);
  const inflight = new Map<string, Promise<DomainFindings>>();

  async function detect(email: string, detectOptions: DetectOptions = {}): Promise<DetectionResult> {
    const started = performance.now();
    const address = normaliseEmail(email);
    const progress = detectOptions.onProgress ?? (() => {});
    const elapsed = () => Math.round(performance.now() - started);

    progress({ source: 'builtin', status: 'start' });
    const builtin = detectBuiltin(address.domain);
    progress({ source: 'builtin', status: 'end', found: builtin !== undefined, ms: elapsed() });
    if (builtin) return buildResult(address, { findings: [builtin], notes: [] }, elapsed());

    const cached = cache.get(address.domain);
    if (cached) return buildResult(address, cached, elapsed());

    let shared = inflight.get(address.domain);
    if (!shared) {
      shared = runSources(address, progress, started + settings.deadlineMs - DEADLINE_MARGIN_MS).then(({ found, complete }) => {
        const useful = found.findings.some((f) => f.imap || f.smtp || f.provider);
        cache.set(address.domain, found, useful && complete ? settings.cacheTtlMs : settings.missTtlMs);
        return found;
      });
      const forget = () => inflight.delete(address.domain);
      shared.then(forget, forget);
      inflight.set(address.domain, shared);
    }
    return buildResult(address, await shared, elapsed());
  }

  /** Runs the remote sources under the deadline; `complete` is false when the deadline cut some short. */
  async function runSources(
    address: NormalisedEmail,
    progress: (event: DetectionProgress) => void,
    deadlineAt: number,
  ): Promise<{ found: DomainFindings; complete: boolean }> {
    const started = performance.now();
    const stop = new AbortController();
    const ctx: SourceContext = {
      net: settings.net,
      address,
      signal: stop.signal,
      remainingMs: () => Math.max(1, Math.round(deadlineAt - performance.now())),
      ports,
    };
    const findings: Finding[] = [];
    const notes: string[] = [];
    const running = new Set<SourceName>();
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    let guessTimer: NodeJS.Timeout | undefined;
    let guessStarted = false;
    let domainMissing = false;

    const hasAnswer = () => findings.some((f) => f.imap || f.smtp || f.provider);
    const checkDone = () => {
      if (stop.signal.aborted) return;
      if (domainMissing) return finish();
      const answered = hasAnswer();
      // Every source but guessing may still outrank the answer, name its provider (OAuth) or add
      // an alternative, and they are quick DNS and HTTPS look-ups under the deadline; guessing,
      // ranked last, only matters while there is no answer at all.
      const waiting = [...running].some((name) => name !== 'guess' || !answered);
      const guessPending = !guessStarted && !answered;
      if (running.size === 0 && guessPending) return startGuessing();
      if (!waiting && !guessPending) finish();
    };
    const run = (name: SourceName, work: () => Promise<Finding[]>) => {
      running.add(name);
      progress({ source: name, status: 'start' });
      const sourceStarted = performance.now();
      work().then(
        (found) => {
          findings.push(...found);
          end(name, sourceStarted, found.some((f) => f.imap || f.smtp || f.provider));
        },
        (error: unknown) => {
          const code = error instanceof NetError ? error.code : 'UNKNOWN';
          if (!(error instanceof NetError)) settings.logger?.warn('detection source failed', { source: name, error });
          end(name, sourceStarted, false, code);
        },
      );
    };
    const end = (name: SourceName, sourceStarted: number, found: boolean, error?: string) => {
      if (stop.signal.aborted) return;
      running.delete(name);
      const ms = Math.round(performance.now() - sourceStarted);
      progress(error ? { source: name, status: 'end', found, ms, error } : { source: name, status: 'end', found, ms });
      checkDone();
    };
    const startGuessing = () => {
      clearTimeout(guessTimer);
      if (guessStarted || hasAnswer() || stop.signal.aborted) return;
      guessStarted = true;
      run('guess', () => detectByGuessing(ctx));
    };

    const mx = settings.net.resolveMx(address.domain, ctx.remainingMs());
    mx.catch(() => {});
    run('mx', async () => {
      try {
        return detectByMx(await mx, address.domain);
      } catch (error) {
        if (error instanceof NetError && error.code === 'DNS_NOT_FOUND') {
          notes.push(`The domain ${address.domain} does not exist. Check the address for a typing mistake.`);
          domainMissing = true;
        }
        throw error;
      }
    });
    /** Runs `lookUp` for the MX host's domain when mail is hosted under an unknown other name. */
    const forMxDomain = async (lookUp: (mxDomain: string) => Promise<Finding[]>): Promise<Finding[]> => {
      const records = await mx;
      // A known hosted-mail MX already says everything; its operator's autoconfig adds nothing.
      if (detectByMx(records, address.domain).length > 0) return [];
      const mxDomain = mxBaseDomain(records[0]?.exchange ?? '', address.domain);
      return mxDomain ? lookUp(mxDomain) : [];
    };
    run('autoconfig', () =>
      settle([
        detectByAutoconfig(ctx, address.domain, { source: 'autoconfig', rank: RANK.autoconfig, confidence: 'high' }, true),
        forMxDomain((base) => detectByAutoconfig(ctx, base, { source: 'autoconfig', rank: RANK.mxAutoconfig, confidence: 'medium' }, false)),
      ]),
    );
    run('srv', () => detectBySrv(ctx));
    const ispdbUrl = settings.ispdbUrl;
    if (ispdbUrl) {
      run('ispdb', () =>
        settle([
          detectByIspdb(ctx, ispdbUrl, address.domain, { source: 'ispdb', rank: RANK.ispdb, confidence: 'medium' }),
          forMxDomain((base) => detectByIspdb(ctx, ispdbUrl, base, { source: 'ispdb', rank: RANK.mxIspdb, confidence: 'medium' })),
        ]),
      );
    }
    guessTimer = setTimeout(startGuessing, guessAfterMs);
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      finish();
    }, Math.max(1, deadlineAt - performance.now()));

    await finished;
    clearTimeout(deadline);
    clearTimeout(guessTimer);
    stop.abort();
    // Sources still running were either overtaken by a better answer or cut off by the deadline.
    const reason = timedOut ? 'TIMEOUT' : 'SKIPPED';
    for (const name of running) progress({ source: name, status: 'end', found: false, ms: Math.round(performance.now() - started), error: reason });
    return { found: { findings: [...findings], notes }, complete: !timedOut };
  }

  function peek(email: string): DetectionResult | undefined {
    const started = performance.now();
    const address = normaliseEmail(email);
    const builtin = detectBuiltin(address.domain);
    const known = builtin ? { findings: [builtin], notes: [] } : cache.get(address.domain);
    return known ? buildResult(address, known, Math.round(performance.now() - started)) : undefined;
  }

  return { detect, peek, clearCache: () => cache.clear() };
}

/** Findings of several look-ups of one source; when none found anything, the first failure is the outcome. */
async function settle(parts: Array<Promise<Finding[]>>): Promise<Finding[]> {
  const settled = await Promise.allSettled(parts);
  const found = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (found.length === 0 && failure) throw failure.reason;
  return found;
}
