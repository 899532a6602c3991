/** What a Partition needs from its log (libs/log's PartitionLog satisfies it). */
import type { CleanOptions, CleanStats, DirtyState, EpochEntry, LogConfig, ReadInto } from '../log/index.js';
import type { ValidatedBatch } from '../record/index.js';

export interface ReplicaLog {
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  readonly sizeInBytes: number;
  readonly segmentCount: number;
  readonly latestEpoch: number;
  readonly activeSegmentBaseOffset: number;
  /** The active segment's size in bytes, when known (a lazy log hosted without it does not know). */
  readonly activeSegmentBytes?: number;
  /**
   * True when every change to the files is done and fsynced, directory included: the summary of
   * the log now may go into the broker's recovery checkpoint (recovery-checkpoint.ts, ADR 0054).
   */
  isDurable?(): boolean;
  /** The leader epoch entries, oldest first (what a replica summary keeps: lazy-log.ts). */
  readonly epochEntries: readonly EpochEntry[];
  /**
   * A log opened on first use (lazy-log.ts) says here whether its files are open yet; a plain
   * PartitionLog has neither member (always open).
   */
  readonly materialized?: boolean;
  /** Opens the files now if they are not (lazy-log.ts); rejects as the open did. */
  materialize?(): Promise<void>;
  reconfigure(config: LogConfig): void;
  /** `onOffsets` runs with the batch's offsets before its bytes become readable. */
  appendAsLeader(
    batch: ValidatedBatch,
    leaderEpoch: number,
    onOffsets?: (baseOffset: number, lastOffset: number) => void,
  ): Promise<LogAppendInfo>;
  appendAsFollower(batches: Buffer): Promise<LogAppendInfo | undefined>;
  truncateTo(offset: number): Promise<void>;
  /**
   * The idempotent producers' table as of `offset` (libs/log producer-snapshots.ts), stored in the
   * order of appends and truncations. A log without them (test doubles) makes the table's rebuild
   * fall back to replaying the active segment.
   */
  writeProducerSnapshot?(offset: number, payload: Buffer): Promise<void>;
  /** The newest valid producer snapshot at or below `maxOffset` (and the log end), within the log. */
  readProducerSnapshot?(maxOffset: number): Promise<{ offset: number; payload: Buffer } | undefined>;
  truncateFullyAndStartAt(offset: number): Promise<void>;
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number };
  read(offset: number, maxBytes: number, maxOffsetExclusive?: number, into?: ReadInto): Promise<{ bytes: Buffer; nextOffset: number }>;
  offsetForTimestamp(timestampMs: number): Promise<{ offset: number; timestampMs: number } | undefined>;
  applyRetention(): Promise<unknown>;
  /** The log cleaner (libs/log/cleaner.ts): due below `upperBoundOffset`, and one pass. */
  cleaningDue(upperBoundOffset: number): Promise<DirtyState | undefined>;
  clean(options: CleanOptions): Promise<CleanStats | undefined>;
  close(): Promise<void>;
  /** Lets the files go without the clean-shutdown marker (the storage failed); never throws. */
  abandon(): Promise<void>;
  delete(): Promise<void>;
}

export interface LogAppendInfo {
  baseOffset: number;
  lastOffset: number;
  appendTimeMs: number;
  sizeInBytes: number;
}
