/**
 * An I/O rate limit for background work (the log cleaner): callers report bytes read or written,
 * and `throttle` sleeps long enough that the average since the last check period stays at or
 * below `bytesPerSecond` (Kafka's Throttler, checked every 300 ms). Clock and sleep are
 * parameters, so tests neither sleep nor depend on wall-clock time. Infinity turns it off.
 */
import type { Clock } from '../runtime/index.js';

const CHECK_PERIOD_MS = 300;

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export class Throttler {
  private periodStartMs: number;
  private bytesInPeriod = 0;
  /** ms slept in total, for the cleaner's stats. */
  sleptMs = 0;

  constructor(
    readonly bytesPerSecond: number,
    private readonly clock: Clock,
    private readonly sleep: Sleep = realSleep,
    private readonly signal?: AbortSignal,
  ) {
    if (!(bytesPerSecond > 0)) throw new RangeError(`bytesPerSecond must be positive, got ${bytesPerSecond}`);
    this.periodStartMs = clock.nowMs();
  }

  async throttle(bytes: number): Promise<void> {
    if (this.bytesPerSecond === Number.POSITIVE_INFINITY) return;
    this.bytesInPeriod += bytes;
    const elapsed = this.clock.nowMs() - this.periodStartMs;
    if (elapsed < CHECK_PERIOD_MS && this.bytesInPeriod < this.bytesPerSecond) return;
    const neededMs = (this.bytesInPeriod / this.bytesPerSecond) * 1000;
    if (neededMs > elapsed) {
      const wait = Math.ceil(neededMs - elapsed);
      this.sleptMs += wait;
      await this.sleep(wait, this.signal);
    }
    this.periodStartMs = this.clock.nowMs();
    this.bytesInPeriod = 0;
  }
}
