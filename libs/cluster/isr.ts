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
import type { Etcd3, IKeyValue } from 'etcd3';
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

/** One leader's ISR change for one partition, as alterIsrs takes them. */
export interface IsrChange {
  /** The record the leader acted on. */
  expected: PartitionState;
  isr: readonly number[];
  minInsyncReplicas: number;
}

/**
 * Most ISR changes one transaction carries: a compare and a put each, under etcd's default
 * --max-txn-ops of 128 (the create's partition batches use the same bound).
 */
export const MAX_ISR_CHANGES_PER_TXN = 100;

/** Rounds of re-checking a batch after a concurrent write refused it; what is left is reported stale. */
const BATCH_ROUNDS = 3;

/**
 * Several ISR changes in as few etcd transactions as possible (one per MAX_ISR_CHANGES_PER_TXN),
 * each change fenced on its partition record: it commits only if the stored record still has the
 * expected leader, leader epoch and partition epoch. A transaction is all or nothing, so when a
 * concurrent write (an election, another ISR change) refused it, its failure branch reads every key
 * back: the changes whose record moved on are reported stale and the rest are sent again, guarded
 * on the records just read (at most BATCH_ROUNDS rounds). One write per burst instead of one per
 * partition: at 3,000 partitions the leaders' ~6,000 single ISR writes after a create or a restart
 * held etcd's commit path long enough for every broker to lose its 3 s lease (docs/scaling.md).
 * Results come back in the order of `changes`.
 */
export async function alterIsrs(etcd: Etcd3, keys: MetadataKeys, changes: readonly IsrChange[]): Promise<IsrChangeResult[]> {
  const seen = new Set<string>();
  for (const c of changes) {
    validateIsr(c.expected, c.isr);
    const key = keys.partition(c.expected.topic, c.expected.partition);
    // etcd refuses a transaction that puts one key twice; one change per partition is the caller's rule.
    if (seen.has(key)) throw new Error(`two ISR changes for ${c.expected.topic}-${c.expected.partition} in one batch`);
    seen.add(key);
  }
  const results: IsrChangeResult[] = new Array<IsrChangeResult>(changes.length);
  for (let start = 0; start < changes.length; start += MAX_ISR_CHANGES_PER_TXN) {
    const slice = changes.slice(start, start + MAX_ISR_CHANGES_PER_TXN);
    const out = await alterIsrBatch(etcd, keys, slice);
    out.forEach((r, i) => (results[start + i] = r));
  }
  return results;
}

/** Whether `current` is still the record `expected` was taken from, as far as an ISR change cares. */
function sameFence(current: PartitionState, expected: PartitionState): boolean {
  return (
    current.leader === expected.leader && current.leaderEpoch === expected.leaderEpoch && current.partitionEpoch === expected.partitionEpoch
  );
}

async function alterIsrBatch(etcd: Etcd3, keys: MetadataKeys, changes: readonly IsrChange[]): Promise<IsrChangeResult[]> {
  const results: (IsrChangeResult | undefined)[] = changes.map(() => undefined);
  // The guard of each change: the exact stored bytes it is based on. First the record the leader
  // acted on (every writer stores JSON.stringify of the record, and the leader holds what it read
  // or wrote); after a refusal, the bytes read back.
  const based = changes.map((c) => ({ raw: JSON.stringify(c.expected), state: c.expected }));
  for (let round = 0; round < BATCH_ROUNDS; round++) {
    const open = changes.map((_, i) => i).filter((i) => results[i] === undefined);
    if (open.length === 0) break;
    const key = (i: number): string => keys.partition(changes[i]!.expected.topic, changes[i]!.expected.partition);
    const next = open.map((i) => ({
      ...withIsr(based[i]!.state, changes[i]!.isr, changes[i]!.minInsyncReplicas),
      partitionEpoch: based[i]!.state.partitionEpoch + 1,
    }));
    let txn = etcd.if(key(open[0]!), 'Value', '==', based[open[0]!]!.raw);
    for (const i of open.slice(1)) txn = txn.and(key(i), 'Value', '==', based[i]!.raw);
    const res = await txn
      .then(...open.map((i, n) => etcd.put(key(i)).value(JSON.stringify(next[n]))))
      .else(...open.map((i) => etcd.get(key(i))))
      .commit();
    if (res.succeeded) {
      open.forEach((i, n) => (results[i] = { kind: 'committed', state: next[n]! }));
      break;
    }
    open.forEach((i, n) => {
      const kv: IKeyValue | undefined = res.responses[n]?.response_range?.kvs[0];
      const raw = kv?.value.toString();
      const current = raw === undefined ? undefined : (JSON.parse(raw) as PartitionState);
      if (raw === undefined || !current || !sameFence(current, changes[i]!.expected)) results[i] = { kind: 'stale', current };
      else if (raw !== based[i]!.raw) based[i] = { raw, state: current };
      // else: this record is unchanged; another one refused the transaction, send it again.
    });
  }
  return results.map((r) => r ?? { kind: 'stale', current: undefined });
}
