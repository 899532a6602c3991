/**
 * One segment of a partition log: a [base offset].log file of record batches back to back, with
 * its offset index and time index beside it (see file-names.ts, offset-index.ts, time-index.ts).
 * Batches are stored exactly as appended (Kafka v2 layout, libs/record/batch-header.ts); this
 * module reads only batch headers, never records.
 *
 * `size` is the committed length: bytes below it are complete batches, and readers never look past
 * it. Not safe for concurrent mutation: PartitionLog serializes appends, truncation and deletion;
 * reads may run concurrently with an append.
 *
 * Descriptors: the three files are PooledFiles (file-pool.ts). Each read, write, truncate or sync
 * holds one of them for its own duration only, so an idle segment holds no descriptor once the
 * pool needs the slot, and close() waits for the I/O in flight. Writes of batches and index entries
 * are synchronous (ADR 0056); reads, truncations and syncs go through the thread pool.
 *
 * The bytes of the latest appends stay in memory (tail-cache.ts) until the segment is cut, rolled
 * or closed, or the broker's budget needs the room: reads of them do not touch the file.
 */
import { rm, stat } from 'node:fs/promises';
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, MAGIC_V2, validateStoredBatch } from '../record/index.js';
import type { SamsaError } from '../errors/index.js';
import type { FilePool, PooledFile } from './file-pool.js';
import { segmentPath } from './file-names.js';
import { OffsetIndex } from './offset-index.js';
import { RecentBatches } from './recent-batches.js';
import type { ReadInto } from './read-buffers.js';
import type { TailCache, TailWindow } from './tail-cache.js';
import { TimeIndex } from './time-index.js';

/** Batches of the active segment remembered in memory for tail lookups (see RecentBatches). */
const RECENT_BATCHES = 256;
/**
 * A header walk reads the file this many bytes at a time and parses every header in the window,
 * instead of one read per header: a walk from an index entry spans up to `indexIntervalBytes`
 * (4 KiB by default) plus one batch.
 */
const WALK_WINDOW_BYTES = 16 * 1024;

/** What a header walk learns about one stored batch. */
export interface BatchInfo {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  leaderEpoch: number;
}

/** The fields of a 61-byte header that the log needs, or undefined if they are not plausible. */
export function parseHeader(buf: Buffer, at: number, position: number): BatchInfo | undefined {
  if (buf.length - at < BATCH_HEADER_SIZE) return undefined;
  const size = buf.readInt32BE(at + 8) + LOG_OVERHEAD;
  if (size < BATCH_HEADER_SIZE || buf.readInt8(at + 16) !== MAGIC_V2) return undefined;
  const baseOffset = Number(buf.readBigInt64BE(at));
  const lastDelta = buf.readInt32BE(at + 23);
  const maxTimestamp = Number(buf.readBigInt64BE(at + 35));
  if (!Number.isSafeInteger(baseOffset) || baseOffset < 0 || lastDelta < 0) return undefined;
  return { position, size, baseOffset, lastOffset: baseOffset + lastDelta, maxTimestamp, leaderEpoch: buf.readInt32BE(at + 12) };
}

export interface ScanResult {
  /** Bytes of valid batches from the start of the file. */
  validBytes: number;
  batches: number;
  /** Why the scan stopped before the end of the file, if it did. */
  stoppedBecause?: string;
}

export class Segment {
  /** Committed bytes. */
  size = 0;
  /** Offset after the last record in this segment (baseOffset when empty). */
  nextOffset: number;
  /** Largest batch max timestamp in the segment, -1 when empty. */
  maxTimestamp = -1;
  /**
   * When this segment was created, or opened by this process (clock time): its age for rolling.
   * Record timestamps are producer-chosen and may be anything, so they do not drive rolling.
   */
  rollTimestamp: number;
  private bytesSinceIndex = 0;
  private readonly recent = new RecentBatches(RECENT_BATCHES);
  /** The latest appended bytes (undefined: no cache, every read goes to the file). */
  private readonly tail: TailWindow | undefined;
  private isClosed = false;
  /**
   * Bytes were written (or cut) since the last sync(): a sync with nothing to flush returns at
   * once instead of reopening three evicted files (closing 10,000 idle logs stays cheap).
   */
  private unsynced = false;
  /** The sync in flight, if any. */
  private syncing: Promise<void> | undefined;

