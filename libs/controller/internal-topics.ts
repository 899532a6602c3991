/**
 * The internal topics Samsa creates for itself, and the configuration each gets. The controller
 * creates them only through CreateInternalTopic (which the coordinator calls); CreateTopic refuses
 * every `__` name, so a client can neither take such a name first nor give it another config.
 */
import { resolveTopicConfig, type TopicConfigRequest, type TopicRecord } from '../cluster/index.js';
import { SamsaError } from '../errors/index.js';
import { OFFSETS_TOPIC } from '../group/index.js';
import type { CreateTopicCommand } from './commands.js';

/**
 * What keeps `__consumer_offsets` compacted and its takeover replay short (docs/adr/0029): the
 * config it is created with, and the one an existing cluster's topic is brought to
 * (planInternalTopicMigration).
 */
const OFFSETS_TOPIC_STORAGE = {
  cleanupPolicy: 'compact',
  retentionMs: -1,
  retentionBytes: -1,
  segmentBytes: 4 * 1024 * 1024,
} as const satisfies TopicConfigRequest;

export interface InternalTopicRequest {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
}

/** The create command the controller runs for an internal topic; INVALID_TOPIC_NAME for any other name. */
export function internalTopicCommand(req: InternalTopicRequest): CreateTopicCommand {
  if (req.name !== OFFSETS_TOPIC) {
    throw new SamsaError('INVALID_TOPIC_NAME', `"${req.name}" is not an internal topic; the only one is ${OFFSETS_TOPIC}`);
  }
  if (req.partitions < 1) throw new SamsaError('INVALID_PARTITIONS', `an internal topic needs at least 1 partition, got ${req.partitions}`);
  const rf = req.replicationFactor;
  if (rf < 1) throw new SamsaError('INVALID_REPLICATION_FACTOR', `replication factor must be at least 1, got ${rf}`);
  return {
    name: req.name,
    partitions: req.partitions,
    replicationFactor: rf,
    // Committed offsets must outlive any retention: compacted (the brokers' cleaner keeps the latest
    // record per key, docs/adr/0029), in 4 MiB segments so that the cleaner, which never touches
    // the active segment, keeps a takeover's replay near the live offsets. With 3+ replicas a commit
    // survives the loss of one broker.
    config: { ...OFFSETS_TOPIC_STORAGE, minInsyncReplicas: rf >= 3 ? 2 : 1 },
    validateOnly: false,
  };
}

/**
 * An existing internal topic brought to the storage config it is created with today, or undefined
 * when it already has it. Clusters whose `__consumer_offsets` was created before compaction landed
 * have 128 MiB segments: the cleaner never touches the active segment, so a takeover would replay
 * up to 128 MiB per partition whatever was cleaned. The active controller applies this when it
 * takes office (ActiveController); the config change reaches the brokers like any other, and a
 * log whose active segment is already larger than the new segment.bytes rolls at its next append.
 * Only the storage fields change: min.insync.replicas and the rest stay as the operator has them.
 */
export function planInternalTopicMigration(record: TopicRecord | undefined): TopicRecord | undefined {
  if (!record || record.name !== OFFSETS_TOPIC) return undefined;
  const current = record.config;
  const stale = (Object.keys(OFFSETS_TOPIC_STORAGE) as (keyof typeof OFFSETS_TOPIC_STORAGE)[]).some(
    (k) => current[k] !== OFFSETS_TOPIC_STORAGE[k],
  );
  if (!stale) return undefined;
  return { ...record, config: resolveTopicConfig({ ...current, ...OFFSETS_TOPIC_STORAGE }, record.replicationFactor) };
}
