/**
 * Topic names and configs: what is allowed, and the defaults. Pure functions; errors are
 * SamsaErrors whose messages say what is allowed.
 */
import { SamsaError } from '../errors/index.js';
import { DEFAULT_TOPIC_CONFIG, type CleanupPolicy, type CompressionType, type TopicConfigValues } from './metadata.js';

const CLEANUP_POLICIES: Readonly<Record<string, CleanupPolicy>> = {
  delete: 'delete',
  compact: 'compact',
  'compact,delete': 'compact,delete',
  'delete,compact': 'compact,delete',
};
const COMPRESSION_TYPES: readonly CompressionType[] = ['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'];

export const MAX_TOPIC_NAME_LENGTH = 249;
export const MAX_PARTITIONS = 10_000;
const LEGAL_NAME = /^[a-zA-Z0-9._-]+$/;

/** Kafka's rules: 1..249 characters of [a-zA-Z0-9._-], and not "." or "..". */
export function validateTopicName(name: string): void {
  if (name.length === 0) throw new SamsaError('INVALID_TOPIC_NAME', 'topic name is empty');
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    throw new SamsaError('INVALID_TOPIC_NAME', `topic name is ${name.length} characters long; the limit is ${MAX_TOPIC_NAME_LENGTH}`);
  }
  if (name === '.' || name === '..') throw new SamsaError('INVALID_TOPIC_NAME', `topic name cannot be "${name}"`);
  if (!LEGAL_NAME.test(name)) {
    throw new SamsaError('INVALID_TOPIC_NAME', `topic name "${name}" has characters other than ASCII letters, digits, '.', '_' and '-'`);
  }
}

/** Topics whose name starts with this belong to the cluster (e.g. __consumer_offsets), not to clients. */
export const INTERNAL_TOPIC_PREFIX = '__';

/**
 * Refuses `action` on an internal topic: deleting __consumer_offsets wipes every group's committed
 * offsets, and adding partitions to it remaps every group to another partition. Samsa's services
 * never do either, so nobody may.
 */
export function assertNotInternalTopic(name: string, action: string): void {
  if (!name.startsWith(INTERNAL_TOPIC_PREFIX)) return;
  throw new SamsaError(
    'POLICY_VIOLATION',
    `topic "${name}" is internal to the cluster (names starting with "${INTERNAL_TOPIC_PREFIX}" are Samsa's own): it cannot be ${action}`,
  );
}

export function validatePartitionCount(partitions: number): void {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
    throw new SamsaError('INVALID_PARTITIONS', `partitions must be between 1 and ${MAX_PARTITIONS}, got ${partitions}`);
  }
}

function range(key: string, value: number, min: number, max: number, allowMinusOne = false): number {
  if (!Number.isSafeInteger(value) || ((value < min || value > max) && !(allowMinusOne && value === -1))) {
    throw new SamsaError('INVALID_CONFIG', `${key} must be ${allowMinusOne ? '-1 or ' : ''}between ${min} and ${max}, got ${value}`);
  }
  return value;
}

/**
 * A requested topic config: any subset of the values; unset (undefined or null) takes the default.
 * Numbers may come as decimal strings (proto int64 fields arrive so); the cleanup policy as any
 * string, checked by resolveTopicConfig.
 */
export type TopicConfigRequest = {
  readonly [K in keyof TopicConfigValues]?:
    (TopicConfigValues[K] extends number ? number | string : TopicConfigValues[K] extends boolean ? boolean : string) | null;
};

/** Fills defaults into a requested config and checks every value; `replicationFactor` bounds min.insync.replicas. */
export function resolveTopicConfig(requested: TopicConfigRequest | null | undefined, replicationFactor: number): TopicConfigValues {
  const r = requested ?? {};
  const d = DEFAULT_TOPIC_CONFIG;
  const num = (v: unknown, def: number): number => (v === undefined || v === null ? def : Number(v));
  const cleanup = CLEANUP_POLICIES[(r.cleanupPolicy ?? d.cleanupPolicy).replace(/\s+/g, '')];
  if (!cleanup) {
    throw new SamsaError('INVALID_CONFIG', `cleanup.policy must be "delete", "compact" or "compact,delete", got "${r.cleanupPolicy}"`);
  }
  const compression = (r.compressionType ?? d.compressionType) as CompressionType;
  if (!COMPRESSION_TYPES.includes(compression)) {
    throw new SamsaError('INVALID_CONFIG', `compression.type must be one of ${COMPRESSION_TYPES.join(', ')}, got "${r.compressionType}"`);
  }
  const ratio = num(r.minCleanableDirtyRatio, d.minCleanableDirtyRatio);
  if (!(ratio >= 0 && ratio <= 1)) {
    throw new SamsaError('INVALID_CONFIG', `min.cleanable.dirty.ratio must be between 0 and 1, got ${ratio}`);
  }
  const minLag = range('min.compaction.lag.ms', num(r.minCompactionLagMs, d.minCompactionLagMs), 0, Number.MAX_SAFE_INTEGER);
  const maxLag = range('max.compaction.lag.ms', num(r.maxCompactionLagMs, d.maxCompactionLagMs), 1, Number.MAX_SAFE_INTEGER);
  if (maxLag < minLag)
    throw new SamsaError('INVALID_CONFIG', `max.compaction.lag.ms (${maxLag}) must not be below min.compaction.lag.ms (${minLag})`);
  const minIsr = range('min.insync.replicas', num(r.minInsyncReplicas, d.minInsyncReplicas), 1, Math.max(1, replicationFactor));
  return {
    retentionMs: range('retention.ms', num(r.retentionMs, d.retentionMs), 1, Number.MAX_SAFE_INTEGER, true),
    retentionBytes: range('retention.bytes', num(r.retentionBytes, d.retentionBytes), 1, Number.MAX_SAFE_INTEGER, true),
    segmentBytes: range('segment.bytes', num(r.segmentBytes, d.segmentBytes), 1024 * 1024, 1024 * 1024 * 1024),
    segmentMs: range('segment.ms', num(r.segmentMs, d.segmentMs), 1000, Number.MAX_SAFE_INTEGER),
    cleanupPolicy: cleanup,
    minInsyncReplicas: minIsr,
    maxMessageBytes: range('max.message.bytes', num(r.maxMessageBytes, d.maxMessageBytes), 1024, 64 * 1024 * 1024 - 1024),
    uncleanLeaderElection: r.uncleanLeaderElection ?? d.uncleanLeaderElection,
    deleteRetentionMs: range('delete.retention.ms', num(r.deleteRetentionMs, d.deleteRetentionMs), 0, Number.MAX_SAFE_INTEGER),
    minCleanableDirtyRatio: ratio,
    minCompactionLagMs: minLag,
    maxCompactionLagMs: maxLag,
    compressionType: compression,
  };
}