  private constructor(
    readonly dir: string,
    readonly baseOffset: number,
    private readonly file: PooledFile,
    readonly offsetIndex: OffsetIndex,
    readonly timeIndex: TimeIndex,
    private readonly indexIntervalBytes: number,
    nowMs: number,
    tailCache: TailCache | undefined,
  ) {
    this.nextOffset = baseOffset;
    this.rollTimestamp = nowMs;
    this.tail = tailCache?.window();
  }

  /** `tailCache`: where the bytes of this segment's appends are kept for tail reads (none: not kept). */
  static async create(
    files: FilePool,
    dir: string,
    baseOffset: number,
    indexIntervalBytes: number,
    nowMs: number,
    tailCache?: TailCache,
  ): Promise<Segment> {
    // 'w+' the first time (a stale file at this base is emptied), 'r+' when reopened after eviction.
    const file = files.file(segmentPath(dir, baseOffset, 'log'), 'w+', 'r+');
    await file.ensureCreated();
    const oi = await OffsetIndex.open(files, segmentPath(dir, baseOffset, 'index'), baseOffset, false);
    const ti = await TimeIndex.open(files, segmentPath(dir, baseOffset, 'timeindex'), baseOffset, false);
    return new Segment(dir, baseOffset, file, oi, ti, indexIntervalBytes, nowMs, tailCache);
  }

  /**
   * Opens an existing segment. With `recover`, every batch is checked (header, length, CRC-32C,
   * offsets increasing; a compacted segment has gaps between batches) and the file is cut at the
   * first bad or torn one; indexes are rebuilt.
   * Without it the indexes are trusted if sane (rebuilt otherwise) and only the tail after the last
   * index entry is walked.
   */
  static async open(
    files: FilePool,
    dir: string,
    baseOffset: number,
    indexIntervalBytes: number,
    nowMs: number,
    recover: boolean,
    tailCache?: TailCache,
  ): Promise<{ segment: Segment; scan: ScanResult; rebuilt: boolean; fileSize: number }> {
    const path = segmentPath(dir, baseOffset, 'log');
    const file = files.file(path, 'r+', 'r+');
    const fileSize = (await stat(path)).size;
    const oi = await OffsetIndex.open(files, segmentPath(dir, baseOffset, 'index'), baseOffset, !recover);
    const ti = await TimeIndex.open(files, segmentPath(dir, baseOffset, 'timeindex'), baseOffset, !recover);
    const seg = new Segment(dir, baseOffset, file, oi, ti, indexIntervalBytes, nowMs, tailCache);
    // After a crash nothing vouches that the previous process's bytes reached the disk.
    seg.unsynced = recover;
    if (!recover && oi.isSane(Math.max(fileSize, 1))) {
      // Walk the tail from the last indexed batch to learn nextOffset and max timestamp.
      const scan = await seg.walk(oi.lastPosition, fileSize, false, false);
      if (scan.validBytes === fileSize && ti.isSane(seg.nextOffset)) {
        seg.size = fileSize;
        seg.maxTimestamp = Math.max(seg.maxTimestamp, ti.maxTimestamp);
        return { segment: seg, scan, rebuilt: false, fileSize };
      }
    }
    await oi.reset();
    await ti.truncateToOffset(baseOffset);
    seg.nextOffset = baseOffset;
    seg.maxTimestamp = -1;
    const scan = await seg.walk(0, fileSize, recover, true);
    if (scan.validBytes < fileSize) await file.use((h) => h.truncate(scan.validBytes));
    seg.size = scan.validBytes;
    seg.unsynced = true;
    return { segment: seg, scan, rebuilt: true, fileSize };
  }

