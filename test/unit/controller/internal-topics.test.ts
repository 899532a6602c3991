/**
 * The internal topics' config (libs/controller internal-topics.ts): what __consumer_offsets is
 * created with, and how an existing cluster's topic (made before compaction landed) is brought to it.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOPIC_CONFIG, type TopicRecord } from '../../../libs/cluster/index.js';
import { internalTopicCommand, planInternalTopicMigration } from '../../../libs/controller/index.js';

const MiB = 1024 * 1024;

function offsetsTopic(config: Partial<TopicRecord['config']>): TopicRecord {
  return {
    name: '__consumer_offsets',
    topicId: 'id-1',
    partitions: 50,
    replicationFactor: 3,
    config: { ...DEFAULT_TOPIC_CONFIG, ...config },
    createdAtMs: 1,
  };
}

describe('internal topics', () => {
  it('__consumer_offsets is created compacted, without retention, in 4 MiB segments', () => {
    const cmd = internalTopicCommand({ name: '__consumer_offsets', partitions: 50, replicationFactor: 3 });
    expect(cmd.config).toEqual({
      cleanupPolicy: 'compact',
      retentionMs: -1,
      retentionBytes: -1,
      segmentBytes: 4 * MiB,
      minInsyncReplicas: 2,
    });
  });

  it("an existing cluster's __consumer_offsets with 128 MiB segments is brought to 4 MiB, and only its storage fields change", () => {
    const old = offsetsTopic({
      cleanupPolicy: 'compact',
      retentionMs: -1,
      retentionBytes: -1,
      segmentBytes: 128 * MiB,
      minInsyncReplicas: 1,
    });
    const next = planInternalTopicMigration(old);
    expect(next).toEqual({ ...old, config: { ...old.config, segmentBytes: 4 * MiB } });
    // Applied once: the result needs nothing more.
    expect(planInternalTopicMigration(next)).toBeUndefined();
  });

  it('a delete-policy or time-retained __consumer_offsets (older still) is made compact without retention', () => {
    const old = offsetsTopic({ cleanupPolicy: 'delete', retentionMs: 7 * 24 * 3600_000, segmentBytes: 4 * MiB });
    expect(planInternalTopicMigration(old)?.config).toMatchObject({ cleanupPolicy: 'compact', retentionMs: -1, retentionBytes: -1 });
  });

  it('leaves an up-to-date __consumer_offsets, other topics and a missing topic alone', () => {
    const current = offsetsTopic({
      cleanupPolicy: 'compact',
      retentionMs: -1,
      retentionBytes: -1,
      segmentBytes: 4 * MiB,
      minInsyncReplicas: 2,
    });
    expect(planInternalTopicMigration(current)).toBeUndefined();
    expect(planInternalTopicMigration({ ...offsetsTopic({ segmentBytes: 128 * MiB }), name: 'orders' })).toBeUndefined();
    expect(planInternalTopicMigration(undefined)).toBeUndefined();
  });
});
