import type { Phase, PhaseName } from './types.js';

/** Thrown when a phase outlives its own time limit or the overall deadline. */
export class PhaseTimeoutError extends Error {
  override name = 'PhaseTimeoutError';
  constructor(
    readonly phase: PhaseName,
    readonly limitMs: number,
    /** True when the overall test deadline (not the phase limit) ran out. */
    readonly overall: boolean,
  ) {
    super(`The ${phase} step did not finish within ${Math.round(limitMs / 100) / 10} s.`);
  }
}

/**
 * Times a test's phases one after another. `begin(name)` closes the previous phase as passed
 * and starts the next; `fail()` closes the running one as failed. Each phase has a time limit:
 * when it runs out (or the outer signal aborts), `signal` aborts and `onTimeout` runs, so the
 * caller can tear down the connection that hangs.
 *
 * @example
 * const tracker = new PhaseTracker({ phaseTimeoutMs: 5000, onTimeout: () => socket.destroy() });
 * tracker.begin('resolve'); … tracker.begin('connect'); … tracker.finish();
 */
export class PhaseTracker {
  readonly phases: Phase[] = [];
  private current: { name: PhaseName; started: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly controller = new AbortController();
  private timeoutError: PhaseTimeoutError | undefined;
  private readonly onOuterAbort = () => this.expire(true);

  constructor(
    private readonly options: {
      phaseTimeoutMs: number;
      /** The greeting's own (longer) limit; default `phaseTimeoutMs`. */
      greetingTimeoutMs?: number;
      signal?: AbortSignal;
      onPhase?: (phase: Phase) => void;
      onPhaseStart?: (name: PhaseName) => void;
      /** Called once when a limit runs out, to destroy whatever is waiting. */
      onTimeout?: () => void;
      /** The overall limit, only to name it in the timeout message. */
      overallTimeoutMs?: number;
    },
  ) {
    options.signal?.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  /** Aborts when the running phase (or the whole test) is out of time. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The phase running now, if any. */
  get running(): PhaseName | undefined {
    return this.current?.name;
  }

  /** The timeout that stopped the test, if one did. */
  get timedOut(): PhaseTimeoutError | undefined {
    return this.timeoutError;
  }

  /** Closes the running phase as passed and starts `name`. */
  begin(name: PhaseName): void {
    if (this.current?.name === name) return;
    this.close(true);
    if (this.controller.signal.aborted) return;
    this.current = { name, started: performance.now() };
    this.timer = setTimeout(() => this.expire(false), this.limitOf(name));
    this.timer.unref?.();
    this.options.onPhaseStart?.(name);
  }

  /** Closes the running phase as passed (the test is over). */
  finish(): void {
    this.close(true);
    this.dispose();
  }

  /** Closes the running phase as failed; returns its name (the phase the error belongs to). */
  fail(): PhaseName | undefined {
    const name = this.current?.name;
    this.close(false);
    this.dispose();
    return name;
  }

  /** Throws the timeout error if a limit ran out (call after an awaited step failed). */
  throwIfTimedOut(): void {
    if (this.timeoutError) throw this.timeoutError;
  }

  private close(ok: boolean): void {
    if (!this.current) return;
    clearTimeout(this.timer);
    const phase: Phase = { name: this.current.name, ok, ms: Math.round(performance.now() - this.current.started) };
    this.current = undefined;
    this.phases.push(phase);
    this.options.onPhase?.(phase);
  }

  /** The time limit of one phase. */
  limitOf(name: PhaseName): number {
    return name === 'greeting' ? (this.options.greetingTimeoutMs ?? this.options.phaseTimeoutMs) : this.options.phaseTimeoutMs;
  }

  private expire(overall: boolean): void {
    if (this.timeoutError) return;
    const phase = this.current?.name ?? 'connect';
    const limit = overall ? (this.options.overallTimeoutMs ?? this.options.phaseTimeoutMs) : this.limitOf(phase);
    this.timeoutError = new PhaseTimeoutError(phase, limit, overall);
    this.controller.abort(this.timeoutError);
    this.options.onTimeout?.();
  }

  private dispose(): void {
    clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onOuterAbort);
  }
}
