/**
 * Replica placement for new partitions, as Kafka's rack-unaware assignment: partition p's leader is
 * broker (start + p) mod n, so leaders spread round-robin; followers follow at a shift that grows
 * every n partitions, so replica sets differ too. Pure function.
 */
import { SamsaError } from '../errors/index.js';

/**
 * Returns, for each partition, its replicas (preferred leader first), all distinct live brokers.
 * `startIndex` rotates where the round-robin begins (the controller picks it at random so that
 * many small topics do not all lead on the first broker).
 */
export function assignReplicas(
  liveBrokerIds: readonly number[],
  partitions: number,
  replicationFactor: number,
  startIndex = 0,
): number[][] {
  const brokers = [...liveBrokerIds].sort((a, b) => a - b);
  const n = brokers.length;
  if (replicationFactor < 1)
    throw new SamsaError('INVALID_REPLICATION_FACTOR', `replication factor must be at least 1, got ${replicationFactor}`);
  if (replicationFactor > n) {
    throw new SamsaError(
      'NOT_ENOUGH_BROKERS',
      `replication factor ${replicationFactor} needs ${replicationFactor} live brokers, only ${n} ${n === 1 ? 'is' : 'are'} up`,
    );
  }
  const start = ((startIndex % n) + n) % n;
  const out: number[][] = [];
  let shift = n > 1 ? start % (n - 1) : 0;
  for (let p = 0; p < partitions; p++) {
    if (p > 0 && p % n === 0 && n > 1) shift = (shift + 1) % (n - 1);
    const first = (start + p) % n;
    const replicas = [brokers[first] as number];
    for (let r = 1; r < replicationFactor; r++) {
      // Kafka's replicaIndex: followers at 1 + (shift + r - 1) % (n - 1) after the leader, never the leader itself.
      const offset = 1 + ((shift + r - 1) % (n - 1));
      replicas.push(brokers[(first + offset) % n] as number);
    }
    out.push(replicas);
  }
  return out;
}
