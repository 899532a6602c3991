/**
 * One partition replica's log: an ordered set of segments in one directory (file-names.ts), the
 * leader epoch cache, recovery on open, rolling, retention and the fsync policy.
 *
 * Offsets: log start offset (first retained), log end offset (LEO: the next offset to assign).
 * The high watermark is not the log's business; readers pass it as `maxOffsetExclusive`.
 *
 * Concurrency: appends, truncation, retention, flush and close run one at a time in call order
 * (an internal promise chain). Reads run concurrently and see only committed bytes.
 *
 * Recovery: after a clean close (`.clean-shutdown` present) indexes are trusted if sane. After a
 * crash the last segment is checked batch by batch (header, length, CRC-32C, increasing offsets)
 * and cut at the first bad or torn batch; its indexes are rebuilt. Earlier segments were fsynced
 * when they rolled, so only their indexes are sanity-checked. What was cut is logged. A directory
 * with no segment yet (a partition just created) has nothing to lose and opens as clean.
 * A replacement the log cleaner left behind is finished or dropped first (file-names.ts): a
 * `.cleaned` file is deleted (the segments it would replace are intact), a `.swap` file replaces
 * the segments of its range and its indexes are rebuilt.
 *
 * Compaction (cleaner.ts) leaves gaps: offsets inside and between batches that hold no record,
 * and segments that start below their first batch. Reads return the first batch at or after the
 * requested offset; followers accept a batch that starts above their log end offset.
 *
 * Durability (ADR 0054): the log counts the changes it begins, finishes and has fsynced;
 * `isDurable()` says when the files are on disk as the getters describe them (the broker's recovery
 * checkpoint records such logs), and `beforeRewrite` is awaited before any change other than an
 * append to the active segment. A crash-recovered log is not durable until its first fsync.
 *
 * Descriptors: every file goes through a FilePool (file-pool.ts). A broker passes one pool to all
 * its logs so partition count never decides how many descriptors are open; without one, a log
 * makes a small private pool (DEFAULT_MAX_OPEN_FILES) that it owns.
 *
 * Why one file (~850 lines): every method here reads or replaces `segments` inside the one promise
 * chain that orders appends, truncation, retention, cleaning swaps and close, and recovery must see
 * the same state the chain later mutates. The parts that need none of it are already their own
 * modules (segment.ts, the indexes, file-names.ts, cleaner.ts, file-pool.ts, tail-cache.ts); cutting
 * the rest would hand the segment list and the chain to a second class and make "who may change the
 * segments, and when" a question across files.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SamsaError } from '../errors/index.js';
import { batchSizeAt, decodeBatch, readBatchHeader, stampBatch, validateStoredBatch, type ValidatedBatch } from '../record/index.js';
import { timedFsync, withChildSpan } from '../telemetry/index.js';
import { SerialQueue, systemClock, type Clock } from '../runtime/index.js';
import type { LogConfig } from './config.js';
import {
  CLEANER_CHECKPOINT_FILE,
  CLEAN_SHUTDOWN_FILE,
  parseReplacementFileName,
  parseSegmentFileName,
  replacementPath,
  segmentPath,
} from './file-names.js';
import { DEFAULT_MAX_OPEN_FILES, FilePool, readWhole } from './file-pool.js';
import { ProducerSnapshots } from './producer-snapshots.js';
import { LeaderEpochCache, type EpochEntry } from './leader-epoch-cache.js';
import { cleanLog, cleaningDue, type CleanOptions, type CleanStats, type DirtyState } from './cleaner.js';
import { parseHeader, Segment } from './segment.js';
import { TailCache } from './tail-cache.js';
import type { ReadInto } from './read-buffers.js';

/** A log opened without the broker's shared tail cache keeps this much of its own. */
const OWN_TAIL_CACHE_BYTES = 1024 * 1024;

export interface AppendInfo {
  baseOffset: number;
  lastOffset: number;
  appendTimeMs: number;
  sizeInBytes: number;
}

export interface LogReadResult {
  /** Whole batches as stored; the first may start before the requested offset. */
  bytes: Buffer;
  /** Offset after the last record in `bytes`; the requested offset when empty. */
  nextOffset: number;
}

export interface RecoveryReport {
  clean: boolean;
  truncatedBytes: number;
  validBatches: number;
  segmentsRebuilt: number;
}

export interface LogLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

const quietLogger: LogLogger = { info: () => undefined, warn: () => undefined };

