/**
 * A topic's configuration (as the controller stored it in etcd) turned into the settings of each of
 * its partition logs. Topic values win; what a topic does not say (index interval, fsync) comes
 * from the broker's defaults.
 */
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../log/index.js';
import { withConfigDefaults, type TopicConfigValues } from '../cluster/index.js';

export interface BrokerLogDefaults {
  /** The broker's fsync policy (SAMSA_FSYNC); defaults to libs/log's. */
  fsync: LogConfig['fsync'];
  indexIntervalBytes: number;
}

export const DEFAULT_BROKER_LOG_DEFAULTS: BrokerLogDefaults = {
  fsync: DEFAULT_LOG_CONFIG.fsync,
  indexIntervalBytes: DEFAULT_LOG_CONFIG.indexIntervalBytes,
};

export function logConfigFor(stored: TopicConfigValues, defaults: BrokerLogDefaults = DEFAULT_BROKER_LOG_DEFAULTS): LogConfig {
  const topic = withConfigDefaults(stored);
  return {
    ...DEFAULT_LOG_CONFIG,
    segmentBytes: topic.segmentBytes,
    segmentMs: topic.segmentMs,
    retentionBytes: topic.retentionBytes,
    retentionMs: topic.retentionMs,
    indexIntervalBytes: defaults.indexIntervalBytes,
    fsync: defaults.fsync,
    cleanupPolicy: { delete: topic.cleanupPolicy !== 'compact', compact: topic.cleanupPolicy !== 'delete' },
    deleteRetentionMs: topic.deleteRetentionMs,
    minCleanableDirtyRatio: topic.minCleanableDirtyRatio,
    minCompactionLagMs: topic.minCompactionLagMs,
    maxCompactionLagMs: topic.maxCompactionLagMs,
  };
}
