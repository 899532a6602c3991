/**
 * A segment's sparse time index: an entry whenever a batch's max timestamp exceeds every earlier
 * one in the segment, so timestamps in the index strictly increase. File layout, big-endian,
 * 12 bytes per entry:
 *
 *   timestamp      int64    the batch's max timestamp (ms since epoch)
 *   relativeOffset uint32   that batch's base offset - segment base offset
 *
 * Like the offset index it is a hint, rebuilt from the log after a crash.
 */
import type { FileHandle } from 'node:fs/promises';
import { open, readFile } from 'node:fs/promises';

const ENTRY = 12;

export class TimeIndex {
  private timestamps: number[] = [];
  private offsets: number[] = [];

  private constructor(
    private handle: FileHandle,
    readonly baseOffset: number,
  ) {}

  static async open(path: string, baseOffset: number, trustFile: boolean): Promise<TimeIndex> {
    const idx = new TimeIndex(await open(path, 'a+'), baseOffset);
    if (trustFile) {
      const buf = await readFile(path);
      for (let p = 0; p + ENTRY <= buf.length; p += ENTRY) {
        idx.timestamps.push(Number(buf.readBigInt64BE(p)));
        idx.offsets.push(baseOffset + buf.readUInt32BE(p + 8));
      }
    } else {
      await idx.handle.truncate(0);
    }
    return idx;
  }

  /** Largest timestamp indexed, or -1. */
  get maxTimestamp(): number {
    return this.timestamps.length > 0 ? (this.timestamps[this.timestamps.length - 1] as number) : -1;
  }

  isSane(nextOffset: number): boolean {
    for (let i = 0; i < this.timestamps.length; i++) {
      const o = this.offsets[i] as number;
      if (o < this.baseOffset || o >= nextOffset || !Number.isSafeInteger(this.timestamps[i])) return false;
      if (i > 0 && ((this.timestamps[i] as number) <= (this.timestamps[i - 1] as number) || o < (this.offsets[i - 1] as number))) return false;
    }
    return true;
  }

  /** Records a batch (base offset, max timestamp) if it raises the segment's max timestamp. */
  async maybeAppend(offset: number, timestamp: number): Promise<void> {
    if (timestamp <= this.maxTimestamp) return;
    const buf = Buffer.allocUnsafe(ENTRY);
    buf.writeBigInt64BE(BigInt(timestamp), 0);
    buf.writeUInt32BE(offset - this.baseOffset, 8);
    await this.handle.write(buf, 0, ENTRY, this.timestamps.length * ENTRY);
    this.timestamps.push(timestamp);
    this.offsets.push(offset);
  }

  /**
   * A base offset from which to scan for the first batch with max timestamp >= `timestamp`: the
   * offset of the last entry whose timestamp is < `timestamp` (an earlier batch may not reach it),
   * or the segment base when none.
   */
  scanStartFor(timestamp: number): number {
    let start = this.baseOffset;
    for (let i = 0; i < this.timestamps.length; i++) {
      if ((this.timestamps[i] as number) < timestamp) start = this.offsets[i] as number;
      else break;
    }
    return start;
  }

  /** Drops entries for offsets >= `offset`. */
  async truncateToOffset(offset: number): Promise<void> {
    let n = this.offsets.length;
    while (n > 0 && (this.offsets[n - 1] as number) >= offset) n--;
    this.timestamps.length = n;
    this.offsets.length = n;
    await this.handle.truncate(n * ENTRY);
  }

  async sync(): Promise<void> {
    await this.handle.datasync();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
