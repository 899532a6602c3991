/**
 * How one Replicate stream (replicate.ts) parks a request until a partition it follows has
 * something to send. The stream registers once as a watcher of each partition it follows
 * (Partition.watch) and keeps the registration across exchanges; a park only records, per
 * partition, what would be news (the log end passing the follower's fetch offset, the high
 * watermark passing the one last sent) and waits for one callback or its own timer.
 *
 * Before, every park set up two waiters with an abort listener per followed partition and tore
 * them down again: at 1,000-3,000 partitions per stream that was a visible share of an idle
 * leader's CPU (and the abort signal's listener count warnings).
 *
 * No lost wake-up: the caller checks every partition and parks in the same synchronous stretch
 * (follow ... wait, no await between), and a partition tells its watchers synchronously after its
 * log end or high watermark moved. So a change either happened before the check (and the caller
 * did not park) or reaches the park.
 */
import type { Partition, PartitionChange, PartitionWatcher } from '../../../libs/replica/index.js';

interface Followed {
  /** The park that last asked about this partition. */
  park: number;
  /** News: the log end passes this (the follower's fetch offset). */
  fetchOffset: number;
  /** News: the high watermark passes this; undefined when only data is news. */
  hwAbove: number | undefined;
}

export class StreamWait implements PartitionWatcher {
  private readonly followed = new Map<Partition, Followed>();
  /** Counts parks; an entry whose `park` is older is not part of the current one. */
  private park = 0;
  /** Partitions followed by the current park. */
  private following = 0;
  /** Set while a park waits: ends it. */
  private wake: (() => void) | undefined;
  /** News arrived while the park was being set up (a partition already closed). */
  private ready = false;
  private closed = false;

  /** Starts setting up a park: call follow for each partition, then wait. */
  begin(): void {
    this.park += 1;
    this.following = 0;
    this.ready = false;
  }

  /**
   * The current park ends when `partition`'s log end passes `fetchOffset`, or (when given) its
   * high watermark passes `hwAbove`, or it changes role or epoch or closes.
   */
  follow(partition: Partition, fetchOffset: number, hwAbove: number | undefined): void {
    if (partition.closed) {
      this.ready = true;
      return;
    }
    const entry = this.followed.get(partition);
    if (!entry) {
      this.followed.set(partition, { park: this.park, fetchOffset, hwAbove });
      partition.watch(this);
      this.following += 1;
    } else if (entry.park !== this.park) {
      entry.park = this.park;
      entry.fetchOffset = fetchOffset;
      entry.hwAbove = hwAbove;
      this.following += 1;
    } else {
      // The same partition twice in one request: news for either is news.
      entry.fetchOffset = Math.min(entry.fetchOffset, fetchOffset);
      entry.hwAbove = entry.hwAbove === undefined ? hwAbove : hwAbove === undefined ? entry.hwAbove : Math.min(entry.hwAbove, hwAbove);
    }
  }

  /** Waits until news for a followed partition, `waitMs`, or close, whichever comes first. */
  wait(waitMs: number): Promise<void> {
    // Partitions this stream no longer asks about (moved away, replaced by a reopened replica).
    if (this.followed.size > this.following) this.forget((entry) => entry.park !== this.park);
    if (this.closed || this.ready) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => end(), waitMs);
      const end = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      this.wake = end;
    });
  }

  partitionChanged(partition: Partition, change: PartitionChange): void {
    const entry = this.followed.get(partition);
    if (!entry) return;
    if (partition.closed) this.followed.delete(partition);
    if (!this.wake || entry.park !== this.park) return;
    if (
      change === 'changed' ||
      partition.logEndOffset > entry.fetchOffset ||
      (entry.hwAbove !== undefined && partition.highWatermark > entry.hwAbove)
    ) {
      this.wake();
    }
  }

  waitsOn(partition: Partition): boolean {
    return this.wake !== undefined && this.followed.get(partition)?.park === this.park;
  }

  /** The stream ended: ends a park and stops watching every partition. */
  close(): void {
    this.closed = true;
    this.wake?.();
    this.forget(() => true);
  }

  /** Number of partitions watched (tests: back to 0 after close). */
  get watching(): number {
    return this.followed.size;
  }

  private forget(which: (entry: Followed) => boolean): void {
    for (const [partition, entry] of this.followed) {
      if (!which(entry)) continue;
      partition.unwatch(this);
      this.followed.delete(partition);
    }
  }
}
