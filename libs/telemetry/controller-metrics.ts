/**
 * A controller's metrics (docs/metrics.md), read from its cluster view at scrape time:
 *
 *   samsa.controller.active                  gauge    1 on the elected controller, 0 on standbys
 *   samsa.controller.elections               counter  times this process became the active controller
 *   samsa.controller.partition_leader_elections counter {outcome: elected|offline} leader changes seen while active
 *   samsa.controller.metadata.version        gauge    etcd revision of the metadata the view reflects
 *   samsa.controller.brokers.alive           gauge    registered brokers
 *   samsa.controller.topics / .partitions    gauge
 *   samsa.controller.offline_partitions      gauge    partitions with no live leader (nobody can produce or consume them)
 *   samsa.controller.under_min_isr_partitions gauge   partitions whose ISR is below min.insync.replicas
 *
 * Every controller reports the gauges (they read the same view); a dashboard filters on
 * samsa_controller_active == 1. Owned by the controller's main; `close()` detaches.
 */
import type { BatchObservableResult, Counter, Meter } from '@opentelemetry/api';

export interface ObservedPartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  /** Present while the partition is being moved to other brokers (a reassignment). */
  readonly reassignment?: unknown;
}

export interface ControllerMetricsSource {
  isActive(): boolean;
  liveBrokerIds(): ReadonlySet<number>;
  /** The metadata revision (etcd's) the view reflects. */
  metadataVersion(): number;
  topics(): Iterable<{ name: string; minInsyncReplicas: number }>;
  partitions(topic: string): Iterable<ObservedPartitionState>;
  /** Subscribes to partition state changes; returns the unsubscribe. */
  onPartitionChange(listener: (state: ObservedPartitionState) => void): () => void;
  /** This controller's id, and a subscription to the id of each newly elected active controller. */
  readonly selfId: string;
  onControllerElected(listener: (controllerId: string) => void): () => void;
}

export class ControllerMetrics {
  private readonly elections: Counter;
  private readonly leaderElections: Counter;
  private readonly epochs = new Map<string, number>();
  private readonly detach: () => void;

  constructor(source: ControllerMetricsSource, meter: Meter) {
    this.elections = meter.createCounter('samsa.controller.elections', {
      unit: '{election}',
      description: 'Times this process became the active controller',
    });
    this.leaderElections = meter.createCounter('samsa.controller.partition_leader_elections', {
      unit: '{election}',
      description: 'Partition leader changes this controller saw while active (outcome offline: no live in-sync replica was left)',
    });
    const active = meter.createObservableGauge('samsa.controller.active', {
      description: '1 while this controller is the elected, active one',
    });
    const version = meter.createObservableGauge('samsa.controller.metadata.version', {
      description: 'etcd revision of the cluster metadata this controller has applied',
    });
    const alive = meter.createObservableGauge('samsa.controller.brokers.alive', {
      description: 'Brokers registered in etcd (lease alive)',
    });
    const topics = meter.createObservableGauge('samsa.controller.topics', { description: 'Topics in the cluster' });
    const partitions = meter.createObservableGauge('samsa.controller.partitions', { description: 'Partitions in the cluster' });
    const offline = meter.createObservableGauge('samsa.controller.offline_partitions', {
      description: 'Partitions without a live leader: no produce or consume is possible',
    });
    const underMinIsr = meter.createObservableGauge('samsa.controller.under_min_isr_partitions', {
      description: 'Partitions whose ISR is smaller than min.insync.replicas: acks=all produces fail',
    });
    const reassigning = meter.createObservableGauge('samsa.controller.reassigning_partitions', {
      description: 'Partitions being moved to other brokers (reassignments in progress)',
    });
    const observables = [active, version, alive, topics, partitions, offline, underMinIsr, reassigning];
    const callback = (r: BatchObservableResult): void => {
      const live = source.liveBrokerIds();
      let topicCount = 0;
      let partitionCount = 0;
      let offlineCount = 0;
      let belowMin = 0;
      let moving = 0;
      for (const topic of source.topics()) {
        topicCount++;
        for (const p of source.partitions(topic.name)) {
          partitionCount++;
          if (p.leader < 0 || !live.has(p.leader)) offlineCount++;
          if (p.isr.length < topic.minInsyncReplicas) belowMin++;
          if (p.reassignment) moving++;
        }
      }
      r.observe(active, source.isActive() ? 1 : 0);
      r.observe(version, source.metadataVersion());
      r.observe(alive, live.size);
      r.observe(topics, topicCount);
      r.observe(partitions, partitionCount);
      r.observe(offline, offlineCount);
      r.observe(underMinIsr, belowMin);
      r.observe(reassigning, moving);
    };
    meter.addBatchObservableCallback(callback, observables);
    for (const topic of source.topics())
      for (const p of source.partitions(topic.name)) this.epochs.set(`${p.topic}/${p.partition}`, p.leaderEpoch);
    const unsubscribe = source.onPartitionChange((state) => {
      const key = `${state.topic}/${state.partition}`;
      const before = this.epochs.get(key);
      this.epochs.set(key, state.leaderEpoch);
      if (before !== undefined && state.leaderEpoch > before && source.isActive()) {
        this.leaderElections.add(1, { outcome: state.leader >= 0 ? 'elected' : 'offline' });
      }
    });
    const unsubscribeElected = source.onControllerElected((id) => {
      if (id === source.selfId) this.elections.add(1);
    });
    this.detach = () => {
      unsubscribeElected();
      unsubscribe();
      meter.removeBatchObservableCallback(callback, observables);
    };
  }

  close(): void {
    this.detach();
  }
}
