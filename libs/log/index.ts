/**
 * A partition replica's log on disk. Import this lib only through here.
 *
 * PartitionLog.read(offset, maxBytes, maxOffsetExclusive?, into?) contract: whole batches starting with
 * the one that holds `offset`, about `maxBytes` (at least one whole batch when one exists), never a
 * batch whose last offset is >= maxOffsetExclusive (default: the log end offset), from a single
 * segment. offset == end (or >= maxOffsetExclusive) gives empty bytes; offset outside
 * [logStartOffset, logEndOffset] throws OFFSET_OUT_OF_RANGE naming the valid range. With `into`
 * (read-buffers.ts), bytes read from a file land in a buffer it gives (a reused one).
 */
export { PartitionLog, type AppendInfo, type LogReadResult, type RecoveryReport, type LogLogger } from './partition-log.js';
export { DEFAULT_LOG_CONFIG, type LogConfig } from './config.js';
export { TailCache, DEFAULT_TAIL_CACHE_BYTES } from './tail-cache.js';
export { ReadBufferPool, ReadLease, DEFAULT_READ_POOL_BYTES, type ReadInto } from './read-buffers.js';
export { FilePool, PooledFile, DEFAULT_MAX_OPEN_FILES, readWhole, type FilePoolStats, type OpenFlags } from './file-pool.js';
export { LeaderEpochCache, epochEndOffset, type EpochEntry } from './leader-epoch-cache.js';
export { ProducerSnapshots, PRODUCER_SNAPSHOTS_KEPT, producerSnapshotPath, parseProducerSnapshotName } from './producer-snapshots.js';
export {
  segmentFileName,
  segmentPath,
  parseSegmentFileName,
  CLEAN_SHUTDOWN_FILE,
  EPOCH_CHECKPOINT_FILE,
  CLEANER_CHECKPOINT_FILE,
} from './file-names.js';
export { type CleanOptions, type CleanStats, type DirtyState } from './cleaner.js';
export { OffsetMap, offsetMapCapacity, OFFSET_MAP_ENTRY_BYTES } from './offset-map.js';
export { Throttler, realSleep, type Sleep } from './throttler.js';
export { LogCleaner, type CleanableReplica, type LogCleanerOptions, type LogCleanerTotals } from './log-cleaner.js';