  /**
   * Walks batches from `from` to `end`, updating nextOffset/maxTimestamp (and the indexes when
   * `index`). With `checkCrc`, reads each whole batch and validates it. Stops at the first batch
   * that is torn, implausible, corrupt or not contiguous in offsets.
   */
  private async walk(from: number, end: number, checkCrc: boolean, index: boolean): Promise<ScanResult> {
    let pos = from;
    let batches = 0;
    let expected = -1;
    while (pos < end) {
      if (end - pos < BATCH_HEADER_SIZE)
        return { validBytes: pos, batches, stoppedBecause: `${end - pos} trailing bytes are less than a batch header` };
      const info = await this.headerAt(pos);
      if (!info) return { validBytes: pos, batches, stoppedBecause: `implausible batch header at byte ${pos}` };
      if (pos + info.size > end)
        return { validBytes: pos, batches, stoppedBecause: `batch at byte ${pos} is torn (${info.size} bytes, ${end - pos} present)` };
      if (expected >= 0 && info.baseOffset < expected) {
        return {
          validBytes: pos,
          batches,
          stoppedBecause: `batch at byte ${pos} has base offset ${info.baseOffset}, expected ${expected} or more`,
        };
      }
      if (info.baseOffset < this.baseOffset)
        return { validBytes: pos, batches, stoppedBecause: `batch at byte ${pos} is below the segment base offset` };
      if (checkCrc) {
        const buf = Buffer.allocUnsafe(info.size);
        await this.file.use((h) => h.read(buf, 0, info.size, pos));
        try {
          validateStoredBatch(buf);
        } catch (err) {
          return { validBytes: pos, batches, stoppedBecause: `batch at byte ${pos}: ${(err as SamsaError).message}` };
        }
      }
      if (index) await this.indexBatch(info);
      this.nextOffset = info.lastOffset + 1;
      this.maxTimestamp = Math.max(this.maxTimestamp, info.maxTimestamp);
      expected = info.lastOffset + 1;
      pos += info.size;
      batches++;
    }
    return { validBytes: pos, batches };
  }

  private async indexBatch(info: BatchInfo): Promise<void> {
    if (info.position === 0 || this.bytesSinceIndex >= this.indexIntervalBytes) {
      if (info.position > 0 || this.offsetIndex.entries === 0) await this.offsetIndex.append(info.baseOffset, info.position);
      this.bytesSinceIndex = 0;
    }
    this.bytesSinceIndex += info.size;
    await this.timeIndex.maybeAppend(info.baseOffset, info.maxTimestamp);
  }

  /** The header of the batch at `position`, or undefined when none is plausible there. */
  async headerAt(position: number): Promise<BatchInfo | undefined> {
    const buf = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
    const { bytesRead } = await this.file.use((h) => h.read(buf, 0, BATCH_HEADER_SIZE, position));
    if (bytesRead < BATCH_HEADER_SIZE) return undefined;
    return parseHeader(buf, 0, position);
  }

  /** Appends one stamped batch. The caller has checked that its base offset is `nextOffset`. */
  async append(batch: Buffer, info: { baseOffset: number; lastOffset: number; maxTimestamp: number; leaderEpoch: number }): Promise<void> {
    const position = this.size;
    this.unsynced = true;
    // On the event loop (ADR 0056): on the path of every produce and every follower copy.
    await this.file.writeAll(batch, position);
    const stored: BatchInfo = { position, size: batch.length, ...info };
    await this.indexBatch(stored);
    this.size = position + batch.length;
    this.nextOffset = info.lastOffset + 1;
    this.maxTimestamp = Math.max(this.maxTimestamp, info.maxTimestamp);
    this.recent.push(stored);
    this.tail?.push(position, batch);
  }

  /**
   * The first batch whose last offset is >= `offset` (it holds `offset`, or, in a compacted
   * segment, is the first batch after the gap `offset` falls in), or undefined when there is none.
   * Uses the index as a starting hint and verifies by walking headers; a wrong index costs time,
   * never correctness.
   */
  async findBatch(offset: number): Promise<BatchInfo | undefined> {
    if (offset >= this.nextOffset) return undefined;
    const recent = this.recent.find(offset);
    if (recent) return recent;
    const hint = this.offsetIndex.lookup(offset).position;
    if (hint > 0 && hint < this.size) {
      const found = await this.walkTo(offset, hint, true);
      if (found) return found;
    }
    return this.walkTo(offset, 0, false);
  }

  /**
   * Walks headers from `position`, reading the file a window at a time; undefined if the first one
   * is implausible (or, for an index `hint`, already past `offset`), or when no batch up to `size`
   * has a last offset >= `offset`.
   */
  private async walkTo(offset: number, position: number, hint: boolean): Promise<BatchInfo | undefined> {
    let pos = position;
    let first = hint;
    while (pos < this.size) {
      const window = await this.read(pos, WALK_WINDOW_BYTES);
      let at = 0;
      while (at + BATCH_HEADER_SIZE <= window.length) {
        const info = parseHeader(window, at, pos + at);
        if (!info || (first && info.baseOffset > offset)) return undefined;
        first = false;
        if (info.lastOffset >= offset) return info;
        at += info.size;
      }
      // The next header starts at `pos + at`: in the next window (a batch may span windows).
      if (at === 0) return undefined;
      pos += at;
    }
    return undefined;
  }

