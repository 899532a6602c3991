/**
 * Every version of a topic's partition records in etcd, as the test process sees them (a watch on
 * /partitions/<topic>/ from the state at start), with the time each arrived: how many ISR changes
 * a fault caused, and when a new leader epoch was published. Times are the test process's clock,
 * comparable with the load's attempt times. Owner: the test; close() ends the watch and the client.
 */
import type { Etcd3, Watcher } from 'etcd3';
import { connectEtcd, MetadataKeys, type PartitionState } from '../../../libs/cluster/index.js';
import { sameSet } from './fault-cluster.js';

export interface PartitionVersion {
  atMs: number;
  partition: number;
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
  isr: number[];
}

export interface IsrChange {
  atMs: number;
  partition: number;
  from: number[];
  to: number[];
}

export class PartitionWatch {
  readonly versions: PartitionVersion[] = [];

  private constructor(
    private readonly etcd: Etcd3,
    private readonly watcher: Watcher,
  ) {}

  static async start(etcdEndpoint: string, clusterId: string, topic: string): Promise<PartitionWatch> {
    const etcd = connectEtcd([etcdEndpoint]);
    try {
      const prefix = `${new MetadataKeys(clusterId).root}/partitions/${topic}/`;
      const initial = await etcd.getAll().prefix(prefix).exec();
      const watcher = await etcd
        .watch()
        .prefix(prefix)
        .startRevision(String(Number(initial.header.revision) + 1))
        .create();
      const w = new PartitionWatch(etcd, watcher);
      for (const kv of initial.kvs) w.add(kv.value.toString());
      watcher.on('put', (kv) => w.add(kv.value.toString()));
      return w;
    } catch (err) {
      etcd.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.watcher.cancel().catch(() => undefined);
    this.etcd.close();
  }

  /** ISR changes (a version whose ISR differs from the partition's previous one) with fromMs <= atMs < toMs. */
  isrChanges(fromMs: number, toMs = Number.POSITIVE_INFINITY): IsrChange[] {
    const last = new Map<number, number[]>();
    const out: IsrChange[] = [];
    for (const v of this.versions) {
      const before = last.get(v.partition);
      last.set(v.partition, v.isr);
      if (before && !sameSet(before, v.isr) && v.atMs >= fromMs && v.atMs < toMs)
        out.push({ atMs: v.atMs, partition: v.partition, from: before, to: v.isr });
    }
    return out;
  }

  /** When a version of `partition` with a leader epoch above `epoch` was first seen; undefined if none yet. */
  newEpochAt(partition: number, epoch: number): number | undefined {
    return this.versions.find((v) => v.partition === partition && v.leaderEpoch > epoch)?.atMs;
  }

  private add(json: string): void {
    const s = JSON.parse(json) as PartitionState;
    this.versions.push({
      atMs: Date.now(),
      partition: s.partition,
      leader: s.leader,
      leaderEpoch: s.leaderEpoch,
      partitionEpoch: s.partitionEpoch,
      isr: [...s.isr].sort((a, b) => a - b),
    });
  }
}

/** "p0 [1,2,3]->[1]@+10.2s" for a summary line. */
export function describeChanges(changes: readonly IsrChange[], sinceMs: number): string {
  return (
    changes
      .map((c) => `p${c.partition} [${c.from.join(',')}]->[${c.to.join(',')}]@+${((c.atMs - sinceMs) / 1000).toFixed(1)}s`)
      .join(' ') || 'none'
  );
}
