/**
 * ISR changes, written by the partition's leader broker (docs/adr/0007-isr-changes-by-the-leader.md).
 *
 * The leader is the one that knows which followers keep up, so it proposes the new ISR; the write
 * is an etcd compare-and-swap on the partition record, fenced on what the leader acted on: it
 * commits only if the record still names this broker as leader in the same leader epoch and the
 * same partition epoch, and nothing else touched the key since it was read. The controller's own
 * writes to partition records (leader elections) are compare-and-swaps too, so neither side can
 * lose the other's change: the loser re-reads and decides again. A zombie leader (paused, then
 * woken after a new election) fails the fence and changes nothing.
 */
import type { Etcd3 } from 'etcd3';
import type { MetadataKeys, PartitionState } from './metadata.js';
import { withIsr } from './partition-state-machine.js';

export type IsrChangeResult =
  | { kind: 'committed'; state: PartitionState }
  /** The record moved on (new leader, epoch or ISR) or is gone: re-read the metadata and decide again. */
  | { kind: 'stale'; current: PartitionState | undefined };

/** Checks that `isr` is a legal ISR for `state`: non-empty, replicas only, the leader included. */
export function validateIsr(state: PartitionState, isr: readonly number[]): void {
  if (isr.length === 0) throw new Error(`ISR of ${state.topic}-${state.partition} would be empty`);
  if (!isr.includes(state.leader))
    throw new Error(`ISR [${isr.join(', ')}] of ${state.topic}-${state.partition} leaves out its leader ${state.leader}`);
  const stray = isr.filter((id) => !state.replicas.includes(id));
  if (stray.length > 0) throw new Error(`ISR of ${state.topic}-${state.partition} names non-replicas [${stray.join(', ')}]`);
  if (new Set(isr).size !== isr.length) throw new Error(`ISR [${isr.join(', ')}] of ${state.topic}-${state.partition} repeats a broker`);
}

/**
 * Writes `isr` for the partition `expected` describes, iff the stored record still has the same
 * leader, leader epoch and partition epoch. Bumps the partition epoch.
 */
/**
 * Writes ISR `isr` for the partition `expected` describes, with the ELR that follows from it under
 * `minInsyncReplicas` (KIP-966, partition-state-machine.ts: members leaving an ISR that falls below
 * it stay eligible; an ISR back at it empties the ELR).
 */
export async function alterIsr(
  etcd: Etcd3,
  keys: MetadataKeys,
  expected: PartitionState,
  isr: readonly number[],
  minInsyncReplicas: number,
): Promise<IsrChangeResult> {
  validateIsr(expected, isr);
  const key = keys.partition(expected.topic, expected.partition);
  const res = await etcd.get(key).exec();
  const kv = res.kvs[0];
  const current = kv ? (JSON.parse(kv.value.toString()) as PartitionState) : undefined;
  if (
    !kv ||
    !current ||
    current.leader !== expected.leader ||
    current.leaderEpoch !== expected.leaderEpoch ||
    current.partitionEpoch !== expected.partitionEpoch
  ) {
    return { kind: 'stale', current };
  }
  const next: PartitionState = { ...withIsr(current, isr, minInsyncReplicas), partitionEpoch: current.partitionEpoch + 1 };
  const txn = await etcd
    .if(key, 'Mod', '==', kv.mod_revision)
    .then(etcd.put(key).value(JSON.stringify(next)))
    .commit();
  return txn.succeeded ? { kind: 'committed', state: next } : { kind: 'stale', current: undefined };
}
