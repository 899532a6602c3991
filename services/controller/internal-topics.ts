/**
 * The internal topics Samsa creates for itself, and the configuration each gets. The controller
 * creates them only through CreateInternalTopic (which the coordinator calls); CreateTopic refuses
 * every `__` name, so a client can neither take such a name first nor give it another config.
 */
import { SamsaError } from '../../libs/errors/index.js';
import type { v1 } from '../../libs/rpc/index.js';
import { OFFSETS_TOPIC } from '../../libs/group/index.js';

/** The CreateTopic request the controller runs for an internal topic; INVALID_TOPIC_NAME for any other name. */
export function internalTopicCreation(req: v1.CreateInternalTopicRequest__Output): v1.CreateTopicRequest__Output {
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
    // Committed offsets must outlive any retention (compaction is read-side only for now: latest
    // per key on replay), and with 3+ replicas a commit survives the loss of one broker.
    config: { cleanupPolicy: 'compact', retentionMs: -1, retentionBytes: -1, minInsyncReplicas: rf >= 3 ? 2 : 1 },
    validateOnly: false,
  };
}
