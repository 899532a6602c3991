/**
 * A segment's sparse time index: an entry whenever a batch's max timestamp exceeds every earlier
 * one in the segment, so timestamps in the index strictly increase. File layout, big-endian,
 * 12 bytes per entry:
 *
 *   timestamp      int64    the batch's max timestamp (ms since epoch)
 *   relativeOffset uint32   that batch's base offset - segment base offset
 *
 * Like the offset index it is a hint, rebuilt from the log after a crash, and its entries are
 * written to the file behind the appends (index-writes.ts). Its file is a PooledFile
 * (file-pool.ts), open only while the pool lets it.
 */
import { readWhole, type FilePool, type PooledFile } from './file-pool.js';
import { IndexWrites } from './index-writes.js';

const ENTRY = 12;

export class TimeIndex {
  private timestamps: number[] = [];
  private offsets: number[] = [];
  private readonly writes = new IndexWrites();

  private constructor(
    private readonly file: PooledFile,
    readonly baseOffset: number,
  ) {}

  static async open(files: FilePool, path: string, baseOffset: number, trustFile: boolean): Promise<TimeIndex> {
    const idx = new TimeIndex(files.file(path, 'a+', 'a+'), baseOffset);
    if (trustFile) {
      const buf = await idx.file.use(readWhole);
      for (let p = 0; p + ENTRY <= buf.length; p += ENTRY) {
        idx.timestamps.push(Number(buf.readBigInt64BE(p)));
        idx.offsets.push(baseOffset + buf.readUInt32BE(p + 8));
      }
    } else {
      await idx.file.use((h) => h.truncate(0));
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
      if (i > 0 && ((this.timestamps[i] as number) <= (this.timestamps[i - 1] as number) || o < (this.offsets[i - 1] as number)))
        return false;
    }
    return true;
  }

  /** Records a batch (base offset, max timestamp) if it raises the segment's max timestamp. */
  maybeAppend(offset: number, timestamp: number): Promise<void> {
    if (timestamp <= this.maxTimestamp) return Promise.resolve();
    const buf = Buffer.allocUnsafe(ENTRY);
    buf.writeBigInt64BE(BigInt(timestamp), 0);
    buf.writeUInt32BE(offset - this.baseOffset, 8);
    const at = this.timestamps.length * ENTRY;
    this.writes.behind(() => this.file.writeAll(buf, at));
    this.timestamps.push(timestamp);
    this.offsets.push(offset);
    return Promise.resolve();
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
    await this.writes.now(() => this.file.use((h) => h.truncate(n * ENTRY)));
  }

  async sync(): Promise<void> {
    await this.writes.now(() => this.file.use((h) => h.datasync()));
  }

  /** Waits for reads and writes in flight, then lets the descriptor go. */
  async close(): Promise<void> {
    await this.writes.idle();
    await this.file.close();
  }
}
