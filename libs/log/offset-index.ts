/**
 * A segment's sparse offset index: every `indexIntervalBytes` of log, one entry naming where a
 * batch starts. File layout, big-endian, 8 bytes per entry:
 *
 *   relativeOffset uint32   batch base offset - segment base offset
 *   position       uint32   byte position of that batch in the .log file
 *
 * Entries are kept in memory for lookup and written to the file behind the appends (index-writes.ts). The index is a
 * hint, never trusted blindly: it is not checksummed; after a crash it is rebuilt from the log,
 * and a lookup's answer is verified by the caller reading the batch header there.
 * Not safe for concurrent mutation; the owning segment serializes appends. The file is a
 * PooledFile (file-pool.ts): it holds a descriptor only while the pool lets it.
 */
import { readWhole, type FilePool, type PooledFile } from './file-pool.js';
import { IndexWrites } from './index-writes.js';

const ENTRY = 8;

export class OffsetIndex {
  private offsets: number[] = [];
  private positions: number[] = [];
  private readonly writes = new IndexWrites();

  private constructor(
    private readonly path: string,
    private readonly file: PooledFile,
    readonly baseOffset: number,
  ) {}

  /** Opens (creating) the file; `trustFile` loads its entries, else starts empty and truncates it. */
  static async open(files: FilePool, path: string, baseOffset: number, trustFile: boolean): Promise<OffsetIndex> {
    // 'a+' both times: entries are only ever added at the end, and reopening must not truncate.
    const idx = new OffsetIndex(path, files.file(path, 'a+', 'a+'), baseOffset);
    if (trustFile) {
      const buf = await idx.file.use(readWhole);
      for (let p = 0; p + ENTRY <= buf.length; p += ENTRY) {
        idx.offsets.push(baseOffset + buf.readUInt32BE(p));
        idx.positions.push(buf.readUInt32BE(p + 4));
      }
    } else {
      await idx.file.use((h) => h.truncate(0));
    }
    return idx;
  }

  get entries(): number {
    return this.offsets.length;
  }

  get lastPosition(): number {
    return this.positions.length > 0 ? (this.positions[this.positions.length - 1] as number) : 0;
  }

  /** True when offsets and positions strictly increase and every position lies before `logSize`. */
  isSane(logSize: number): boolean {
    for (let i = 0; i < this.offsets.length; i++) {
      const o = this.offsets[i] as number;
      const p = this.positions[i] as number;
      if (o < this.baseOffset || p >= logSize) return false;
      if (i > 0 && (o <= (this.offsets[i - 1] as number) || p <= (this.positions[i - 1] as number))) return false;
    }
    return true;
  }

  /** Adds an entry for a batch starting at `position` with base `offset` (must increase). */
  append(offset: number, position: number): Promise<void> {
    const buf = Buffer.allocUnsafe(ENTRY);
    buf.writeUInt32BE(offset - this.baseOffset, 0);
    buf.writeUInt32BE(position, 4);
    const at = this.offsets.length * ENTRY;
    this.writes.behind(() => this.file.writeAll(buf, at));
    this.offsets.push(offset);
    this.positions.push(position);
    return Promise.resolve();
  }

  /** The entry with the largest offset <= `offset`, or {offset: baseOffset, position: 0} if none. */
  lookup(offset: number): { offset: number; position: number } {
    let lo = 0;
    let hi = this.offsets.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.offsets[mid] as number) <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0
      ? { offset: this.baseOffset, position: 0 }
      : { offset: this.offsets[found] as number, position: this.positions[found] as number };
  }

  /** Drops entries whose position is >= `position` (log truncation). */
  async truncateToPosition(position: number): Promise<void> {
    let n = this.positions.length;
    while (n > 0 && (this.positions[n - 1] as number) >= position) n--;
    this.offsets.length = n;
    this.positions.length = n;
    await this.writes.now(() => this.file.use((h) => h.truncate(n * ENTRY)));
  }

  async reset(): Promise<void> {
    await this.truncateToPosition(0);
  }

  async sync(): Promise<void> {
    await this.writes.now(() => this.file.use((h) => h.datasync()));
  }

  /** Waits for reads and writes in flight, then lets the descriptor go. */
  async close(): Promise<void> {
    await this.writes.idle();
    await this.file.close();
  }

  get filePath(): string {
    return this.path;
  }
}
