/**
 * The per-broker replica budget: the most partition replicas one broker is asked to host
 * (SAMSA_MAX_REPLICAS_PER_BROKER on the controller; the number is explained in
 * docs/adr/0014-replica-budget-per-broker.md). The controller checks it before it writes a topic
 * creation or partition increase, so the cluster refuses up front what its brokers could not hold,
 * instead of accepting it and failing later on the brokers (issue 18: one valid CreateTopic of
 * 10,000 partitions exhausted every broker's descriptors and took the whole cluster down).
 *
 * Pure: counts from the metadata it is given; no clock, no I/O.
 */
import { SamsaError } from '../errors/index.js';
import type { PartitionState, TopicRecord } from './metadata.js';

/**
 * Kafka's long-standing guidance per broker (about 4,000 partition replicas); see the ADR. With
 * one active segment per replica that is 12,000 log files, inside the broker's default log file
 * pool (SAMSA_MAX_OPEN_LOG_FILES = 16,384), so a broker whose every partition is busy does not
 * churn its descriptors.
 */
export const DEFAULT_MAX_REPLICAS_PER_BROKER = 4_000;

/** What the check reads from the cluster metadata (ClusterView satisfies it). */
export interface ReplicaCountSource {
  topics(): Iterable<TopicRecord>;
  partitions(topic: string): Iterable<PartitionState>;
}

/** Partition replicas each broker hosts now, by broker id (brokers hosting none are absent). */
export function replicasPerBroker(view: ReplicaCountSource): Map<number, number> {
  const counts = new Map<number, number>();
  for (const topic of view.topics()) {
    for (const state of view.partitions(topic.name)) {
      for (const id of state.replicas) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * Throws POLICY_VIOLATION (FAILED_PRECONDITION) when adding the replica sets in `added` (one per
 * new partition, as placement made them) to what `view` already assigns would make any broker host
 * more than `maxReplicasPerBroker` replicas. The message names the broker that would go over
 * the most, its count before and after, the budget and the ways out. `what` names the request in
 * the message, e.g. 'creating topic "t"'.
 */
export function checkReplicaBudget(
  view: ReplicaCountSource,
  added: readonly (readonly number[])[],
  maxReplicasPerBroker: number,
  what: string,
): void {
  const adding = new Map<number, number>();
  for (const replicas of added) for (const id of replicas) adding.set(id, (adding.get(id) ?? 0) + 1);
  if (adding.size === 0) return;
  const existing = replicasPerBroker(view);
  let worst: { id: number; before: number; after: number } | undefined;
  for (const [id, n] of adding) {
    const before = existing.get(id) ?? 0;
    const after = before + n;
    if (after > maxReplicasPerBroker && (!worst || after > worst.after)) worst = { id, before, after };
  }
  if (!worst) return;
  throw new SamsaError(
    'POLICY_VIOLATION',
    `${what} would put ${worst.after} partition replicas on broker ${worst.id} (it hosts ${worst.before} now); ` +
      `a broker hosts at most ${maxReplicasPerBroker} (SAMSA_MAX_REPLICAS_PER_BROKER on the controller). ` +
      'Use fewer partitions or a lower replication factor, add brokers, or raise the budget',
    {
      details: {
        'broker-id': String(worst.id),
        'replicas-after': String(worst.after),
        'max-replicas-per-broker': String(maxReplicasPerBroker),
      },
    },
  );
}
