/**
 * A replica log that opens its files on first use (ADR 0051). Until then it answers from a
 * summary: log start and end offsets, size, segment count, the active segment's base offset and
 * the leader epoch entries, which is all a hosted replica needs while nothing is written to or
 * read from it: the follower's fetch position (end offset, last epoch), the leader's check of a
 * follower (KIP-101/320 divergence needs only the epoch entries), the high watermark's bounds,
 * metrics and list-offsets. So an idle replica holds no descriptor and none of a PartitionLog's
 * memory, and hosting one costs no I/O.
 *
 * Where a summary comes from, and why it can be trusted (the safety argument, ADR 0051):
 * - `emptySummary()`: the replica has no directory at all (a partition just assigned here). An
 *   absent directory holds nothing, so offset 0, no epoch, is the truth whatever happened before.
 * - a summary written by this broker's clean shutdown (replica-summaries.ts), read only when the
 *   broker's clean-shutdown marker vouches for it and deleted at start: each log was flushed and
 *   closed, and nothing has touched its directory since.
 * - after a crash, an entry of the broker's recovery checkpoint (recovery-checkpoint.ts, ADR 0054)
 *   whose active segment still has the size recorded: the entry was written for a state already
 *   fsynced, and every change but an append waited for a checkpoint without it. Every other
 *   replica with a directory is opened (recovered) before it is hosted.
 *
 * On first use the log is opened with `open`, and its figures must equal the summary's (start,
 * end, latest epoch): if not, the files are let go unclean and the open fails, so the replica goes
 * offline (and reopens, recovering, on the offline retry) instead of serving or being counted in
 * an ISR with positions it announced but does not hold. `onOpened` runs before any caller sees the
 * open log (the partition rebuilds its idempotent producers' table there).
 *
 * What does NOT open the files: the getters; a follower's apply of an empty answer (a high
 * watermark alone); a read at or past the end (or at/past `maxOffsetExclusive`); retention and
 * the cleaner's check on a log of one segment (only the active segment: nothing is ever due);
 * close and abandon of a log never opened. Everything else opens first.
 *
 * Once open, the files close again when the replica manager finds them idle (`release`: not used
 * for SAMSA_REPLICA_IDLE_CLOSE_MS, or the least recently used beyond SAMSA_MAX_OPEN_REPLICAS); the
 * log then answers from the summary of the files as it closed them, and the next use opens them
 * again. A replica opened before it was hosted (recovered after a crash) is a LazyLog too, given
 * its open files, so it can be released the same way.
 */
import { rm } from 'node:fs/promises';
import { SamsaError } from '../errors/index.js';
import { systemClock, type Clock, type Semaphore } from '../runtime/index.js';
import {
  epochEndOffset,
  type CleanOptions,
  type CleanStats,
  type DirtyState,
  type EpochEntry,
  type LogConfig,
  type ReadInto,
} from '../log/index.js';
import type { ValidatedBatch } from '../record/index.js';
import type { LogAppendInfo, ReplicaLog } from './replica-log.js';

/** What a replica's log is known to be without opening it. */
export interface ReplicaSummary {
  logStartOffset: number;
  logEndOffset: number;
  sizeInBytes: number;
  segmentCount: number;
  activeSegmentBaseOffset: number;
  /** Oldest first. */
  epochs: EpochEntry[];
  /** The active segment's size in bytes, when known (recovery-checkpoint.ts checks it after a crash). */
  activeSegmentBytes?: number;
}

/** The summary of a replica that has no directory: an empty log at offset 0. */
export function emptySummary(): ReplicaSummary {
  return { logStartOffset: 0, logEndOffset: 0, sizeInBytes: 0, segmentCount: 1, activeSegmentBaseOffset: 0, epochs: [] };
}

/** The summary of a log as it is now. */
export function summaryOf(log: ReplicaLog): ReplicaSummary {
  const summary: ReplicaSummary = {
    logStartOffset: log.logStartOffset,
    logEndOffset: log.logEndOffset,
    sizeInBytes: log.sizeInBytes,
    segmentCount: log.segmentCount,
    activeSegmentBaseOffset: log.activeSegmentBaseOffset,
    epochs: log.epochEntries.map((e) => ({ epoch: e.epoch, startOffset: e.startOffset })),
  };
  const bytes = log.activeSegmentBytes;
  if (bytes !== undefined) summary.activeSegmentBytes = bytes;
  return summary;
}

function latestEpochOf(epochs: readonly EpochEntry[]): number {
  return epochs.length > 0 ? (epochs[epochs.length - 1] as EpochEntry).epoch : -1;
}

/**
 * Whether an opened log is the one the summary described: the positions a replica announces
 * (start, end, last epoch). Size is not compared: a clean open may trim a preallocated tail.
 */
