/**
 * What the controller is asked to do, in Samsa's own words (no proto): the service's handlers
 * turn requests into these, and turn a TopicOutcome back into a response.
 */
import type { PartitionState, TopicConfigRequest, TopicRecord } from '../cluster/index.js';

export interface CreateTopicCommand {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Unset values take the defaults (libs/cluster resolveTopicConfig). */
  readonly config?: TopicConfigRequest | null;
  /** Check and plan only: nothing is written. */
  readonly validateOnly?: boolean;
}

export interface CreatePartitionsCommand {
  readonly name: string;
  /** The new total; must be larger than today's count (partitions are never removed). */
  readonly totalPartitions: number;
  readonly validateOnly?: boolean;
}

export interface AlterTopicConfigCommand {
  readonly name: string;
  /** Only the values to change; at least one. */
  readonly changes: TopicConfigRequest;
  readonly validateOnly?: boolean;
}

/**
 * A topic as a command left it: its record and its partitions' states. For a validate-only
 * create, the planned ones (topicId empty, nothing written).
 */
export interface TopicOutcome {
  readonly record: TopicRecord;
  readonly partitions: readonly PartitionState[];
}
