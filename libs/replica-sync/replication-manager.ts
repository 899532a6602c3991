/**
 * Replication on one broker, both roles:
 * - as follower: one LeaderFetcher (one Replicate stream) per leader broker, fed the partitions
 *   this broker follows there. Re-planned on every metadata change and on a short tick (a
 *   partition's log opens asynchronously after the metadata names it);
 * - as leader: every `isrCheckMs`, each led partition proposes its ISR (lagging followers out,
 *   caught-up replicas in: Partition.proposeIsr) and the tick's changes are written to etcd
 *   together, each fenced on its partition record (alterIsrs: one transaction per 100). One
 *   write per partition at a time; a refused change is simply re-decided on the next tick
 *   against the newer metadata.
 */
import type { Etcd3 } from 'etcd3';
import { alterIsrs, type ClusterView, type IsrChange, type MetadataKeys } from '../cluster/index.js';
import type { Partition, ReplicaManager } from '../replica/index.js';
import { withSpan, type Logger } from '../telemetry/index.js';
import type { RpcLimits } from '../rpc/index.js';
import { LeaderFetcher, keyOf } from './leader-fetcher.js';
import { ReassignmentThrottle } from './reassignment-throttle.js';

export interface ReplicationManagerOptions {
  brokerId: number;
  replicas: ReplicaManager;
  view: ClusterView;
  etcd: Etcd3;
  keys: MetadataKeys;
  logger: Logger;
  limits: RpcLimits;
  /** replica.lag.time.max.ms: a follower not caught up for this long leaves the ISR. */
  lagTimeMaxMs: number;
  fetchMaxBytes: number;
  fetchMaxWaitMs: number;
  /** Told each ISR change this broker committed as leader (metrics: ISR shrinks and expands). */
  onIsrChanged?(topic: string, partition: number, before: number, after: number): void;
}

/** How often fetcher assignments are re-planned even without a metadata change. */
const PLAN_TICK_MS = 250;

export class ReplicationManager {
  private readonly fetchers = new Map<number, LeaderFetcher>();
  /** The follower throttle of replicas reassignments are adding here, shared by every fetcher. */
  readonly reassignmentThrottle = new ReassignmentThrottle();
  private readonly isrInFlight = new Set<string>();
  private readonly isrWrites = new Set<Promise<void>>();
  private readonly planTimer: NodeJS.Timeout;
  private readonly isrTimer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private planImmediate: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(private readonly options: ReplicationManagerOptions) {
    // One plan per burst of changes, not one per change: plan() walks every hosted partition, and
    // a topic of P partitions arrives as P watch events at once (P x P work: at 3,000 partitions
    // the event loop stalled past the 3 s lease TTL and every broker lost its registration).
    this.unsubscribe = options.view.onChange((change) => {
      if (change.kind !== 'controller') this.schedulePlan();
    });
    this.planTimer = setInterval(() => this.plan(), PLAN_TICK_MS);
    this.isrTimer = setInterval(() => this.checkIsr(), Math.max(100, Math.min(1000, Math.floor(options.lagTimeMaxMs / 4))));
    this.plan();
  }

  /** Open replication streams (one per leader broker followed). */
  get streamCount(): number {
    return this.fetchers.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    if (this.planImmediate) clearImmediate(this.planImmediate);
    clearInterval(this.planTimer);
    clearInterval(this.isrTimer);
    await Promise.all([...this.fetchers.values()].map((f) => f.close()));
    this.fetchers.clear();
    await Promise.all([...this.isrWrites]);
  }

  /** plan() once the changes being delivered now have all been applied. */
  private schedulePlan(): void {
    if (this.planImmediate || this.closed) return;
    this.planImmediate = setImmediate(() => {
      this.planImmediate = undefined;
      this.plan();
    });
  }