  /**
   * Reads `length` bytes at `position` (fewer at the end of the committed data), into a buffer
   * from `into` when given, whether from the tail cache or the file.
   */
  async read(position: number, length: number, into?: ReadInto): Promise<Buffer> {
    const n = Math.max(0, Math.min(length, this.size - position));
    const cached = this.tail?.read(position, n, into);
    if (cached) return cached;
    const buf = into ? into(n) : Buffer.allocUnsafe(n);
    const got = await this.file.use(async (h) => {
      let done = 0;
      while (done < n) {
        const { bytesRead } = await h.read(buf, done, n - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done;
    });
    return got === n ? buf : buf.subarray(0, got);
  }

  /** The first batch whose max timestamp is >= `timestamp`, or undefined. */
  async findByTimestamp(timestamp: number): Promise<BatchInfo | undefined> {
    if (this.maxTimestamp < timestamp) return undefined;
    const from = await this.findBatch(this.timeIndex.scanStartFor(timestamp));
    let pos = from?.position ?? 0;
    while (pos < this.size) {
      const info = await this.headerAt(pos);
      if (!info) return undefined;
      if (info.maxTimestamp >= timestamp) return info;
      pos += info.size;
    }
    return undefined;
  }

  /** Removes every batch whose last offset is >= `offset`; returns the new nextOffset. */
  async truncateTo(offset: number): Promise<number> {
    const first = await this.findBatch(offset);
    if (!first) return this.nextOffset;
    this.recent.clear();
    this.tail?.clear();
    this.unsynced = true;
    await this.file.use((h) => h.truncate(first.position));
    await this.offsetIndex.truncateToPosition(first.position);
    await this.timeIndex.truncateToOffset(first.baseOffset);
    this.size = first.position;
    // In a gap of a compacted segment the first batch cut starts above `offset`.
    this.nextOffset = Math.min(first.baseOffset, offset);
    this.bytesSinceIndex = this.indexIntervalBytes;
    // maxTimestamp may now be too high. The time index holds an entry for every batch that raised
    // it, and what is left of the index ends below `offset`, so its last entry is the largest
    // timestamp left (Kafka's LogSegment.truncateTo does the same). Walking the batch headers
    // instead was one read per batch: 1-2 s for a segment of small batches, while the follower's
    // whole stream to its leader, and every acks=all write waiting on it, stood still.
    this.maxTimestamp = this.timeIndex.maxTimestamp;
    return this.nextOffset;
  }

  /** No more appends will come (the log rolled past this segment): tail lookups go to the file again. */
  markRolled(): void {
    this.recent.clear();
    this.tail?.clear();
  }

  /**
   * fdatasyncs the three files, one at a time (see file-pool.ts: one file held at a time). Resolves
   * once every byte written before the call is on disk: a sync already in flight is waited for
   * first (returning at once because it had cleared the flag would claim bytes it has not synced).
   */
  async sync(): Promise<void> {
    while (this.syncing) await this.syncing.catch(() => undefined);
    if (!this.unsynced) return;
    // Cleared first: an append that lands during the sync marks the segment again.
    this.unsynced = false;
    const run = (async () => {
      await this.file.use((h) => h.datasync());
      await this.offsetIndex.sync();
      await this.timeIndex.sync();
    })();
    this.syncing = run;
    try {
      await run;
    } catch (err) {
      this.unsynced = true;
      throw err;
    } finally {
      if (this.syncing === run) this.syncing = undefined;
    }
  }

  /** close() has been called: the files are (being) closed. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Waits for the segment's I/O in flight, then lets its descriptors go. Idempotent. */
  async close(): Promise<void> {
    this.isClosed = true;
    this.tail?.clear();
    await this.file.close().catch(() => undefined);
    await this.offsetIndex.close().catch(() => undefined);
    await this.timeIndex.close().catch(() => undefined);
  }

  async delete(): Promise<void> {
    await this.close();
    for (const kind of ['log', 'index', 'timeindex'] as const) await rm(segmentPath(this.dir, this.baseOffset, kind), { force: true });
  }
}
