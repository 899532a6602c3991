/**
 * The per-broker replica budget the controller checks before creating a topic or adding
 * partitions: refused exactly when some broker would go over, with POLICY_VIOLATION
 * (FAILED_PRECONDITION) and a message naming the broker and the budget.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as grpc from '@grpc/grpc-js';
import { hasReason, SamsaError } from '../../../libs/errors/index.js';
import { toGrpcStatus } from '../../../libs/rpc/index.js';
import {
  assignReplicas,
  checkReplicaBudget,
  replicasPerBroker,
  type ReplicaCountSource,
  type TopicRecord,
} from '../../../libs/cluster/index.js';

/** A metadata view holding the given topics, each a list of replica sets. */
function viewOf(topics: Record<string, number[][]>): ReplicaCountSource {
  const record = (name: string, n: number): TopicRecord =>
    ({ name, topicId: name, partitions: n, replicationFactor: 1, createdAtMs: 0, config: {} }) as unknown as TopicRecord;
  return {
    topics: () => Object.entries(topics).map(([name, sets]) => record(name, sets.length)),
    partitions: (name) =>
      (topics[name] ?? []).map((replicas, partition) => ({
        topic: name,
        partition,
        leader: replicas[0] ?? -1,
        leaderEpoch: 0,
        partitionEpoch: 0,
        replicas,
        isr: replicas,
      })),
  };
}

describe('checkReplicaBudget', () => {
  it('property: refuses exactly when existing plus new replicas on some broker exceed the budget', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 80 }),
        (brokerCount, existingPartitions, newPartitions, rfWanted, budget) => {
          const brokers = Array.from({ length: brokerCount }, (_, i) => i + 1);
          const rf = Math.min(rfWanted, brokerCount);
          const view = viewOf({ old: assignReplicas(brokers, Math.max(1, existingPartitions), rf, 0).slice(0, existingPartitions) });
          const added = assignReplicas(brokers, newPartitions, rf, 1);
          const totals = replicasPerBroker(view);
          for (const set of added) for (const id of set) totals.set(id, (totals.get(id) ?? 0) + 1);
          const over = [...totals.values()].some((n) => n > budget);
          let refused: unknown;
          try {
            checkReplicaBudget(view, added, budget, 'creating topic "t"');
          } catch (err) {
            refused = err;
          }
          expect(refused !== undefined).toBe(over);
          if (refused) expect(hasReason(refused, 'POLICY_VIOLATION')).toBe(true);
        },
      ),
    );
  });

  it('the issue-18 request (10,000 partitions, RF 3, 3 brokers) is refused with a clear FAILED_PRECONDITION', () => {
    const added = assignReplicas([1, 2, 3], 10_000, 3, 0);
    let err: unknown;
    try {
      checkReplicaBudget(viewOf({}), added, 4000, 'creating topic "t10k"');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SamsaError);
    const e = err as SamsaError;
    expect(e.reason).toBe('POLICY_VIOLATION');
    expect(e.retriable).toBe(false);
    expect(e.message).toMatch(
      /creating topic "t10k" would put 10000 partition replicas on broker \d \(it hosts 0 now\); a broker hosts at most 4000 \(SAMSA_MAX_REPLICAS_PER_BROKER/,
    );
    expect(e.details['max-replicas-per-broker']).toBe('4000');
    expect(toGrpcStatus(e).code).toBe(grpc.status.FAILED_PRECONDITION);
  });

  it('counts replicas already hosted: a small increase on a nearly full broker is refused, the same on an empty one is not', () => {
    const full = viewOf({ big: Array.from({ length: 99 }, () => [1]) });
    expect(() => checkReplicaBudget(full, [[1], [1]], 100, 'adding partitions to topic "big"')).toThrow(
      /101 partition replicas on broker 1 \(it hosts 99 now\)/,
    );
    expect(() => checkReplicaBudget(full, [[2], [2]], 100, 'creating topic "x"')).not.toThrow();
    expect(() => checkReplicaBudget(full, [[1]], 100, 'creating topic "x"')).not.toThrow();
  });
});