export function matchesSummary(log: ReplicaLog, summary: ReplicaSummary): boolean {
  return (
    log.logStartOffset === summary.logStartOffset &&
    log.logEndOffset === summary.logEndOffset &&
    log.latestEpoch === latestEpochOf(summary.epochs)
  );
}

export interface LazyLogOptions {
  summary: ReplicaSummary;
  config: LogConfig;
  /** The replica's directory (removed by delete() when the log was never opened). */
  dir: string;
  /** `topic-partition`, for messages. */
  name: string;
  /** Opens the files with the config in force then. */
  open: (config: LogConfig) => Promise<ReplicaLog>;
  /** Runs once the files are open, before anyone else uses them. */
  onOpened?: (log: ReplicaLog) => Promise<void>;
  /**
   * Told why the files could not be opened, or closed cleanly by release(): the replica must go
   * offline (and be reopened, recovering); the caller gets STORAGE_ERROR.
   */
  onFailed?: (err: Error) => void;
  /**
   * Bounds how many logs open at once (the broker's ReplicaManager shares one with its own opens):
   * an open holds a dozen descriptors outside its log's files for a moment, and a hundred lazily
   * hosted replicas used in the same instant (leadership moved back to a restarted broker) ran a
   * broker with a low descriptor limit out of them. Absent: unbounded (tests of one log).
   */
  opens?: Semaphore;
  /** Files already open (a replica opened and recovered before it was hosted); `summary` is then theirs. */
  opened?: ReplicaLog;
  /** When the files were last used (idleSinceMs). Default: the system clock. */
  clock?: Clock;
}

export class LazyLog implements ReplicaLog {
  private inner: ReplicaLog | undefined;
  private opening: Promise<ReplicaLog> | undefined;
  private config: LogConfig;
  private closed = false;
  private summary: ReplicaSummary;
  private summaryLatestEpoch: number;
  /** Calls in flight on the open files (or waiting for them to open): release() waits for none. */
  private busy = 0;
  /** When a call that needed the files last ended (reads at the end and high watermarks alone do not count). */
  private lastUsedMs: number;
  private releasing: Promise<boolean> | undefined;
  /** Why release() could not close the files cleanly: nothing is served from this log again. */
  private failed: Error | undefined;
  private readonly clock: Clock;

  constructor(private readonly options: LazyLogOptions) {
    this.summary = options.summary;
    this.summaryLatestEpoch = latestEpochOf(options.summary.epochs);
    this.config = options.config;
    this.clock = options.clock ?? systemClock;
    this.lastUsedMs = this.clock.nowMs();
    if (options.opened) {
      this.inner = options.opened;
      this.opening = Promise.resolve(options.opened);
    }
  }

  /** False until the files have been opened. */
  get materialized(): boolean {
    return this.inner !== undefined;
  }

  get logStartOffset(): number {
    return this.inner ? this.inner.logStartOffset : this.summary.logStartOffset;
  }
  get logEndOffset(): number {
    return this.inner ? this.inner.logEndOffset : this.summary.logEndOffset;
  }
  get sizeInBytes(): number {
    return this.inner ? this.inner.sizeInBytes : this.summary.sizeInBytes;
  }
  get segmentCount(): number {
    return this.inner ? this.inner.segmentCount : this.summary.segmentCount;
  }
  get latestEpoch(): number {
    return this.inner ? this.inner.latestEpoch : this.summaryLatestEpoch;
  }
  get activeSegmentBaseOffset(): number {
    return this.inner ? this.inner.activeSegmentBaseOffset : this.summary.activeSegmentBaseOffset;
  }
  get epochEntries(): readonly EpochEntry[] {
    return this.inner ? this.inner.epochEntries : this.summary.epochs;
  }
  get activeSegmentBytes(): number | undefined {
    return this.inner ? this.inner.activeSegmentBytes : this.summary.activeSegmentBytes;
  }

