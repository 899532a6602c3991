/**
 * A restart inside the lease, made independent of how fast a process starts: a killed broker's
 * registration lease is kept alive from outside (LeaseKeepAlive on its lease id, as the dead process
 * would have) until its new process is up, then let go, so it expires one TTL later as a real
 * lease of a dead process does. From etcd's and the controller's point of view the kill and the
 * restart then happen as on a fast machine with a supervisor restarting at once: the new process
 * opens its partitions while the old incarnation is still registered. Without it, a broker that
 * takes 10-14 s to start on a loaded 2-core machine came up after its old lease had expired, and
 * the scenario tested an ordinary late restart.
 *
 * A lease the new process revokes or replaces (a fenced restart may do that) only makes the
 * keepalives fail; they are ignored.
 */
import type { Etcd3 } from 'etcd3';
import { connectEtcd, MetadataKeys } from '../../../libs/cluster/index.js';
import type { FaultCluster } from './fault-cluster.js';

export class LeaseHolder {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Keepalives etcd answered with a live lease (TTL > 0). */
  kept = 0;

  private constructor(
    private readonly etcd: Etcd3,
    /** The lease id of the registration, as etcd names it. */
    readonly leaseId: string,
  ) {}

  /**
   * The lease of broker `brokerId`'s registration, read now (call it before the kill); undefined
   * when the broker is not registered.
   */
  static async of(cluster: FaultCluster, brokerId: number): Promise<LeaseHolder | undefined> {
    const etcd = connectEtcd([cluster.local.etcd.endpoint]);
    const res = await etcd.get(new MetadataKeys(cluster.local.clusterId).broker(brokerId)).exec();
    const lease = res.kvs[0]?.lease;
    if (!lease || lease === '0') {
      etcd.close();
      return undefined;
    }
    return new LeaseHolder(etcd, String(lease));
  }

  /** Starts keeping the lease alive, once every `everyMs`, until release(). */
  async hold(everyMs = 500): Promise<void> {
    const stream = await this.etcd.leaseClient.leaseKeepAlive();
    stream.on('data', (res: { TTL?: string | number }) => {
      if (Number(res.TTL ?? 0) > 0) this.kept++;
    });
    stream.on('error', () => undefined);
    const beat = (): void => {
      if (this.closed) return;
      try {
        stream.write({ ID: this.leaseId });
      } catch {
        // the stream broke: the lease then simply expires
      }
    };
    beat();
    this.timer = setInterval(beat, everyMs);
    this.release = (): void => {
      this.stopBeating();
      stream.end();
      this.etcd.close();
    };
  }

  /** Stops keeping it alive: it expires one TTL after the last keepalive. Idempotent. */
  release(): void {
    this.stopBeating();
    this.etcd.close();
  }

  private stopBeating(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
