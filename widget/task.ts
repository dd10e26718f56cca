import type { ReactiveControllerHost } from 'lit';

/**
 * The part of `@lit/task` the element uses (manual `run`, `status`, `taskComplete`, `onError`),
 * in a few lines: the script tag's first load has a size budget, and @lit/task's automatic
 * argument tracking is not needed.
 */
export const TaskStatus = { INITIAL: 0, PENDING: 1, COMPLETE: 2, ERROR: 3 } as const;

export interface TaskOptions<A extends unknown[], R> {
  /** Only manual runs are supported (kept for the same call shape as @lit/task). */
  autoRun?: false;
  task: (args: A, options: { signal: AbortSignal }) => Promise<R> | R;
  onComplete?: (value: R) => void;
  onError?: (error: unknown) => void;
}

export class Task<A extends unknown[] = [], R = unknown> {
  status: (typeof TaskStatus)[keyof typeof TaskStatus] = TaskStatus.INITIAL;
  /** Settles when the latest run ends: its value, or its error. */
  taskComplete: Promise<R | undefined> = Promise.resolve(undefined);
  private controller?: AbortController;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: TaskOptions<A, R>,
  ) {}

  /** Runs the task; a run still going is aborted (its signal fires) and its outcome ignored. */
  run(args: A = [] as unknown as A): Promise<void> {
    this.controller?.abort();
    const controller = (this.controller = new AbortController());
    const current = () => this.controller === controller;
    this.status = TaskStatus.PENDING;
    this.host.requestUpdate();
    const outcome = (async () => this.options.task(args, { signal: controller.signal }))();
    this.taskComplete = outcome;
    return outcome.then(
      (value) => {
        if (!current()) return;
        this.status = TaskStatus.COMPLETE;
        this.options.onComplete?.(value);
        this.host.requestUpdate();
      },
      (error: unknown) => {
        if (!current()) return;
        this.status = TaskStatus.ERROR;
        this.options.onError?.(error);
        this.host.requestUpdate();
      },
    );
  }
}
