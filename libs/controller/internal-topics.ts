/**
 * The internal topics Samsa creates for itself, and the configuration each gets. The controller
 * creates them only through CreateInternalTopic (which the coordinator calls); CreateTopic refuses
 * every `__` name, so a client can neither take such a name first nor give it another config.
 */
import { SamsaError } from '../errors/index.js';
import { OFFSETS_TOPIC } from '../group/index.js';
import type { CreateTopicCommand } from './commands.js';

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
    config: {
      cleanupPolicy: 'compact',
      retentionMs: -1,
      retentionBytes: -1,
      segmentBytes: 4 * 1024 * 1024,
      minInsyncReplicas: rf >= 3 ? 2 : 1,
    },
    validateOnly: false,
  };
}
