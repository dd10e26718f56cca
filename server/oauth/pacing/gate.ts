export type RefreshPriority = 'host' | 'background';

/**
 * A small concurrency cap for token requests in this instance, with host requests served before
 * background ones. `priority` is read when a permit frees up, so a background refresh that a host
 * starts waiting on moves up the queue.
 *
 * @example
 * const release = await gate.acquire(() => 'host');
 * try { await client.refresh(token); } finally { release(); }
 */
export class PriorityGate {
  private running = 0;
  private readonly waiting: Array<{ priority: () => RefreshPriority; resolve: () => void; reject: (reason: unknown) => void }> = [];

  constructor(readonly limit: number) {}

  acquire(priority: () => RefreshPriority, signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.running < this.limit) {
      this.running += 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const entry = {
        priority,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.releaser());
        },
        reject,
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const index = this.waiting.findIndex((entry) => entry.priority() === 'host');
      const next = this.waiting.splice(index >= 0 ? index : 0, 1)[0];
      if (next) next.resolve();
      else this.running -= 1;
    };
  }
}
