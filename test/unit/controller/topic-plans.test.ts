/**
 * Topic commands as pure plans (libs/controller topic-plans.ts): what a create, an added partition
 * count, a config change and a deletion write, and what they refuse, without etcd.
 */
import { describe, expect, it } from 'vitest';
import { SamsaError } from '../../../libs/errors/index.js';
import { DEFAULT_TOPIC_CONFIG, type PartitionState, type TopicRecord } from '../../../libs/cluster/index.js';
import {
  internalTopicCommand,
  planConfigChange,
  planDeletion,
  planMorePartitions,
  planNewTopic,
  type Placement,
} from '../../../libs/controller/index.js';

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof SamsaError) return err.reason;
    throw err;
  }
  throw new Error('expected a refusal');
}

/** Existing replicas per topic, for the budget. */
function placement(brokers: number[], existing: Record<string, number[][]> = {}, max = 100, startIndex = 0): Placement {
  const topics = Object.keys(existing).map((name): TopicRecord => ({
    name,
    topicId: name,
    partitions: existing[name]?.length ?? 0,
    replicationFactor: 1,
    config: DEFAULT_TOPIC_CONFIG,
    createdAtMs: 0,
  }));
  const partitions = (name: string): PartitionState[] =>
    (existing[name] ?? []).map((replicas, partition) => ({
      topic: name,
      partition,
      leader: replicas[0] as number,
      leaderEpoch: 0,
      partitionEpoch: 0,
      replicas,
      isr: replicas,
    }));
  return { brokers, startIndex, epochOf: (id) => id * 10, existing: { topics: () => topics, partitions }, maxReplicasPerBroker: max };
}

const record = (name: string, partitions: number, rf = 2): TopicRecord => ({
  name,
  topicId: 'id-1',
  partitions,
  replicationFactor: rf,
  config: DEFAULT_TOPIC_CONFIG,
  createdAtMs: 1,
});

describe('planNewTopic', () => {
  it('places every partition on distinct admitted brokers, the first replica leading with its incarnation, all in sync, epochs 0', () => {
    const plan = planNewTopic({ name: 'orders', partitions: 3, replicationFactor: 2 }, undefined, placement([1, 2, 3]), 'uuid', 1234);
    expect(plan.record).toEqual({
      name: 'orders',
      topicId: 'uuid',
      partitions: 3,
      replicationFactor: 2,
      config: DEFAULT_TOPIC_CONFIG,
      createdAtMs: 1234,
    });
    expect(plan.partitions).toHaveLength(3);
    for (const p of plan.partitions) {
      expect(new Set(p.replicas).size).toBe(2);
      expect(p).toMatchObject({
        leader: p.replicas[0],
        leaderBrokerEpoch: (p.replicas[0] as number) * 10,
        leaderEpoch: 0,
        partitionEpoch: 0,
        isr: p.replicas,
      });
    }
  });

  it('refuses a taken name, a bad name, bad counts, a bad config, and a replication factor above the admitted brokers', () => {
    const ok = { name: 'orders', partitions: 1, replicationFactor: 1 };
    expect(reason(() => planNewTopic(ok, record('orders', 1), placement([1]), 'u', 0))).toBe('TOPIC_ALREADY_EXISTS');
    expect(reason(() => planNewTopic({ ...ok, name: 'a/b' }, undefined, placement([1]), 'u', 0))).toBe('INVALID_TOPIC_NAME');
    expect(reason(() => planNewTopic({ ...ok, partitions: 0 }, undefined, placement([1]), 'u', 0))).toBe('INVALID_PARTITIONS');
    expect(reason(() => planNewTopic({ ...ok, replicationFactor: 0 }, undefined, placement([1]), 'u', 0))).toBe(
      'INVALID_REPLICATION_FACTOR',
    );
    expect(reason(() => planNewTopic({ ...ok, config: { cleanupPolicy: 'shred' } }, undefined, placement([1]), 'u', 0))).toBe(
      'INVALID_CONFIG',
    );
    expect(reason(() => planNewTopic({ ...ok, replicationFactor: 2 }, undefined, placement([1]), 'u', 0))).toBe('NOT_ENOUGH_BROKERS');
  });

  it('refuses a topic that would put more replicas on a broker than its budget (POLICY_VIOLATION)', () => {
    expect(
      reason(() =>
        planNewTopic({ name: 'big', partitions: 3, replicationFactor: 1 }, undefined, placement([1], { old: [[1]] }, 3), 'u', 0),
      ),
    ).toBe('POLICY_VIOLATION');
  });
});

