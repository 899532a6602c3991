/**
 * Topic configuration by the names Kafka users know (`retention.ms`, `cleanup.policy`, ...), as the
 * CLI's `--config k=v` and Admin.createTopic take them, mapped to the proto's TopicConfig fields.
 * Unknown names and malformed values fail here with INVALID_CONFIG before any request is sent.
 */
import { SamsaError } from '../../errors/index.js';
import type { v1 } from '../../rpc/index.js';
import type { TopicConfigValues } from '../routing/metadata.js';

type Kind = 'int' | 'bool' | 'policy' | 'ratio' | 'compression';

const KEYS: Record<string, { field: keyof TopicConfigValues; kind: Kind }> = {
  'retention.ms': { field: 'retentionMs', kind: 'int' },
  'retention.bytes': { field: 'retentionBytes', kind: 'int' },
  'segment.bytes': { field: 'segmentBytes', kind: 'int' },
  'segment.ms': { field: 'segmentMs', kind: 'int' },
  'cleanup.policy': { field: 'cleanupPolicy', kind: 'policy' },
  'min.insync.replicas': { field: 'minInsyncReplicas', kind: 'int' },
  'max.message.bytes': { field: 'maxMessageBytes', kind: 'int' },
  'unclean.leader.election.enable': { field: 'uncleanLeaderElection', kind: 'bool' },
  'delete.retention.ms': { field: 'deleteRetentionMs', kind: 'int' },
  'min.cleanable.dirty.ratio': { field: 'minCleanableDirtyRatio', kind: 'ratio' },
  'min.compaction.lag.ms': { field: 'minCompactionLagMs', kind: 'int' },
  'max.compaction.lag.ms': { field: 'maxCompactionLagMs', kind: 'int' },
  'compression.type': { field: 'compressionType', kind: 'compression' },
};

const POLICIES = ['delete', 'compact', 'compact,delete', 'delete,compact'];
const COMPRESSION_TYPES = ['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'];

export const TOPIC_CONFIG_KEYS: readonly string[] = Object.keys(KEYS);

/** `{ 'retention.ms': '60000' }` as a TopicConfig; throws INVALID_CONFIG naming the bad entry. */
export function topicConfigFromEntries(entries: Readonly<Record<string, string>>): v1.TopicConfig {
  const out: v1.TopicConfig = {};
  for (const [name, raw] of Object.entries(entries)) {
    const key = KEYS[name];
    if (!key) {
      throw new SamsaError('INVALID_CONFIG', `unknown topic config "${name}"; known: ${TOPIC_CONFIG_KEYS.join(', ')}`);
    }
    const target = out as Record<string, unknown>;
    switch (key.kind) {
      case 'int': {
        const n = Number(raw);
        if (raw.trim() === '' || !Number.isSafeInteger(n))
          throw new SamsaError('INVALID_CONFIG', `${name} must be an integer, got "${raw}"`);
        target[key.field] = n;
        break;
      }
      case 'bool':
        if (raw !== 'true' && raw !== 'false') throw new SamsaError('INVALID_CONFIG', `${name} must be true or false, got "${raw}"`);
        target[key.field] = raw === 'true';
        break;
      case 'policy':
        if (!POLICIES.includes(raw))
          throw new SamsaError('INVALID_CONFIG', `${name} must be delete, compact or compact,delete, got "${raw}"`);
        target[key.field] = raw;
        break;
      case 'ratio': {
        const n = Number(raw);
        if (raw.trim() === '' || !(n >= 0 && n <= 1))
          throw new SamsaError('INVALID_CONFIG', `${name} must be a number from 0 to 1, got "${raw}"`);
        target[key.field] = n;
        break;
      }
      case 'compression':
        if (!COMPRESSION_TYPES.includes(raw))
          throw new SamsaError('INVALID_CONFIG', `${name} must be one of ${COMPRESSION_TYPES.join(', ')}, got "${raw}"`);
        target[key.field] = raw;
        break;
    }
  }
  return out;
}

/** The effective config of a topic by Kafka names, for display. */
export function topicConfigEntries(config: TopicConfigValues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, key] of Object.entries(KEYS)) {
    const value = config[key.field];
    if (value !== undefined) out[name] = String(value);
  }
  return out;
}
