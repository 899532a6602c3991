/**
 * The broker's replica logic, testable without a network: hosted partitions (log, role, high
 * watermark, waiters; split by role, see partition.ts), the manager that keeps them in step with cluster metadata, and produce
 * validation/planning. Import this lib only through here.
 */
export {
  Partition,
  type PartitionWatcher,
  type ReadResult,
  type OffsetQuery,
  type ListedOffset,
  type PartitionOptions,
} from './partition.js';
export type { ReplicaLog, LogAppendInfo } from './replica-log.js';
export type { Role, LeaderHint, PartitionChange } from './replica-state.js';
export type { AckLevel, AppendOptions, FollowerFetch, FollowerFetchCheck, IsrCheckOptions } from './leader-replicas.js';
export { OffsetWaiters, type WakeReason, type WaitOptions } from './offset-waiters.js';
export {
  ReplicaManager,
  type ReplicaManagerOptions,
  type ReplicaClusterView,
  type OpenLog,
  type OfflineReplica,
} from './replica-manager.js';
export { guardStorage, storageErrno } from './storage-guard.js';
export {
  planProduce,
  type ProduceInput,
  type ProduceRecordInput,
  type ProduceBatchInput,
  type PartitionWrite,
  type PlanContext,
  type KeylessPartitioner,
} from './produce-plan.js';
export { logConfigFor, DEFAULT_BROKER_LOG_DEFAULTS, type BrokerLogDefaults } from './log-config.js';
export { partitionDir, partitionDirName, parsePartitionDirName, CLEAN_SHUTDOWN_FILE, PARTITION_METADATA_FILE } from './partition-dir.js';
export { FollowerTracker, type FollowerProgress, type IsrInputs } from './follower-progress.js';
export { ProducerStateTable, DEDUPE_WINDOW, isIdempotent, type ProducerBatch, type SequenceCheck } from './producer-state.js';
export { IdempotentAppender, type ProducerStateLogger } from './idempotent-appender.js';
export { validateForAppend, targetCodec } from './batch-validator.js';
export { BatchValidatorPool } from './batch-validator-pool.js';
export { LazyLog, emptySummary, summaryOf, matchesSummary, type ReplicaSummary, type LazyLogOptions } from './lazy-log.js';
export { REPLICA_SUMMARIES_FILE, formatSummaries, parseSummaries, parseEntry, type StoredSummary } from './replica-summaries.js';
export {
  RecoveryCheckpoint,
  RECOVERY_CHECKPOINT_FILE,
  readRecoveryCheckpoint,
  type RecoveryCheckpointOptions,
} from './recovery-checkpoint.js';