describe('planMorePartitions', () => {
  it('adds only the new partitions, numbered after the old ones, and raises the count', () => {
    const plan = planMorePartitions({ name: 'orders', totalPartitions: 5 }, record('orders', 2), placement([1, 2, 3]));
    expect(plan.record.partitions).toBe(5);
    expect(plan.partitions.map((p) => p.partition)).toEqual([2, 3, 4]);
    for (const p of plan.partitions) expect(p.replicas).toHaveLength(2);
  });

  it('refuses fewer or equal partitions, an unknown topic, and internal topics', () => {
    expect(reason(() => planMorePartitions({ name: 'orders', totalPartitions: 2 }, record('orders', 2), placement([1, 2])))).toBe(
      'INVALID_PARTITIONS',
    );
    expect(reason(() => planMorePartitions({ name: 'orders', totalPartitions: 3 }, undefined, placement([1, 2])))).toBe(
      'UNKNOWN_TOPIC_OR_PARTITION',
    );
    expect(
      reason(() =>
        planMorePartitions({ name: '__consumer_offsets', totalPartitions: 60 }, record('__consumer_offsets', 50), placement([1, 2])),
      ),
    ).toBe('POLICY_VIOLATION');
  });
});

describe('planConfigChange and planDeletion', () => {
  it('applies only the given values over the current config and checks the result', () => {
    const next = planConfigChange({ name: 'orders', changes: { retentionMs: '60000', minInsyncReplicas: null } }, record('orders', 1));
    expect(next.config).toEqual({ ...DEFAULT_TOPIC_CONFIG, retentionMs: 60_000 });
    expect(reason(() => planConfigChange({ name: 'orders', changes: { minInsyncReplicas: 3 } }, record('orders', 1, 2)))).toBe(
      'INVALID_CONFIG',
    );
    expect(reason(() => planConfigChange({ name: 'orders', changes: {} }, record('orders', 1)))).toBe('INVALID_CONFIG');
    expect(reason(() => planConfigChange({ name: 'nope', changes: { retentionMs: 1 } }, undefined))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('refuses to delete an internal or unknown topic', () => {
    expect(reason(() => planDeletion('__consumer_offsets', record('__consumer_offsets', 1)))).toBe('POLICY_VIOLATION');
    expect(reason(() => planDeletion('nope', undefined))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(planDeletion('orders', record('orders', 1)).topicId).toBe('id-1');
  });
});

describe('internalTopicCommand', () => {
  it('makes __consumer_offsets compacted, kept forever, min ISR 2 from 3 replicas; refuses any other name', () => {
    expect(internalTopicCommand({ name: '__consumer_offsets', partitions: 50, replicationFactor: 3 })).toMatchObject({
      partitions: 50,
      replicationFactor: 3,
      config: { cleanupPolicy: 'compact', retentionMs: -1, retentionBytes: -1, minInsyncReplicas: 2 },
    });
    expect(internalTopicCommand({ name: '__consumer_offsets', partitions: 1, replicationFactor: 1 }).config).toMatchObject({
      minInsyncReplicas: 1,
    });
    expect(reason(() => internalTopicCommand({ name: '__other', partitions: 1, replicationFactor: 1 }))).toBe('INVALID_TOPIC_NAME');
    expect(reason(() => internalTopicCommand({ name: '__consumer_offsets', partitions: 0, replicationFactor: 1 }))).toBe(
      'INVALID_PARTITIONS',
    );
  });
});
