/**
 * Topic commands as pure plans: validate the command against the current records, place the
 * replicas, and return exactly what to write. active-controller.ts writes it (fenced); nothing
 * here does I/O or reads the clock or a random source (both are passed in).
 */
import { SamsaError } from '../errors/index.js';
import {
  assertNotInternalTopic,
  assignReplicas,
  checkReplicaBudget,
  resolveTopicConfig,
  stampLeaderIncarnation,
  validatePartitionCount,
  validateTopicName,
  type PartitionState,
  type ReplicaCountSource,
  type TopicConfigRequest,
  type TopicConfigValues,
  type TopicRecord,
} from '../cluster/index.js';
import type { AlterTopicConfigCommand, CreatePartitionsCommand, CreateTopicCommand } from './commands.js';

/** Where new replicas may go and the limit on how many one broker hosts. */
export interface Placement {
  /** Admitted live brokers, in id order. */
  readonly brokers: readonly number[];
  /** Index into `brokers` of the first partition's leader: spreads leaders of small topics (random in production). */
  readonly startIndex: number;
  /** The registered broker epoch of a live broker, stamped on each new partition's leader. */
  epochOf(id: number): number | undefined;
  /** Today's replicas, counted against `maxReplicasPerBroker`. */
  readonly existing: ReplicaCountSource;
  readonly maxReplicasPerBroker: number;
}

export interface TopicPlan {
  readonly record: TopicRecord;
  readonly partitions: PartitionState[];
}

function newPartitions(topic: string, firstPartition: number, assignment: number[][], placement: Placement): PartitionState[] {
  return assignment.map((replicas, i) =>
    stampLeaderIncarnation(
      {
        topic,
        partition: firstPartition + i,
        leader: replicas[0] as number,
        leaderEpoch: 0,
        partitionEpoch: 0,
        replicas,
        isr: [...replicas],
      },
      (id) => placement.epochOf(id),
    ),
  );
}

/**
 * The checks of a create that need no placement (name, counts, config, not existing yet), so a
 * bad request is refused before waiting for brokers; returns the resolved config.
 */
export function checkNewTopic(cmd: CreateTopicCommand, existing: TopicRecord | undefined): TopicConfigValues {
  validateTopicName(cmd.name);
  validatePartitionCount(cmd.partitions);
  const rf = cmd.replicationFactor;
  if (!Number.isInteger(rf) || rf < 1) {
    throw new SamsaError('INVALID_REPLICATION_FACTOR', `replication factor must be at least 1, got ${rf}`);
  }
  const config = resolveTopicConfig(cmd.config, rf);
  if (existing) throw new SamsaError('TOPIC_ALREADY_EXISTS', `topic "${cmd.name}" already exists`);
  return config;
}

/**
 * A new topic: its record and every partition's first state (the first replica leads, all in
 * sync), after checkNewTopic's checks (TOPIC_ALREADY_EXISTS when `existing` is a record) and the
 * replica budget. `topicId` and `nowMs` are the caller's (a UUID and the clock).
 */
export function planNewTopic(
  cmd: CreateTopicCommand,
  existing: TopicRecord | undefined,
  placement: Placement,
  topicId: string,
  nowMs: number,
): TopicPlan {
  const config = checkNewTopic(cmd, existing);
  const rf = cmd.replicationFactor;
  const assignment = assignReplicas(placement.brokers, cmd.partitions, rf, placement.startIndex);
  checkReplicaBudget(placement.existing, assignment, placement.maxReplicasPerBroker, `creating topic "${cmd.name}"`);
  const record: TopicRecord = { name: cmd.name, topicId, partitions: cmd.partitions, replicationFactor: rf, config, createdAtMs: nowMs };
  return { record, partitions: newPartitions(cmd.name, 0, assignment, placement) };
}

/** The checks of CreatePartitions that need no placement: not internal, known, a larger count. Returns the record. */
export function checkMorePartitions(cmd: CreatePartitionsCommand, record: TopicRecord | undefined): TopicRecord {
  assertNotInternalTopic(cmd.name, 'given more partitions (every consumer group would move to another partition)');
  if (!record) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${cmd.name}" does not exist`);
  const total = cmd.totalPartitions;
  validatePartitionCount(total);
  if (total <= record.partitions) {
    throw new SamsaError(
      'INVALID_PARTITIONS',
      `topic "${cmd.name}" has ${record.partitions} partitions; the new count must be larger (partitions are never removed: keyed records would move)`,
    );
  }
  return record;
}

/**
 * More partitions: the record with the new count and the added partitions' first states, placed
 * as if the topic had been created with the new count, after checkMorePartitions' checks.
 */
export function planMorePartitions(cmd: CreatePartitionsCommand, current: TopicRecord | undefined, placement: Placement): TopicPlan {
  const record = checkMorePartitions(cmd, current);
  const total = cmd.totalPartitions;
  const assignment = assignReplicas(placement.brokers, total, record.replicationFactor, placement.startIndex).slice(record.partitions);
  checkReplicaBudget(placement.existing, assignment, placement.maxReplicasPerBroker, `adding partitions to topic "${cmd.name}"`);
  return { record: { ...record, partitions: total }, partitions: newPartitions(cmd.name, record.partitions, assignment, placement) };
}

/** `record` with `cmd.changes` applied over its config and the result checked; refused for internal and unknown topics. */
export function planConfigChange(cmd: AlterTopicConfigCommand, record: TopicRecord | undefined): TopicRecord {
  assertNotInternalTopic(cmd.name, 'reconfigured by clients (its retention and cleanup policy keep committed offsets)');
  if (!record) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${cmd.name}" does not exist`);
  const changes = Object.fromEntries(Object.entries(cmd.changes).filter(([, v]) => v !== undefined && v !== null)) as TopicConfigRequest;
  if (Object.keys(changes).length === 0) throw new SamsaError('INVALID_CONFIG', 'no config value to change was given');
  return { ...record, config: resolveTopicConfig({ ...record.config, ...changes }, record.replicationFactor) };
}

/** Refused for internal and unknown topics; the record to delete otherwise. */
export function planDeletion(name: string, record: TopicRecord | undefined): TopicRecord {
  assertNotInternalTopic(name, "deleted (that would wipe every consumer group's committed offsets)");
  if (!record) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${name}" does not exist`);
  return record;
}
