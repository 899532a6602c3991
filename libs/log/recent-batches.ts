/**
 * The last few batches appended to the active segment, kept in memory so that the reads that
 * matter most for latency, followers and consumers at the tail asking for what was just
 * appended, find their batch without reading a single header from the file. Without it a tail
 * lookup starts at the sparse offset index entry (up to `indexIntervalBytes` back) and reads one
 * header per batch from there: with 100-byte batches about a dozen file reads per fetch.
 *
 * Entries are contiguous in offsets and in file positions, oldest first; a gap (an append that
 * does not follow the last entry) starts the window over, so a lookup's answer is always the
 * batch that holds the offset. It only ever holds committed batches: the segment records a batch
 * after its bytes are written. Not thread-safe in any sense that matters in Node: the owning
 * segment calls it on the event loop.
 */
import type { BatchInfo } from './segment.js';

export class RecentBatches {
  private readonly ring: (BatchInfo | undefined)[];
  /** Index in `ring` of the oldest entry. */
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`RecentBatches capacity must be a positive integer, got ${capacity}`);
    this.ring = new Array<BatchInfo | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Records a batch just committed at the end of the segment. */
  push(info: BatchInfo): void {
    const last = this.count > 0 ? this.at(this.count - 1) : undefined;
    if (last && (info.baseOffset !== last.lastOffset + 1 || info.position !== last.position + last.size)) this.clear();
    if (this.count === this.capacity) {
      this.head = (this.head + 1) % this.capacity;
      this.count--;
    }
    this.ring[(this.head + this.count) % this.capacity] = info;
    this.count++;
  }

  /**
   * The batch holding `offset` (baseOffset <= offset <= lastOffset), or undefined when `offset`
   * is below the oldest entry or past the newest (the caller then looks in the file).
   */
  find(offset: number): BatchInfo | undefined {
    if (this.count === 0) return undefined;
    const oldest = this.at(0);
    const newest = this.at(this.count - 1);
    if (offset < oldest.baseOffset || offset > newest.lastOffset) return undefined;
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return this.at(lo);
  }

  /** Forgets everything (the segment was truncated). */
  clear(): void {
    this.ring.fill(undefined);
    this.head = 0;
    this.count = 0;
  }

  private at(i: number): BatchInfo {
    return this.ring[(this.head + i) % this.capacity] as BatchInfo;
  }
}
