/**
 * Runs async tasks at most `limit` at a time; the rest wait, first come first served. A task's
 * failure frees its place like a success does, and reaches only its own caller.
 *
 * Not reentrant: a task that waits for another task of the same semaphore can deadlock once every
 * place is held by such waiters (the same rule as SerialQueue, which is a semaphore of one).
 */
export class Semaphore {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }

  /** Runs `task` once a place is free; settles as `task` does. */
  async run<T>(task: () => Promise<T> | T): Promise<T> {
    if (this.running < this.limit && this.waiting.length === 0) this.running++;
    // The place is handed over by the task that frees it (running stays counted).
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Tasks running now. */
  get active(): number {
    return this.running;
  }

  /** Tasks waiting for a place. */
  get queued(): number {
    return this.waiting.length;
  }
}
