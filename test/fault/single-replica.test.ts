/**
 * The fault harness held to a cluster without replication: replication factor 1, so a partition's
 * only replica lives on one broker. kill -9 that broker under acks=all load and restart it: its
 * log is recovered from disk, the controller gives it the partition back with a new epoch, and
 * nothing that was acknowledged is lost, duplicated or moved. This checks the load producer and
 * the checker themselves (an acknowledged record has one place; the read-back and the on-disk
 * comparison find it there), and stays as the single-replica baseline.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FaultCluster } from './harness/fault-cluster.js';
import { Scenario } from './harness/scenario.js';

afterAll(() => FaultCluster.stopAll());

describe('replication factor 1', () => {
  it('kill -9 the only broker of a partition under acks=all load, restart it: nothing acknowledged is lost', async () => {
    const s = await Scenario.start({
      name: 'rf1-kill9',
      partitions: 2,
      replicationFactor: 1,
      minInsyncReplicas: 1,
      cluster: { brokers: 2 },
    });
    const victimPartition = 0;
    const victim = s.initial[victimPartition]?.leaderId as number;
    await s.startLoad();

    s.mark(`kill -9 broker ${victim}`, [victimPartition]);
    await s.cluster.broker(victim).kill9();
    // The partition is offline while its only replica is down; the others keep taking writes.
    const others = s.initial.filter((p) => p.leaderId !== victim).map((p) => p.partition);
    if (others.length > 0) await s.load.waitForMoreAcks(100, 20_000, 'writes to partitions the dead broker does not lead');

    s.mark(`restart broker ${victim}`, [victimPartition]);
    await s.cluster.broker(victim).start();
    // Waited for, not read once: right after the restart the metadata may still show the partition
    // as before the kill (the controller sees the departure and the return together once the old
    // lease has expired), which is the old leader with the old epoch.
    const initialEpoch = s.initial[victimPartition]?.leaderEpoch as number;
    const back = await s.cluster.waitForPartitions(
      s.topic,
      (p) => p.leaderId >= 0 && (p.partition !== victimPartition || p.leaderEpoch > initialEpoch),
      30_000,
      "every partition led again, the restarted broker's under a new epoch",
    );
    expect(back[victimPartition]?.leaderId).toBe(victim);
    expect(back[victimPartition]?.leaderEpoch).toBeGreaterThan(initialEpoch);
    await s.load.waitForMoreAcks(50, 20_000, "writes to the restarted broker's partition", victimPartition);

    await s.finish();
  });
});
