import { isAnswer, type Finding } from './finding.js';

/** One detection source as the scheduler sees it (the registry's entries satisfy this). */
export interface SchedulableSource<C> {
  name: string;
  /** Starts only once every other source ended without an answer, or after `fallbackAfterMs`; ranked last. */
  fallback?: boolean;
  run(ctx: C, hooks: SourceHooks): Promise<Finding[]>;
}

/** What the scheduler hands each running source. */
export interface SourceHooks {
  /** Fires at the deadline, or when the run has its answer and this source can no longer change it. */
  signal: AbortSignal;
  /** Publishes what the source has so far (replacing its earlier report); used if the deadline cuts it off. */
  partial(findings: Finding[]): void;
}

/** Thrown by a source to end the whole run at once with these findings (the domain does not exist, accepts no mail). */
export class Conclusion extends Error {
  override name = 'Conclusion';
  constructor(
    readonly findings: Finding[],
    /** Shown as the source's progress error (`DNS_NOT_FOUND`); unset when the source simply answered. */
    readonly code?: string,
  ) {
    super('detection concluded');
  }
}

export type ScheduleEvent =
  | { source: string; status: 'start' }
  | { source: string; status: 'end'; found: boolean; ms: number; error?: string };

export interface ScheduleOptions {
  /** Milliseconds until every source is cut off. */
  deadlineMs: number;
  /** Fallback sources start after this long when nothing has answered yet. */
  fallbackAfterMs: number;
  /**
   * Once some source has answered, better-ranked sources still running get at most this much
   * longer; then the run ends with what it has (incomplete, so never cached as final). Unset =
   * wait for them until the deadline.
   */
  patienceMs?: number;
  onEvent?: (event: ScheduleEvent) => void;
  /** The progress code of a failure (a NetError's code, …). */
  errorCode?: (error: unknown) => string;
}

export interface ScheduleOutcome {
  /** Final findings of the sources that ended, plus the partial reports of those cut off. */
  findings: Finding[];
  /** False when the deadline cut off a source that could still have changed the answer. */
  complete: boolean;
}

/**
 * Runs detection sources under one deadline: every ordinary source at once, fallback sources
 * (guessing) only while there is no answer. Ends when no running source can change the answer,
 * when a source concludes, or at the deadline — then the partial reports of the sources still
 * running are used, and the outcome is marked incomplete (never to be cached as final).
 *
 * @example
 * const { findings, complete } = await runSources(registry, ctx, { deadlineMs: 3000, fallbackAfterMs: 1000 });
 */
export function runSources<C>(sources: ReadonlyArray<SchedulableSource<C>>, ctx: C, options: ScheduleOptions): Promise<ScheduleOutcome> {
  const emit = options.onEvent ?? (() => {});
  const codeOf = options.errorCode ?? ((error: unknown) => (error instanceof Error && 'code' in error ? String(error.code) : 'UNKNOWN'));
  const final = new Map<string, Finding[]>();
  const partial = new Map<string, Finding[]>();
  const running = new Map<string, { controller: AbortController; started: number; fallback: boolean }>();
  const pendingFallbacks = sources.filter((s) => s.fallback);
  let done = false;
  let resolveRun!: (outcome: ScheduleOutcome) => void;
  const outcome = new Promise<ScheduleOutcome>((resolve) => (resolveRun = resolve));

  const answered = () => [...final.values()].some((list) => list.some(isAnswer));
  let patience: NodeJS.Timeout | undefined;
  const finish = (complete: boolean, reason: string) => {
    if (done) return;
    done = true;
    clearTimeout(deadline);
    clearTimeout(fallbackTimer);
    clearTimeout(patience);
    const findings = [...final.values()].flat();
    for (const [name, state] of running) {
      findings.push(...(partial.get(name) ?? []));
      state.controller.abort();
      emit({ source: name, status: 'end', found: (partial.get(name) ?? []).some(isAnswer), ms: Math.round(performance.now() - state.started), error: reason });
    }
    running.clear();
    resolveRun({ findings, complete });
  };
  const check = () => {
    if (done) return;
    const hasAnswer = answered();
    if (hasAnswer && patience === undefined && options.patienceMs !== undefined) {
      patience = setTimeout(() => finish(false, 'TIMEOUT'), Math.max(0, options.patienceMs));
    }
    // A fallback source (ranked last) only matters while there is no answer at all.
    const waiting = [...running.values()].some((state) => !state.fallback || !hasAnswer);
    if (!hasAnswer && pendingFallbacks.length > 0 && ![...running.values()].some((s) => !s.fallback)) return startFallbacks();
    if (!waiting && (hasAnswer || pendingFallbacks.length === 0)) finish(true, 'SKIPPED');
  };
  const start = (source: SchedulableSource<C>) => {
    const controller = new AbortController();
    const state = { controller, started: performance.now(), fallback: source.fallback ?? false };
    running.set(source.name, state);
    emit({ source: source.name, status: 'start' });
    const hooks: SourceHooks = { signal: controller.signal, partial: (found) => void (done || partial.set(source.name, found)) };
    const end = (found: Finding[], error?: string) => {
      if (done) return;
      running.delete(source.name);
      final.set(source.name, found);
      const ms = Math.round(performance.now() - state.started);
      emit(error ? { source: source.name, status: 'end', found: found.some(isAnswer), ms, error } : { source: source.name, status: 'end', found: found.some(isAnswer), ms });
    };
    Promise.resolve()
      .then(() => source.run(ctx, hooks))
      .then(
        (found) => {
          end(found);
          check();
        },
        (error: unknown) => {
          if (error instanceof Conclusion) {
            end(error.findings, error.code);
            partial.clear();
            return finish(true, 'SKIPPED');
          }
          end(partial.get(source.name) ?? [], codeOf(error));
          check();
        },
      );
  };
  const startFallbacks = () => {
    clearTimeout(fallbackTimer);
    if (done || answered()) return;
    for (const source of pendingFallbacks.splice(0)) start(source);
  };

  const deadline = setTimeout(() => finish(false, 'TIMEOUT'), Math.max(1, options.deadlineMs));
  const fallbackTimer = setTimeout(startFallbacks, Math.max(0, options.fallbackAfterMs));
  for (const source of sources) if (!source.fallback) start(source);
  if (running.size === 0) startFallbacks();
  return outcome;
}