  /**
   * Assigns every followed partition to the fetcher of its leader; closes idle fetchers. Nothing
   * is fetched until the controller has admitted this process's incarnation (it has then taken
   * this broker out of every ISR it was in before the restart and moved leadership on).
   */
  private plan(): void {
    if (this.closed) return;
    const byLeader = new Map<number, Partition[]>();
    const admitted =
      this.options.replicas.brokerEpoch !== undefined &&
      this.options.view.admission(this.options.brokerId)?.brokerEpoch === this.options.replicas.brokerEpoch;
    for (const p of admitted ? this.options.replicas.partitions() : []) {
      if (p.closed || p.role !== 'follower' || p.leaderId < 0 || p.leaderId === this.options.brokerId) continue;
      const list = byLeader.get(p.leaderId) ?? [];
      list.push(p);
      byLeader.set(p.leaderId, list);
    }
    for (const [leaderId, fetcher] of [...this.fetchers]) {
      if (byLeader.has(leaderId)) continue;
      this.fetchers.delete(leaderId);
      fetcher.close().catch((err: unknown) => this.options.logger.warn({ err, leader: leaderId }, 'closing a replication fetcher failed'));
    }
    for (const [leaderId, partitions] of byLeader) {
      let fetcher = this.fetchers.get(leaderId);
      if (!fetcher) {
        fetcher = new LeaderFetcher(leaderId, {
          brokerId: this.options.brokerId,
          maxBytes: this.options.fetchMaxBytes,
          maxWaitMs: this.options.fetchMaxWaitMs,
          limits: this.options.limits,
          logger: this.options.logger.child({ leader: leaderId }),
          addressOf: (id) => {
            const b = this.options.view.broker(id);
            return b ? `${b.host}:${b.port}` : undefined;
          },
          // Our own from the process itself (the view may still show a predecessor's registration).
          brokerEpochOf: (id) =>
            id === this.options.brokerId ? this.options.replicas.brokerEpoch : this.options.view.broker(id)?.brokerEpoch,
          throttle: this.reassignmentThrottle,
        });
        this.fetchers.set(leaderId, fetcher);
        this.options.logger.info({ leader: leaderId, partitions: partitions.length }, 'replicating from leader broker');
      }
      fetcher.setPartitions(partitions);
    }
  }

  private checkIsr(): void {
    if (this.closed) return;
    const { view } = this.options;
    // A broker in controlled shutdown is not added back to an ISR: the controller just took it out
    // so that no acks=all write waits for it once it stops.
    const admittedEpochOf = (id: number): number | undefined =>
      view.isAdmitted(id) && !view.isShuttingDown(id) ? view.broker(id)?.brokerEpoch : undefined;
    const batch: { p: Partition; key: string; change: IsrChange }[] = [];
    for (const p of this.options.replicas.partitions()) {
      if (p.role !== 'leader' || p.closed) continue;
      const key = keyOf(p.topic, p.partition);
      if (this.isrInFlight.has(key)) continue;
      const isr = p.proposeIsr({ lagTimeMaxMs: this.options.lagTimeMaxMs, admittedEpochOf });
      if (!isr) continue;
      this.isrInFlight.add(key);
      batch.push({
        p,
        key,
        change: { expected: p.currentState, isr, minInsyncReplicas: view.topic(p.topic)?.config.minInsyncReplicas ?? 1 },
      });
    }
    if (batch.length === 0) return;
    const write = this.writeIsrs(batch).finally(() => {
      for (const b of batch) this.isrInFlight.delete(b.key);
      this.isrWrites.delete(write);
    });
    this.isrWrites.add(write);
  }

  /** This tick's ISR changes, in one etcd transaction per MAX_ISR_CHANGES_PER_TXN (alterIsrs). */
  private async writeIsrs(batch: readonly { p: Partition; change: IsrChange }[]): Promise<void> {
    try {
      const results = await withSpan('replication.alter_isr', { 'samsa.isr.changes': batch.length }, () =>
        alterIsrs(
          this.options.etcd,
          this.options.keys,
          batch.map((b) => b.change),
        ),
      );
      results.forEach((result, i) => {
        const { p, change } = batch[i]!;
        if (result.kind !== 'committed') return;
        const before = change.expected;
        this.options.onIsrChanged?.(p.topic, p.partition, before.isr.length, result.state.isr.length);
        const removed = before.isr.filter((id) => !result.state.isr.includes(id));
        const added = result.state.isr.filter((id) => !before.isr.includes(id));
        this.options.logger.info(
          {
            topic: p.topic,
            partition: p.partition,
            isr: result.state.isr,
            removed,
            added,
            leaderEpoch: before.leaderEpoch,
            partitionEpoch: result.state.partitionEpoch,
          },
          removed.length > 0 ? 'shrank the in-sync replica set' : 'expanded the in-sync replica set',
        );
        // Take it at once rather than wait for the watch, so the next tick does not propose it again.
        p.applyState(result.state);
      });
    } catch (err) {
      this.options.logger.warn({ err, changes: batch.length }, 'writing ISR changes to etcd failed; will retry');
    }
  }
}