  /**
   * Opened: as its files say. Not opened: the files are as the summary it was hosted from says,
   * untouched since (a summary without the active segment's size, e.g. of a replica with no
   * directory, vouches for nothing). Not while opening: recovery may rewrite them.
   */
  isDurable(): boolean {
    if (this.inner) return this.inner.isDurable?.() ?? false;
    return !this.opening && !this.closed && !this.failed && this.summary.activeSegmentBytes !== undefined;
  }

  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    return this.inner ? this.inner.endOffsetForEpoch(epoch) : epochEndOffset(this.summary.epochs, epoch, this.summary.logEndOffset);
  }

  reconfigure(config: LogConfig): void {
    this.config = config;
    this.inner?.reconfigure(config);
  }

  /** Opens the files (once; concurrent callers share the open). */
  async materialize(): Promise<void> {
    await this.use(() => Promise.resolve(undefined));
  }

  /**
   * Since when (clock ms) the open files have not been used, or undefined when they are not open,
   * in use, or going. The replica manager closes the files of replicas idle too long (release).
   */
  get idleSinceMs(): number | undefined {
    return this.inner && this.busy === 0 && !this.releasing && !this.closed ? this.lastUsedMs : undefined;
  }

  /**
   * Closes the files of a log nobody is using and answers from a summary again, until the next
   * use opens them. The summary is that of the files as this process closed them (flushed, marked
   * clean): nothing else writes to a replica's directory, and the next open must find the same
   * start, end and latest epoch (checked as for any summary, ADR 0051). It vouches for the recovery
   * checkpoint (carries the active segment's size) only when the log was durable at the close.
   * Returns false, doing nothing, when the files are not open, in use, or the log is closed.
   *
   * When the close fails (its flush or marker did not reach the disk), the files are in a state
   * nobody vouches for: neither the closed log nor a summary of it may be served. They are let go
   * unclean (abandon: the next open recovers them and trusts nothing announced), every later call
   * fails with STORAGE_ERROR, and `onFailed` takes the replica offline, so the controller moves
   * its partition to replicas that hold every acknowledged record and this one is reopened (and
   * truncated to what the leader has, if need be) before it serves again. Returns false then.
   */
  async release(): Promise<boolean> {
    const log = this.inner;
    if (!log || this.busy > 0 || this.releasing || this.closed || this.failed) return false;
    this.releasing = (async () => {
      const before = summaryOf(log);
      const durable = log.isDurable?.() ?? false;
      try {
        await log.close();
      } catch (err) {
        const cause = err instanceof Error ? err : new Error(String(err));
        this.failed = cause;
        this.inner = undefined;
        this.opening = undefined;
        delete before.activeSegmentBytes;
        this.summary = before;
        this.summaryLatestEpoch = latestEpochOf(before.epochs);
        await log.abandon().catch(() => undefined);
        this.options.onFailed?.(cause);
        return false;
      }
      const after = summaryOf(log);
      // A close flushes and marks; it cannot move the figures. Had they moved, vouch for nothing.
      if (!durable || JSON.stringify(before) !== JSON.stringify(after)) delete after.activeSegmentBytes;
      this.summary = after;
      this.summaryLatestEpoch = latestEpochOf(after.epochs);
      this.inner = undefined;
      this.opening = undefined;
      return true;
    })().finally(() => {
      this.releasing = undefined;
    });
    return this.releasing;
  }

  /**
   * Runs `fn` on the open files, opening them first. `touches`: whether this counts as a use for
   * idleSinceMs (a read at the end or a high watermark alone does not, so an idle partition whose
   * followers poll it still goes idle).
   */
  private async use<T>(fn: (log: ReplicaLog) => Promise<T>, touches = true): Promise<T> {
    this.busy++;
    try {
      return await fn(await this.opened());
    } finally {
      this.busy--;
      if (touches) this.lastUsedMs = this.clock.nowMs();
    }
  }

  private opened(): Promise<ReplicaLog> {
    if (this.releasing)
      return this.releasing.then(
        () => this.opened(),
        () => this.opened(),
      );
    if (this.inner) return Promise.resolve(this.inner);
    if (this.closed) return Promise.reject(new SamsaError('NOT_READY', `log of ${this.options.name} is closed`));
    if (this.failed)
      return Promise.reject(
        new SamsaError(
          'STORAGE_ERROR',
          `${this.options.name}: its files could not be closed cleanly (${this.failed.message}); the replica is offline on this broker`,
          { cause: this.failed },
        ),
      );
    const { opens } = this.options;
    this.opening ??= (opens ? opens.run(() => this.openNow()) : this.openNow()).catch((err: unknown) => {
      this.opening = undefined;
      if (this.closed) throw err;
      const cause = err instanceof Error ? err : new Error(String(err));
      this.options.onFailed?.(cause);
      throw new SamsaError(
        'STORAGE_ERROR',
        `${this.options.name}: its log could not be opened (${cause.message}); the replica is offline on this broker`,
        {
          cause,
        },
      );
    });
    return this.opening;
  }

  private async openNow(): Promise<ReplicaLog> {
    // Closed while waiting for its turn: nothing to open.
    if (this.closed) throw new SamsaError('NOT_READY', `log of ${this.options.name} is closed`);
    const log = await this.options.open(this.config);
    if (!matchesSummary(log, this.summary)) {
      const found = { logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset, latestEpoch: log.latestEpoch };
      const expected = {
        logStartOffset: this.summary.logStartOffset,
        logEndOffset: this.summary.logEndOffset,
        latestEpoch: this.summaryLatestEpoch,
      };
      // Unclean: the next open recovers and trusts nothing this process announced.
      await log.abandon();
      throw new Error(`the files hold ${JSON.stringify(found)}, not the ${JSON.stringify(expected)} this replica was hosted with`);
    }
    try {
      await this.options.onOpened?.(log);
    } catch (err) {
      await log.abandon();
      throw err;
    }
    if (this.closed) {
      // Closed while opening: let the files go as a clean close would (unclean if that fails: no descriptor stays behind).
      await log.close().catch(() => log.abandon());
      throw new SamsaError('NOT_READY', `log of ${this.options.name} is closed`);
    }
    this.inner = log;
    return log;
  }

  async appendAsLeader(
    batch: ValidatedBatch,
    leaderEpoch: number,
    onOffsets?: (baseOffset: number, lastOffset: number) => void,
  ): Promise<LogAppendInfo> {
    return this.use((log) => log.appendAsLeader(batch, leaderEpoch, onOffsets));
  }

  async appendAsFollower(batches: Buffer): Promise<LogAppendInfo | undefined> {
    // A high watermark alone (the common answer for an idle partition) writes nothing.
    if (batches.length === 0 && !this.inner) return undefined;
    return this.use((log) => log.appendAsFollower(batches), batches.length > 0);
  }

  async truncateTo(offset: number): Promise<void> {
    if (!this.inner && offset >= this.summary.logEndOffset) return;
    return this.use((log) => log.truncateTo(offset));
  }

  async writeProducerSnapshot(offset: number, payload: Buffer): Promise<void> {
    await this.use(async (log) => log.writeProducerSnapshot?.(offset, payload));
  }

  async readProducerSnapshot(maxOffset: number): Promise<{ offset: number; payload: Buffer } | undefined> {
    return this.use(async (log) => log.readProducerSnapshot?.(maxOffset));
  }

  async truncateFullyAndStartAt(offset: number): Promise<void> {
    return this.use((log) => log.truncateFullyAndStartAt(offset));
  }

  async read(
    offset: number,
    maxBytes: number,
    maxOffsetExclusive?: number,
    into?: ReadInto,
  ): Promise<{ bytes: Buffer; nextOffset: number }> {
    if (!this.inner) {
      const { logStartOffset: start, logEndOffset: end } = this.summary;
      if (!Number.isSafeInteger(offset) || offset < start || offset > end)
        throw new SamsaError('OFFSET_OUT_OF_RANGE', `offset ${offset} is outside the log's range [${start}, ${end}]`);
      if (offset >= Math.min(maxOffsetExclusive ?? end, end)) return { bytes: Buffer.alloc(0), nextOffset: offset };
    }
    const end = this.logEndOffset;
    return this.use((log) => log.read(offset, maxBytes, maxOffsetExclusive, into), offset < Math.min(maxOffsetExclusive ?? end, end));
  }

  async offsetForTimestamp(timestampMs: number): Promise<{ offset: number; timestampMs: number } | undefined> {
    if (!this.inner && this.summary.logEndOffset === this.summary.logStartOffset) return undefined;
    return this.use((log) => log.offsetForTimestamp(timestampMs));
  }

  async applyRetention(): Promise<unknown> {
    // Retention never deletes the active segment: with one segment nothing can be due.
    if (!this.inner && this.summary.segmentCount < 2) return { deletedSegments: 0, deletedBytes: 0 };
    // Upkeep, not a use: a replica no one reads or writes still goes idle.
    return this.use((log) => log.applyRetention(), false);
  }

  async cleaningDue(upperBoundOffset: number): Promise<DirtyState | undefined> {
    // The cleaner never cleans the active segment either.
    if (!this.inner && (this.summary.segmentCount < 2 || !this.config.cleanupPolicy.compact)) return undefined;
    return this.use((log) => log.cleaningDue(upperBoundOffset), false);
  }

  async clean(options: CleanOptions): Promise<CleanStats | undefined> {
    return this.use((log) => log.clean(options), false);
  }

  /** The files as they are once no open is in flight (undefined: never opened). */
  private async settled(): Promise<ReplicaLog | undefined> {
    this.closed = true;
    await this.releasing?.catch(() => undefined);
    if (this.opening) await this.opening.catch(() => undefined);
    return this.inner;
  }

  /** A log never opened has nothing to flush: its directory stays as its last clean close left it. */
  async close(): Promise<void> {
    await (await this.settled())?.close();
  }

  async abandon(): Promise<void> {
    await (await this.settled())?.abandon();
  }

  async delete(): Promise<void> {
    const inner = await this.settled();
    if (inner) await inner.delete();
    else await rm(this.options.dir, { recursive: true, force: true });
  }
}