export class PartitionLog {
  private segments: Segment[] = [];
  /** Appends, truncation, retention, cleaning swaps and close, one at a time in order (the chain of the module comment). */
  private readonly tasks = new SerialQueue();
  private closed = false;
  /**
   * Durability bookkeeping for the broker's recovery checkpoint (durableState, ADR 0054): changes
   * begun and finished (appends, rolls, truncations, retention, cleaner swaps), the changes known
   * fsynced, and whether a rewrite (see rewriting) created, renamed or removed an entry of the
   * directory since it was last fsynced. Creating a segment or the epoch file's rename on an
   * append do not wait for a directory fsync (one per log on a 10,000-partition fill is a lot of
   * journal commits): ADR 0054 says why a crash that undoes them cannot make a checkpoint claim more.
   */
  private changesBegun = 0;
  private changesDone = 0;
  private changesSynced = 0;
  private dirUnsynced = false;
  /** A periodic fsync is running. */
  private flushing = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private report: RecoveryReport = { clean: true, truncatedBytes: 0, validBatches: 0, segmentsRebuilt: 0 };
  /** The log cleaner's first dirty offset: records below it were compacted (cleaner.ts). */
  private cleanerCheckpoint = 0;
  /** Bumped whenever segments are replaced by the cleaner: a read that failed meanwhile retries. */
  private generation = 0;
  epochs!: LeaderEpochCache;
  /** The idempotent producers' table at some offsets (producer-snapshots.ts); libs/replica writes and reads them. */
  private readonly producerSnapshots: ProducerSnapshots;

  private constructor(
    readonly dir: string,
    private config: LogConfig,
    private readonly clock: Clock,
    private readonly logger: LogLogger,
    private readonly files: FilePool,
    private readonly tailCache: TailCache,
    private readonly beforeRewrite: (() => Promise<void>) | undefined,
  ) {
    this.producerSnapshots = new ProducerSnapshots(dir, files, logger);
  }

  /**
   * `files`: the broker's descriptor pool (see the module comment); `tailCache`: the broker's
   * memory for the latest appended bytes (tail-cache.ts; default: one of this log's own).
   * `beforeRewrite`: awaited inside the log's queue before any change to its files other than
   * appending to the active segment (a roll, a truncation, retention, a cleaner swap): the broker's
   * recovery checkpoint stops vouching for this log there (ADR 0054). A rejection fails the change.
   */
  static async open(
    dir: string,
    config: LogConfig,
    options: { clock?: Clock; logger?: LogLogger; files?: FilePool; tailCache?: TailCache; beforeRewrite?: () => Promise<void> } = {},
  ): Promise<PartitionLog> {
    const files = options.files ?? new FilePool(DEFAULT_MAX_OPEN_FILES);
    const tailCache = options.tailCache ?? new TailCache(OWN_TAIL_CACHE_BYTES);
    const log = new PartitionLog(
      dir,
      config,
      options.clock ?? systemClock,
      options.logger ?? quietLogger,
      files,
      tailCache,
      options.beforeRewrite,
    );
    await log.load();
    return log;
  }

  get logStartOffset(): number {
    return (this.segments[0] as Segment).baseOffset;
  }
  get logEndOffset(): number {
    return this.active.nextOffset;
  }
  get sizeInBytes(): number {
    return this.segments.reduce((n, s) => n + s.size, 0);
  }
  get segmentCount(): number {
    return this.segments.length;
  }
  get recoveryReport(): RecoveryReport {
    return this.report;
  }
  private get active(): Segment {
    return this.segments[this.segments.length - 1] as Segment;
  }
  /** First offset of the segment being written (state rebuilt at open scans from here). */
  get activeSegmentBaseOffset(): number {
    return this.active.baseOffset;
  }

