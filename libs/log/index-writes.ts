/**
 * The file writes of a segment's offset or time index, made behind the append instead of in it.
 * The entries live in memory (lookups never read the file), and the file is a hint rebuilt from
 * the log after a crash, so an append need not wait for its index entry to reach the file. It
 * used to: every append waited for one or two more round trips through libuv's thread pool after
 * its log write, each a thread wake-up and an event-loop wake-up, on the path of every produce and
 * of every follower's append (docs/benchmarks.md, issue 17).
 *
 * Writes, truncations and syncs of one file run one at a time in call order, so the file always
 * ends up as the entries say. A write that fails is reported by the next operation that waits
 * (the next entry added, a truncation, a sync or close), which then throws it: the broker's
 * storage guard sees the failure one append later instead of never.
 */
import { SerialQueue } from '../runtime/index.js';

export class IndexWrites {
  private readonly queue = new SerialQueue();
  private failure: unknown;

  /** Queues `write` without waiting for it; throws a failure of an earlier one first. */
  behind(write: () => Promise<unknown>): void {
    this.throwFailure();
    void this.queue.run(write).catch((err: unknown) => {
      this.failure ??= err;
    });
  }

  /** Queues `op` and waits for it and everything queued before it; throws an earlier write's failure. */
  async now<T>(op: () => Promise<T>): Promise<T> {
    const result = await this.queue.run(op);
    this.throwFailure();
    return result;
  }

  /** Waits for every queued write (close), without throwing. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private throwFailure(): void {
    const err = this.failure;
    if (err === undefined) return;
    this.failure = undefined;
    throw err;
  }
}
