/**
 * Parked readers waiting for an offset to become visible: long-poll Fetches, Consume streams that
 * caught up, and acks=all produces waiting for the ISR. Nothing polls: a waiter is a promise that
 * the owner of the watched offset (a Partition and its high watermark) resolves by calling
 * `advance` when the offset moves, or `wakeAll` when the partition changes role or closes.
 *
 * Every waiter leaves the set exactly once, whichever happens first (advance, timeout, abort,
 * wakeAll), and clears its own timer and abort listener when it does, so `size` returning to 0 is
 * the leak check. Not thread-safe in any sense that matters in Node: all calls run on the event loop.
 */

/** Why a wait ended. 'changed' means the caller must re-check the partition's state. */
export type WakeReason = 'advanced' | 'timeout' | 'aborted' | 'changed';

export interface WaitOptions {
  /** Give up after this many ms (resolves 'timeout'); absent waits without limit. */
  timeoutMs?: number;
  /** Resolves 'aborted' when this fires (e.g. the gRPC call was cancelled). */
  signal?: AbortSignal;
}

interface Waiter {
  /** Wake when the watched value exceeds this. */
  readonly above: number;
  finish(reason: WakeReason): void;
}

export class OffsetWaiters {
  private readonly waiters = new Set<Waiter>();

  /** Number of parked waiters (tests check it returns to 0 after clients go away). */
  get size(): number {
    return this.waiters.size;
  }

  /**
   * Parks until the watched value becomes greater than `above`. The caller checks the current
   * value first; this never resolves 'advanced' on its own.
   */
  wait(above: number, options: WaitOptions = {}): Promise<WakeReason> {
    const { signal, timeoutMs } = options;
    if (signal?.aborted) return Promise.resolve('aborted');
    return new Promise<WakeReason>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => waiter.finish('aborted');
      const waiter: Waiter = {
        above,
        finish: (reason) => {
          if (!this.waiters.delete(waiter)) return;
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(reason);
        },
      };
      this.waiters.add(waiter);
      if (timeoutMs !== undefined) timer = setTimeout(() => waiter.finish('timeout'), Math.max(0, timeoutMs));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The watched value is now `value`: wakes every waiter parked below it. */
  advance(value: number): void {
    for (const waiter of [...this.waiters]) {
      if (value > waiter.above) waiter.finish('advanced');
    }
  }

  /** Wakes every waiter with 'changed' (role change, close): they must look again. */
  wakeAll(): void {
    for (const waiter of [...this.waiters]) waiter.finish('changed');
  }
}
