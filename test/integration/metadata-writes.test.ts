/**
 * Batched metadata writes against a real etcd (issue 18.4): the leaders' ISR changes go to etcd
 * many partitions per transaction (libs/cluster alterIsrs), each still fenced on its own record,
 * so a burst of P changes costs ceil(P / 100) revisions instead of P, and a change whose record
 * moved on is refused alone while the rest of its transaction commits.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { alterIsrs, connectEtcd, MetadataKeys, type PartitionState } from '../../libs/cluster/index.js';
import { startEtcd, uniqueName } from '../harness/cluster.js';

const etcdProcess = await startEtcd('metadata-writes');
const etcd = connectEtcd([etcdProcess.endpoint]);
afterAll(() => etcd.close());

const revision = async (): Promise<bigint> => BigInt((await etcd.get('/none').exec()).header.revision);

describe('alterIsrs', () => {
  it('writes 150 ISR changes in two transactions; a record changed meanwhile is refused alone, one re-serialized is rebased', async () => {
    const keys = new MetadataKeys(uniqueName('isr'));
    const topic = 't';
    const states: PartitionState[] = Array.from({ length: 150 }, (_, partition) => ({
      topic,
      partition,
      leader: 1,
      leaderEpoch: 0,
      leaderBrokerEpoch: 10,
      partitionEpoch: 0,
      replicas: [1, 2, 3],
      isr: [1],
    }));
    for (const s of states) await etcd.put(keys.partition(topic, s.partition)).value(JSON.stringify(s));
    // Partition 7: the controller moved it on (a new partition epoch): the leader's change is stale.
    const moved: PartitionState = { ...states[7]!, isr: [1, 2], partitionEpoch: 1 };
    await etcd.put(keys.partition(topic, 7)).value(JSON.stringify(moved));
    // Partition 8: the same record in other bytes (keys in another order): the fence holds.
    const { isr, ...rest } = states[8]!;
    await etcd.put(keys.partition(topic, 8)).value(JSON.stringify({ isr, ...rest }));

    const before = await revision();
    const results = await alterIsrs(
      etcd,
      keys,
      states.map((expected) => ({ expected, isr: [1, 2, 3], minInsyncReplicas: 2 })),
    );
    // Chunk one (0-99) was refused once and sent again without partition 7; chunk two committed at once.
    expect((await revision()) - before).toBe(2n);
    expect(results.map((r) => r.kind).filter((k) => k === 'stale')).toHaveLength(1);
    expect(results[7]).toEqual({ kind: 'stale', current: moved });

    const stored = new Map(Object.entries(await etcd.getAll().prefix(keys.partitionsOf(topic)).strings()));
    for (const s of states) {
      const got = JSON.parse(stored.get(keys.partition(topic, s.partition))!) as PartitionState;
      if (s.partition === 7) expect(got).toEqual(moved);
      else {
        expect(got).toEqual({ ...s, isr: [1, 2, 3], partitionEpoch: 1 });
        expect(results[s.partition]).toEqual({ kind: 'committed', state: got });
      }
    }
  });

  it('refuses two changes of one partition in one batch', async () => {
    const keys = new MetadataKeys(uniqueName('isr'));
    const state: PartitionState = { topic: 't', partition: 0, leader: 1, leaderEpoch: 0, partitionEpoch: 0, replicas: [1, 2], isr: [1] };
    await expect(
      alterIsrs(etcd, keys, [
        { expected: state, isr: [1, 2], minInsyncReplicas: 1 },
        { expected: state, isr: [1], minInsyncReplicas: 1 },
      ]),
    ).rejects.toThrow(/two ISR changes for t-0/);
  });
});