  private async load(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
    } catch (err) {
      throw new SamsaError('STORAGE_ERROR', `cannot create log directory ${this.dir}: ${(err as Error).message}`, { cause: err });
    }
    const rebuild = await this.finishReplacements(await this.files.listDir(this.dir));
    const names = await this.files.listDir(this.dir);
    const bases = new Set<number>();
    for (const name of names) {
      const parsed = parseSegmentFileName(name);
      if (parsed?.kind === 'log') bases.add(parsed.baseOffset);
    }
    // No segment at all: a new partition (or one emptied before a crash), nothing can be lost.
    const clean = names.includes(CLEAN_SHUTDOWN_FILE) || bases.size === 0;
    // Index files without their log, and half-written temp files, are leftovers of a crash.
    for (const name of names) {
      const parsed = parseSegmentFileName(name);
      if ((parsed && parsed.kind !== 'log' && !bases.has(parsed.baseOffset)) || name.endsWith('.tmp'))
        await rm(join(this.dir, name), { force: true });
    }
    const sorted = [...bases].sort((a, b) => a - b);
    const report: RecoveryReport = { clean, truncatedBytes: 0, validBatches: 0, segmentsRebuilt: 0 };
    for (let i = 0; i < sorted.length; i++) {
      const base = sorted[i] as number;
      const recover = (!clean && i === sorted.length - 1) || rebuild.has(base);
      const { segment, scan, rebuilt, fileSize } = await Segment.open(
        this.files,
        this.dir,
        base,
        this.config.indexIntervalBytes,
        this.clock.nowMs(),
        recover,
        this.tailCache,
      );
      if (rebuilt) report.segmentsRebuilt++;
      report.validBatches += scan.batches;
      if (scan.stoppedBecause && rebuilt) {
        const cut = fileSize - scan.validBytes;
        report.truncatedBytes += cut;
        this.logger.warn(
          { dir: this.dir, segment: base, keptBytes: scan.validBytes, droppedBytes: cut, reason: scan.stoppedBecause },
          'recovery cut the log at the first invalid batch',
        );
      }
      this.segments.push(segment);
    }
    if (this.segments.length === 0)
      this.segments.push(await Segment.create(this.files, this.dir, 0, this.config.indexIntervalBytes, this.clock.nowMs(), this.tailCache));
    if (names.includes(CLEAN_SHUTDOWN_FILE)) {
      await rm(join(this.dir, CLEAN_SHUTDOWN_FILE), { force: true });
      // Durably gone before anything is appended: a crash that brought the marker back would have
      // the next open trust a tail it must check. One fsync per open of a cleanly closed log (a
      // replica whose idle files were closed reopens this way, ReplicaManager.closeIdleReplicas).
      await this.syncDir();
    }
    this.report = report;
    this.epochs = await LeaderEpochCache.load(this.dir, () => this.logEndOffset, this.files);
    await this.epochs.truncateFromEnd(this.logEndOffset);
    this.cleanerCheckpoint = await this.loadCleanerCheckpoint();
    // A crash may have lost an unflushed tail that a producer snapshot describes.
    await this.producerSnapshots.deleteAbove(this.logEndOffset);
    if (!clean) this.logger.info({ dir: this.dir, ...report, logEndOffset: this.logEndOffset }, 'recovered log after unclean shutdown');
    // What a crash left (or a recovery rebuilt) is not known to be on disk until the next fsync.
    if (!clean || report.segmentsRebuilt > 0) this.changesBegun = this.changesDone = 1;
    if (this.config.fsync.mode === 'interval') {
      this.flushTimer = setInterval(() => void this.periodicFlush(), this.config.fsync.intervalMs);
      this.flushTimer.unref();
    }
  }

  /**
   * Finishes or drops what a crashed cleaner left (see the module comment); returns the base
   * offsets of the segments swapped in, whose indexes must be rebuilt.
   */
  private async finishReplacements(names: string[]): Promise<Set<number>> {
    const rebuilt = new Set<number>();
    for (const name of names) {
      const r = parseReplacementFileName(name);
      if (!r) continue;
      if (r.kind === 'cleaned') {
        await rm(join(this.dir, name), { force: true });
        continue;
      }
      for (const other of names) {
        const seg = parseSegmentFileName(other);
        if (seg && seg.baseOffset >= r.baseOffset && seg.baseOffset < r.endOffset) await rm(join(this.dir, other), { force: true });
      }
      await rename(join(this.dir, name), segmentPath(this.dir, r.baseOffset, 'log'));
      rebuilt.add(r.baseOffset);
      this.logger.warn({ dir: this.dir, from: r.baseOffset, to: r.endOffset }, 'finished a cleaner swap interrupted by a crash');
    }
    return rebuilt;
  }

  private async loadCleanerCheckpoint(): Promise<number> {
    try {
      const text = (await this.files.transient(join(this.dir, CLEANER_CHECKPOINT_FILE), 'r', readWhole)).toString('utf8');
      const offset = Number(text.split('\n')[1]);
      return Number.isSafeInteger(offset) && offset >= 0 ? offset : this.logStartOffset;
    } catch {
      // Missing or unreadable: everything counts as dirty (the next clean rereads it all).
      return this.logStartOffset;
    }
  }

  /** Writes the cleaner checkpoint (version line, offset line) atomically. */
  private async persistCleanerCheckpoint(): Promise<void> {
    this.dirUnsynced = true;
    const path = join(this.dir, CLEANER_CHECKPOINT_FILE);
    await this.files.transient(path + '.tmp', 'w', async (fh) => {
      await fh.writeFile(`0\n${this.cleanerCheckpoint}\n`);
      await fh.sync();
    });
    await rename(path + '.tmp', path);
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    return this.tasks.run(() => {
      if (this.closed) throw new SamsaError('NOT_READY', `log ${this.dir} is closed`);
      return fn();
    });
  }

  /** Runs `fn`, a change to the files, inside the queue: until it is done and fsynced the log is not durable. */
  private async changing<T>(fn: () => Promise<T>): Promise<T> {
    this.changesBegun++;
    try {
      return await fn();
    } finally {
      this.changesDone++;
    }
  }

  /**
   * A change other than an append to the active segment is about to touch the files: the recovery
   * checkpoint must stop vouching for them first (see open), and the directory needs an fsync.
   */
  private async rewriting(): Promise<void> {
    this.dirUnsynced = true;
    await this.beforeRewrite?.();
  }

  /**
   * fsyncs the active segment (and the directory when an entry of it changed) and records the
   * changes that are now durable: with `withinChange`, the queue's change in progress (its writes
   * are issued); otherwise every change done, unless one is in progress (the periodic flush runs
   * beside the queue, and a change begun may not have written yet).
   */
  private async syncDurably(withinChange: boolean): Promise<void> {
    const segment = this.segments[this.segments.length - 1];
    if (!segment) return;
    const claim = withinChange ? this.changesBegun : this.changesBegun === this.changesDone ? this.changesDone : undefined;
    const dir = this.dirUnsynced;
    this.dirUnsynced = false;
    try {
      await segment.sync();
      if (dir) await this.syncDir();
    } catch (err) {
      if (dir) this.dirUnsynced = true;
      throw err;
    }
    if (claim !== undefined) this.changesSynced = Math.max(this.changesSynced, claim);
  }

  /**
   * True when every change to the files is done and fsynced (the directory too after a rewrite): then the getters,
   * read in the same turn, describe what is on disk, and the broker's recovery checkpoint may record
   * them with the active segment's size (ADR 0054).
   */
  isDurable(): boolean {
    return (
      !this.closed &&
      !this.dirUnsynced &&
      this.changesBegun === this.changesDone &&
      this.changesSynced === this.changesDone &&
      this.segments.length > 0
    );
  }

  /** The active segment's committed size in bytes. */
  get activeSegmentBytes(): number {
    return this.active.size;
  }

  private async maybeRoll(incoming: number): Promise<void> {
    const a = this.active;
    if (a.size === 0) return;
    const tooBig = a.size + incoming > this.config.segmentBytes;
    // A compacted log also rolls at max.compaction.lag.ms: the active segment is never cleaned (KIP-354).
    const maxAge = this.config.cleanupPolicy.compact
      ? Math.min(this.config.segmentMs, this.config.maxCompactionLagMs)
      : this.config.segmentMs;
    const tooOld = this.clock.nowMs() - a.rollTimestamp > maxAge;
    if (!tooBig && !tooOld) return;
    // The rolled segment is final: make it durable so recovery never needs to look at it again.
    await timedFsync('roll', () => a.sync());
    // A new segment is a change the size of the old active segment does not show.
    await this.rewriting();
    a.markRolled();
    this.segments.push(
      await Segment.create(this.files, this.dir, a.nextOffset, this.config.indexIntervalBytes, this.clock.nowMs(), this.tailCache),
    );
  }

  private async afterAppend(): Promise<void> {
    if (this.config.fsync.mode === 'always') await withChildSpan('log.fsync', {}, () => timedFsync('append', () => this.syncDurably(true)));
  }

  /**
   * Leader path; see the class comment. `batch` must already be validated: a ValidatedBatch (the
   * broker's produce path) brings its header, parsed once by the produce plan; a plain Buffer
   * (validateBatch'ed by the caller: tools, tests) has its header read here. Inside a trace it is
   * the span `log.append` (time queued behind earlier appends included). `onOffsets`, when given,
   * is called synchronously with the offsets the batch gets, before its bytes are written: before
   * any reader can see them.
   */
  appendAsLeader(
    validated: Buffer | ValidatedBatch,
    leaderEpoch: number,
    onOffsets?: (baseOffset: number, lastOffset: number) => void,
  ): Promise<AppendInfo> {
    const batch = Buffer.isBuffer(validated) ? validated : validated.bytes;
    return withChildSpan('log.append', { 'samsa.bytes': batch.length, 'samsa.leader_epoch': leaderEpoch }, (span) =>
      this.enqueue(() =>
        this.changing(async () => {
          const header = Buffer.isBuffer(validated) ? readBatchHeader(batch, 0) : validated.header;
          const baseOffset = this.logEndOffset;
          stampBatch(batch, baseOffset, leaderEpoch);
          await this.maybeRoll(batch.length);
          if (leaderEpoch > this.epochs.latestEpoch()) await this.epochs.assign(leaderEpoch, baseOffset);
          const lastOffset = baseOffset + header.lastOffsetDelta;
          onOffsets?.(baseOffset, lastOffset);
          await this.active.append(batch, { baseOffset, lastOffset, maxTimestamp: header.maxTimestamp, leaderEpoch });
          await this.afterAppend();
          span?.setAttributes({ 'samsa.base_offset': baseOffset, 'samsa.last_offset': lastOffset });
          return { baseOffset, lastOffset, appendTimeMs: this.clock.nowMs(), sizeInBytes: batch.length };
        }),
      ),
    );
  }

  /**
   * Follower path: stamped batches copied from the leader, each starting at or above the LEO (at
   * it, or above it after a gap the leader's cleaner left). Span `log.append` inside a trace.
   */
  appendAsFollower(batches: Buffer): Promise<AppendInfo | undefined> {
    return withChildSpan('log.append', { 'samsa.bytes': batches.length, 'samsa.follower': true }, () =>
      this.enqueue(() =>
        this.changing(async () => {
          let pos = 0;
          let first: number | undefined;
          let last = -1;
          while (pos < batches.length) {
            const size = batchSizeAt(batches, pos);
            if (size < 0 || pos + size > batches.length)
              throw new SamsaError('CORRUPT_MESSAGE', `replicated data ends with a partial batch at byte ${pos}`);
            const slice = batches.subarray(pos, pos + size);
            const header = validateStoredBatch(slice);
            if (header.baseOffset < this.logEndOffset) {
              throw new SamsaError(
                'OFFSET_OUT_OF_RANGE',
                `replicated batch starts at offset ${header.baseOffset} but the log already ends at ${this.logEndOffset}`,
              );
            }
            await this.maybeRoll(size);
            if (header.partitionLeaderEpoch > this.epochs.latestEpoch())
              await this.epochs.assign(header.partitionLeaderEpoch, header.baseOffset);
            last = header.baseOffset + header.lastOffsetDelta;
            await this.active.append(slice, {
              baseOffset: header.baseOffset,
              lastOffset: last,
              maxTimestamp: header.maxTimestamp,
              leaderEpoch: header.partitionLeaderEpoch,
            });
            first ??= header.baseOffset;
            pos += size;
          }
          if (first === undefined) return undefined;
          await this.afterAppend();
          return { baseOffset: first, lastOffset: last, appendTimeMs: this.clock.nowMs(), sizeInBytes: batches.length };
        }),
      ),
    );
  }

  /** See the API contract in index.ts. */
  async read(offset: number, maxBytes: number, maxOffsetExclusive?: number, into?: ReadInto): Promise<LogReadResult> {
    const generation = this.generation;
    try {
      return await this.readOnce(offset, maxBytes, maxOffsetExclusive, into);
    } catch (err) {
      // The cleaner replaced (closed and deleted) a segment this read was using: read the new ones.
      if (this.generation === generation || this.closed) throw err;
      await this.tasks.idle();
      return this.readOnce(offset, maxBytes, maxOffsetExclusive, into);
    }
  }

  private async readOnce(offset: number, maxBytes: number, maxOffsetExclusive?: number, into?: ReadInto): Promise<LogReadResult> {
    const start = this.logStartOffset;
    const end = this.logEndOffset;
    if (!Number.isSafeInteger(offset) || offset < start || offset > end) {
      throw new SamsaError('OFFSET_OUT_OF_RANGE', `offset ${offset} is outside the log's range [${start}, ${end}]`);
    }
    const limit = Math.min(maxOffsetExclusive ?? end, end);
    if (offset >= limit) return { bytes: Buffer.alloc(0), nextOffset: offset };
    const segments = this.segments;
    let i = segments.length - 1;
    while (i > 0 && (segments[i] as Segment).baseOffset > offset) i--;
    for (; i < segments.length; i++) {
      const seg = segments[i] as Segment;
      const info = await seg.findBatch(offset);
      if (!info) continue;
      if (info.lastOffset >= limit) break;
      const want = Math.max(info.size, Math.min(maxBytes, seg.size - info.position));
      const buf = await seg.read(info.position, want, into);
      let pos = 0;
      let next = offset;
      while (pos < buf.length) {
        const h = parseHeader(buf, pos, info.position + pos);
        if (!h || pos + h.size > buf.length || h.lastOffset >= limit) break;
        next = h.lastOffset + 1;
        pos += h.size;
      }
      return { bytes: buf.subarray(0, pos), nextOffset: pos > 0 ? next : offset };
    }
    return { bytes: Buffer.alloc(0), nextOffset: offset };
  }

  /**
   * The first record whose timestamp is >= `timestampMs`: its offset and timestamp (Kafka's
   * ListOffsets semantics), or undefined when there is none. Indexes find the batch; only that one
   * batch is decoded (this is an admin path, not the hot path).
   */
  async offsetForTimestamp(timestampMs: number): Promise<{ offset: number; timestampMs: number } | undefined> {
    for (;;) {
      const generation = this.generation;
      try {
        const found = await this.offsetForTimestampOnce(timestampMs);
        // An answer read from segments a swap replaced meanwhile may name a record the cleaner removed.
        if (this.generation === generation) return found;
      } catch (err) {
        // The cleaner replaced (closed and deleted) a segment this lookup was using: look in the new ones.
        if (this.generation === generation || this.closed) throw err;
      }
      await this.tasks.idle();
    }
  }

  private async offsetForTimestampOnce(timestampMs: number): Promise<{ offset: number; timestampMs: number } | undefined> {
    for (const seg of this.segments) {
      const info = await seg.findByTimestamp(timestampMs);
      if (!info) continue;
      const records = decodeBatch(await seg.read(info.position, info.size));
      const hit = records.find((r) => r.timestampMs >= timestampMs);
      if (hit && hit.offset >= this.logStartOffset) return { offset: hit.offset, timestampMs: hit.timestampMs };
      return { offset: Math.max(info.baseOffset, this.logStartOffset), timestampMs: info.maxTimestamp };
    }
    return undefined;
  }

  /**
   * Stores the idempotent producers' table as of `offset` (producer-snapshots.ts), in the order of
   * appends and truncations; skipped when `offset` is no longer within the log (a truncation came first).
   */
  writeProducerSnapshot(offset: number, payload: Buffer): Promise<void> {
    return this.enqueue(async () => {
      if (offset > this.logEndOffset || offset < this.logStartOffset) return;
      await this.producerSnapshots.write(offset, payload);
    });
  }

  /** The newest valid producer snapshot within [log start, min(maxOffset, log end)], if any. */
  readProducerSnapshot(maxOffset: number): Promise<{ offset: number; payload: Buffer } | undefined> {
    return this.enqueue(() => this.producerSnapshots.latest(Math.min(maxOffset, this.logEndOffset), this.logStartOffset));
  }

  /** Removes every record at an offset >= `offset` (whole batches: the batch holding it goes too). */
  truncateTo(offset: number): Promise<void> {
    return this.enqueue(async () => {
      if (offset >= this.logEndOffset) return;
      await this.changing(() => this.truncateNow(offset));
    });
  }

  private async truncateNow(offset: number): Promise<void> {
    await this.rewriting();
    // Before the cut: a crash in between leaves fewer snapshots, never one describing cut batches.
    await this.producerSnapshots.deleteAbove(offset);
    while (this.segments.length > 1 && this.active.baseOffset >= offset) {
      const seg = this.segments.pop() as Segment;
      await seg.delete();
    }
    if (this.active.baseOffset >= offset) {
      // Everything goes: start over empty at `offset`.
      const seg = this.segments.pop() as Segment;
      await seg.delete();
      this.segments.push(
        await Segment.create(this.files, this.dir, Math.max(0, offset), this.config.indexIntervalBytes, this.clock.nowMs(), this.tailCache),
      );
    } else {
      await this.active.truncateTo(offset);
    }
    await this.epochs.truncateFromEnd(this.logEndOffset);
    await this.active.sync();
    if (this.cleanerCheckpoint > this.logEndOffset) {
      // What gets appended here again has not been cleaned.
      this.cleanerCheckpoint = this.logEndOffset;
      await this.persistCleanerCheckpoint();
    }
    await this.syncDurably(true);
    this.logger.info({ dir: this.dir, offset, logEndOffset: this.logEndOffset }, 'truncated log');
  }

  /**
   * Drops every segment and starts over, empty, at `offset`: a follower whose position fell below
   * the leader's log start (retention deleted what it needed) copies from there on.
   */
  truncateFullyAndStartAt(offset: number): Promise<void> {
    return this.enqueue(() =>
      this.changing(async () => {
        await this.rewriting();
        await this.producerSnapshots.deleteAbove(-1);
        for (const seg of this.segments.splice(0)) await seg.delete();
        this.segments.push(
          await Segment.create(
            this.files,
            this.dir,
            Math.max(0, offset),
            this.config.indexIntervalBytes,
            this.clock.nowMs(),
            this.tailCache,
          ),
        );
        await this.epochs.truncateFromEnd(0);
        await this.active.sync();
        this.cleanerCheckpoint = this.logStartOffset;
        await this.persistCleanerCheckpoint();
        await this.syncDurably(true);
        this.logger.info({ dir: this.dir, offset }, "emptied log; it now starts at the leader's log start");
      }),
    );
  }

  /**
   * Takes new retention and segment settings (a topic config change); they apply from the next
   * append and retention pass. The fsync policy is the broker's and stays.
   */
  reconfigure(config: LogConfig): void {
    this.config = { ...config, fsync: this.config.fsync };
  }

  /** The latest leader epoch of a batch in this log, -1 when none. */
  get latestEpoch(): number {
    return this.epochs.latestEpoch();
  }

  /** The leader epoch entries (oldest first): what a summary of this log carries (libs/replica lazy-log.ts). */
  get epochEntries(): readonly EpochEntry[] {
    return this.epochs.entries();
  }

  /** KIP-101: see LeaderEpochCache.endOffsetFor. */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    return this.epochs.endOffsetFor(epoch);
  }

  /**
   * Under cleanup.policy `delete`: whether the oldest segment is past retention, the test
   * applyRetention repeats per segment. O(1), from in-memory sizes and timestamps, without
   * queueing behind appends: the periodic check costs this much per log when nothing is due.
   */
  retentionDue(): boolean {
    if (!this.config.cleanupPolicy.delete || this.segments.length < 2) return false;
    return this.pastRetention(this.segments[0] as Segment, this.sizeInBytes, this.clock.nowMs());
  }

  private pastRetention(oldest: Segment, total: number, now: number): boolean {
    const expired = this.config.retentionMs >= 0 && oldest.maxTimestamp < now - this.config.retentionMs;
    const oversize = this.config.retentionBytes >= 0 && total - oldest.size >= this.config.retentionBytes;
    return expired || oversize;
  }

  /**
   * Deletes whole old segments by retention time and size (cleanup.policy `delete`); never the
   * active segment. Exact at segment granularity: a segment goes once its newest record is older
   * than retentionMs, or while the log without it is still at least retentionBytes.
   */
  async applyRetention(): Promise<{ deletedSegments: number; deletedBytes: number }> {
    if (!this.retentionDue()) return { deletedSegments: 0, deletedBytes: 0 };
    return this.enqueue(async () => {
      if (!this.retentionDue()) return { deletedSegments: 0, deletedBytes: 0 };
      return this.changing(() => this.deleteExpired());
    });
  }

  private async deleteExpired(): Promise<{ deletedSegments: number; deletedBytes: number }> {
    await this.rewriting();
    const now = this.clock.nowMs();
    let total = this.sizeInBytes;
    let deletedSegments = 0;
    let deletedBytes = 0;
    while (this.segments.length > 1 && this.config.cleanupPolicy.delete) {
      const oldest = this.segments[0] as Segment;
      if (!this.pastRetention(oldest, total, now)) break;
      this.segments.shift();
      total -= oldest.size;
      deletedBytes += oldest.size;
      deletedSegments++;
      await oldest.delete();
    }
    if (deletedSegments > 0) {
      await this.epochs.truncateFromStart(this.logStartOffset);
      await this.producerSnapshots.deleteBelow(this.logStartOffset);
      this.logger.info(
        { dir: this.dir, deletedSegments, deletedBytes, logStartOffset: this.logStartOffset },
        'retention deleted old segments',
      );
    }
    await this.syncDurably(true);
    return { deletedSegments, deletedBytes };
  }

  // ---- the log cleaner (cleaner.ts), which works on a snapshot of the segments ----

  /** The dirty section when cleaning is due (compacted, dirty ratio or max lag reached); else undefined. */
  cleaningDue(upperBoundOffset: number): Promise<DirtyState | undefined> {
    return cleaningDue(this, upperBoundOffset);
  }

  /** One cleaning pass below `options.upperBoundOffset` (the high watermark); see cleaner.ts. */
  clean(options: CleanOptions): Promise<CleanStats | undefined> {
    return cleanLog(this, options);
  }

  /** @internal The segments now (the last is the active one), settings, clock and files. */
  cleaningView(): { segments: readonly Segment[]; config: LogConfig; firstDirtyOffset: number; nowMs: number; files: FilePool } {
    const firstDirtyOffset = Math.max(this.logStartOffset, Math.min(this.cleanerCheckpoint, this.active.baseOffset));
    return { segments: [...this.segments], config: this.config, firstDirtyOffset, nowMs: this.clock.nowMs(), files: this.files };
  }

  /** @internal Where a cleaned replacement of segments [base, end) is written. */
  cleanedPath(baseOffset: number, endOffset: number): string {
    return replacementPath(this.dir, baseOffset, endOffset, 'cleaned');
  }

  /**
   * @internal Replaces `old` (consecutive segments, not the active one) by the cleaned file at
   * `cleanedPath`, which holds their retained batches and covers [old[0].baseOffset, endOffset).
   * Kafka's order: rename to .swap (fsync the directory), delete the old segments, rename the swap
   * to the first one's .log and rebuild its indexes; a crash at any step is finished on open.
   * Returns false, deleting the cleaned file, when `old` is no longer in the log as it was
   * (retention or truncation ran meanwhile). `step` is called after each step (tests crash there).
   */
  replaceSegments(old: readonly Segment[], cleanedPath: string, endOffset: number, step?: (name: string) => void): Promise<boolean> {
    return this.enqueue(() =>
      this.changing(async () => {
        const first = old[0] as Segment;
        const at = this.segments.indexOf(first);
        const intact = at >= 0 && at + old.length < this.segments.length && old.every((s, i) => this.segments[at + i] === s);
        const next = this.segments[at + old.length];
        if (!intact || next?.baseOffset !== endOffset) {
          await rm(cleanedPath, { force: true });
          return false;
        }
        await this.rewriting();
        const swap = replacementPath(this.dir, first.baseOffset, endOffset, 'swap');
        await rename(cleanedPath, swap);
        await this.syncDir();
        step?.('swap-renamed');
        this.generation++;
        for (const seg of old) {
          await seg.delete();
          step?.('old-segment-deleted');
        }
        await rename(swap, segmentPath(this.dir, first.baseOffset, 'log'));
        await this.syncDir();
        step?.('swap-installed');
        const { segment } = await Segment.open(
          this.files,
          this.dir,
          first.baseOffset,
          this.config.indexIntervalBytes,
          this.clock.nowMs(),
          true,
        );
        await segment.sync();
        segment.markRolled();
        this.segments.splice(at, old.length, segment);
        this.generation++;
        await this.syncDurably(true);
        return true;
      }),
    );
  }

  /** @internal Records that offsets below `offset` are clean. */
  setCleanerCheckpoint(offset: number): Promise<void> {
    return this.enqueue(async () => {
      this.cleanerCheckpoint = Math.min(offset, this.logEndOffset);
      await this.persistCleanerCheckpoint();
    });
  }

  private async syncDir(): Promise<void> {
    await this.files.transient(this.dir, 'r', (h) => h.sync());
  }

  /**
   * The `interval` policy's fsync. It runs beside appends, not in their queue: an fdatasync takes
   * milliseconds (tens on a busy virtual disk), and an append queued behind it would hold up the
   * produce, the followers' copies and so the high watermark of every partition on this replica
   * once per interval. What was appended before the call is on disk when it resolves, which is all
   * the policy promises. One at a time; a failure is logged and the next interval tries again.
   */
  private async periodicFlush(): Promise<void> {
    if (this.flushing || this.closed || this.isDurable()) return;
    // Between dropping the old segments and pushing the new one, a truncation or a restart at the
    // leader's log start leaves no segment at all; it syncs the new one itself, so there is nothing
    // to do now (reading `this.active` there threw inside a timer: an unhandled rejection that
    // stopped a broker in the disk-full fault test).
    const segment = this.segments[this.segments.length - 1];
    if (!segment) return;
    this.flushing = true;
    try {
      await timedFsync('interval', () => this.syncDurably(false));
    } catch (err) {
      // A segment closed meanwhile (log closed or restarted at another offset) was synced by that path.
      if (!segment.closed) this.logger.warn({ err, dir: this.dir }, 'periodic fsync failed');
    } finally {
      this.flushing = false;
    }
  }

  /** fsyncs the active segment after every append queued before it. */
  flush(): Promise<void> {
    return this.enqueue(() => timedFsync('interval', () => this.syncDurably(false)));
  }

  /**
   * Flushes, writes the clean-shutdown marker and closes every file. Idempotent. When the flush or
   * the marker fails, every file is closed all the same (as abandon does) and this rejects with
   * STORAGE_ERROR: the log was not closed cleanly, and its next open recovers it. Callers that
   * trust a cleanly closed log (an idle replica answering from its summary, a broker writing its
   * clean-shutdown marker) must not trust this one.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.flushTimer) clearInterval(this.flushTimer);
    let failure: unknown;
    await this.enqueue(async () => {
      await this.active.sync();
      // Inside the budget: a broker closes all its logs at once, and their markers written beside a
      // full pool ran a 256-descriptor broker out of descriptors (replica-budget.test.ts).
      await this.files.transient(join(this.dir, CLEAN_SHUTDOWN_FILE), 'w', () => Promise.resolve());
      this.closed = true;
      for (const s of this.segments) await s.close();
    }).catch((err: unknown) => {
      failure = err;
    });
    if (failure === undefined) {
      this.closed = true;
      return;
    }
    // Was only a warning, and the segments stayed open behind a log that said it was closed.
    this.closed = true;
    for (const s of this.segments) await s.close().catch(() => undefined);
    const cause = failure instanceof Error ? failure : new Error(String(failure));
    throw new SamsaError('STORAGE_ERROR', `could not close the log in ${this.dir} cleanly (${cause.message}); its next open recovers it`, {
      cause,
    });
  }

  /**
   * Closes every file without flushing and without the clean-shutdown marker: the storage failed
   * (ENOSPC, EIO...), so what is on disk is not vouched for and the next open recovers the tail.
   * Never throws. Idempotent.
   */
  async abandon(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    await this.tasks.idle();
    this.closed = true;
    for (const s of this.segments) await s.close().catch(() => undefined);
  }

  /** Closes and removes the directory. */
  async delete(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    await this.tasks.idle();
    this.closed = true;
    for (const s of this.segments) await s.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
