/**
 * What the elected controller does: topic creation and deletion, and moving partition leadership
 * when brokers come and go. Every write goes through commitIfLeader with this term's fence, so a
 * deposed controller cannot write. Leadership reconciliation runs one pass at a time.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Etcd3 } from 'etcd3';
import { SamsaError } from '../../libs/errors/index.js';
import {
  assignReplicas,
  checkReplicaBudget,
  commitIfLeader,
  DEFAULT_MAX_REPLICAS_PER_BROKER,
  GuardFailedError,
  onBrokersChanged,
  onBrokersRestarted,
  onBrokersShuttingDown,
  onPreferredLeaderCheck,
  assertNotInternalTopic,
  leaderIncarnationStale,
  stampLeaderIncarnation,
  resolveTopicConfig,
  topicConfigToProto,
  toTopicInfo,
  validatePartitionCount,
  validateTopicName,
  type ClusterView,
  type Fence,
  type MetadataKeys,
  type Op,
  type BrokerAdmission,
  type PartitionState,
  type TopicRecord,
} from '../../libs/cluster/index.js';
import type { CreateTopicRequest__Output } from '../../libs/rpc/generated/samsa/v1/CreateTopicRequest.js';
import type { CreatePartitionsRequest__Output } from '../../libs/rpc/generated/samsa/v1/CreatePartitionsRequest.js';
import type { AlterTopicConfigRequest__Output } from '../../libs/rpc/generated/samsa/v1/AlterTopicConfigRequest.js';
import type { TopicConfig } from '../../libs/rpc/generated/samsa/v1/TopicConfig.js';
import type { TopicInfo } from '../../libs/rpc/generated/samsa/v1/TopicInfo.js';
import { withSpan, type Logger } from '../../libs/telemetry/index.js';

/** etcd refuses transactions with more than 128 operations by default (--max-txn-ops). */
const MAX_OPS_PER_TXN = 100;
/** How long topic placement waits for just-registered brokers to be admitted. */
const ADMISSION_WAIT_MS = 3_000;
/** How long a write waits to show up in our own view before we answer. */
const VIEW_CATCH_UP_MS = 10_000;

export class ActiveController {
  private reconciling: Promise<void> = Promise.resolve();
  /** Topic creations and deletions run one at a time (see serialized()). */
  private adminQueue: Promise<unknown> = Promise.resolve();
  private readonly unsubscribe: () => void;
  private stopped = false;
  private rebalanceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly etcd: Etcd3,
    private readonly keys: MetadataKeys,
    private readonly view: ClusterView,
    private readonly fence: Fence,
    private readonly logger: Logger,
    /**
     * How long after a broker joins or an ISR changes the controller waits before moving
     * leadership back to preferred replicas (0: never). The wait lets a returning broker settle.
     */
    private readonly rebalanceDelayMs: number,
    /** Most partition replicas one broker may host (libs/cluster/replica-budget.ts). */
    private readonly maxReplicasPerBroker: number = DEFAULT_MAX_REPLICAS_PER_BROKER,
  ) {
    this.unsubscribe = view.onChange((change) => {
      if (change.kind === 'broker') this.scheduleReconcile(`broker ${change.id} ${change.registration ? `joined as incarnation ${change.registration.brokerEpoch}` : 'left'}`);
      if (change.kind === 'shutdown' && change.shutdown) this.scheduleReconcile(`broker ${change.id} asks for a controlled shutdown`);
      if (change.kind === 'offline') this.scheduleReconcile(`broker ${change.id} reports ${change.offline?.partitions.length ?? 0} offline replica(s)`);
      if (change.kind === 'broker' || change.kind === 'partition') this.scheduleRebalance();
    });
    // A previous controller may have died half-way through; start from a full pass.
    this.scheduleReconcile('became controller');
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = undefined;
  }

  /** One preferred-leader pass `rebalanceDelayMs` after the latest trigger (debounced). */
  private scheduleRebalance(): void {
    if (this.stopped || this.rebalanceDelayMs <= 0) return;
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = setTimeout(() => {
      this.rebalanceTimer = undefined;
      this.reconciling = this.reconciling
        .then(() => this.rebalance())
        .catch((err: unknown) => {
          if (err instanceof SamsaError && err.reason === 'NOT_CONTROLLER') return;
          this.logger.warn({ err }, 'preferred leader pass failed; the next change retries it');
        });
    }, this.rebalanceDelayMs);
  }

  /** Moves leadership back to each partition's preferred replica where it is alive and in sync. */
  private async rebalance(): Promise<void> {
    if (this.stopped) return;
    await withSpan('controller.preferred_leader_election', {}, async () => {
      // Only an admitted incarnation may be elected (a restarted one first leaves every ISR).
      // Nor one shutting down (controlled shutdown: leadership is moving away from it).
      const live = new Set(this.admittedBrokerIds().filter((id) => !this.view.isShuttingDown(id)));
      for (const topic of this.view.topics()) {
        for (const state of this.view.partitions(topic.name)) {
          if (this.stopped) return;
          const preferred = onPreferredLeaderCheck(state, this.liveFor(state, live));
          if (!preferred) continue;
          const next = stampLeaderIncarnation(preferred, this.epochOf);
          const key = this.keys.partition(state.topic, state.partition);
          try {
            await commitIfLeader(this.etcd, this.fence, [{ key, target: 'Value', cmp: '==', value: JSON.stringify(state) }], [{ put: key, value: JSON.stringify(next) }]);
            this.logger.info({ topic: state.topic, partition: state.partition, from: state.leader, to: next.leader, leaderEpoch: next.leaderEpoch }, 'moved leadership back to the preferred replica');
          } catch (err) {
            // Changed under us: the change itself schedules another pass.
            if (!(err instanceof GuardFailedError)) throw err;
          }
        }
      }
    });
  }

  /** Waits for the reconciliation passes scheduled so far. */
  settled(): Promise<void> {
    return this.reconciling;
  }

  /**
   * Runs admin operations one at a time. Without this, two concurrent creates of one name both
   * pass the "not in the view" check and both write partition keys (guarded only by "no topic
   * record yet"); the loser's keys survive under the winner's record (another partition count
   * or replication factor), and the winner then times out waiting for its own partition count.
   * Each operation also waits for the view to show its write, so the next one sees it.
   */
  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.adminQueue.then(fn, fn);
    this.adminQueue = run.catch(() => undefined);
    return run;
  }

  async createTopic(req: CreateTopicRequest__Output): Promise<TopicInfo> {
    return this.serialized(() => this.createTopicNow(req));
  }

  private async createTopicNow(req: CreateTopicRequest__Output): Promise<TopicInfo> {
    return withSpan('controller.create_topic', { 'samsa.topic': req.name }, async () => {
      validateTopicName(req.name);
      const partitions = req.partitions === 0 ? 1 : req.partitions;
      validatePartitionCount(partitions);
      const rf = req.replicationFactor === 0 ? 1 : req.replicationFactor;
      if (!Number.isInteger(rf) || rf < 1) {
        throw new SamsaError('INVALID_REPLICATION_FACTOR', `replication factor must be at least 1, got ${rf}`);
      }
      const config = resolveTopicConfig(req.config, rf);
      if (this.view.topic(req.name)) throw new SamsaError('TOPIC_ALREADY_EXISTS', `topic "${req.name}" already exists`);
      const live = await this.placeableBrokerIds();
      const assignment = assignReplicas(live, partitions, rf, live.length > 0 ? randomInt(live.length) : 0);
      checkReplicaBudget(this.view, assignment, this.maxReplicasPerBroker, `creating topic "${req.name}"`);
      const record: TopicRecord = { name: req.name, topicId: randomUUID(), partitions, replicationFactor: rf, config, createdAtMs: Date.now() };
      const states: PartitionState[] = assignment.map((replicas, partition) =>
        stampLeaderIncarnation({ topic: req.name, partition, leader: replicas[0] as number, leaderEpoch: 0, partitionEpoch: 0, replicas, isr: [...replicas] }, this.epochOf),
      );
      if (req.validateOnly) {
        return {
          name: record.name,
          topicId: '',
          replicationFactor: rf,
          partitions: states.map((s) => ({ partition: s.partition, leaderId: s.leader, leaderEpoch: 0, replicas: s.replicas, isr: s.isr })),
        };
      }
      const notYetCreated = { key: this.keys.topic(req.name), target: 'Create' as const, cmp: '==' as const, value: 0 };
      // Partitions first, the topic record last: brokers act on a partition only once its topic
      // exists, so a controller that dies half-way leaves nothing served; a retry overwrites.
      // A half-done create may also have left partitions this one does not have (it asked for
      // more): clear them first, or they would survive under the new topic record.
      try {
        await commitIfLeader(this.etcd, this.fence, [notYetCreated], [{ deletePrefix: this.keys.partitionsOf(req.name) }]);
        for (let i = 0; i < states.length; i += MAX_OPS_PER_TXN) {
          const ops: Op[] = states.slice(i, i + MAX_OPS_PER_TXN).map((s) => ({ put: this.keys.partition(s.topic, s.partition), value: JSON.stringify(s) }));
          await commitIfLeader(this.etcd, this.fence, [notYetCreated], ops);
        }
        await commitIfLeader(this.etcd, this.fence, [notYetCreated], [{ put: this.keys.topic(req.name), value: JSON.stringify(record) }]);
      } catch (err) {
        if (err instanceof GuardFailedError) throw new SamsaError('TOPIC_ALREADY_EXISTS', `topic "${req.name}" already exists`);
        throw err;
      }
      this.logger.info({ topic: req.name, partitions, replicationFactor: rf, topicId: record.topicId }, 'created topic');
      await this.view.waitFor(() => this.view.topic(req.name)?.topicId === record.topicId && this.view.partitions(req.name).length === partitions, VIEW_CATCH_UP_MS);
      return toTopicInfo(this.view, record);
    });
  }

  async createPartitions(req: CreatePartitionsRequest__Output): Promise<TopicInfo> {
    return this.serialized(() => this.createPartitionsNow(req));
  }

  private async createPartitionsNow(req: CreatePartitionsRequest__Output): Promise<TopicInfo> {
    return withSpan('controller.create_partitions', { 'samsa.topic': req.name, 'samsa.partitions': req.totalPartitions }, async () => {
      assertNotInternalTopic(req.name, 'given more partitions (every consumer group would move to another partition)');
      const record = this.view.topic(req.name);
      if (!record) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${req.name}" does not exist`);
      const total = req.totalPartitions;
      validatePartitionCount(total);
      if (total <= record.partitions) {
        throw new SamsaError(
          'INVALID_PARTITIONS',
          `topic "${req.name}" has ${record.partitions} partitions; the new count must be larger (partitions are never removed: keyed records would move)`,
        );
      }
      const live = await this.placeableBrokerIds();
      const assignment = assignReplicas(live, total, record.replicationFactor, live.length > 0 ? randomInt(live.length) : 0).slice(record.partitions);
      checkReplicaBudget(this.view, assignment, this.maxReplicasPerBroker, `adding partitions to topic "${req.name}"`);
      const states: PartitionState[] = assignment.map((replicas, i) =>
        stampLeaderIncarnation(
          { topic: req.name, partition: record.partitions + i, leader: replicas[0] as number, leaderEpoch: 0, partitionEpoch: 0, replicas, isr: [...replicas] },
          this.epochOf,
        ),
      );
      const next: TopicRecord = { ...record, partitions: total };
      if (req.validateOnly) return toTopicInfo(this.view, record);
      // The record must be the one we read: a concurrent change (delete, re-create) makes us fail cleanly.
      const unchanged = { key: this.keys.topic(req.name), target: 'Value' as const, cmp: '==' as const, value: JSON.stringify(record) };
      try {
        for (let i = 0; i < states.length; i += MAX_OPS_PER_TXN) {
          const ops: Op[] = states.slice(i, i + MAX_OPS_PER_TXN).map((s) => ({ put: this.keys.partition(s.topic, s.partition), value: JSON.stringify(s) }));
          await commitIfLeader(this.etcd, this.fence, [unchanged], ops);
        }
        // The count last: clients see the new partitions only once they all exist.
        await commitIfLeader(this.etcd, this.fence, [unchanged], [{ put: this.keys.topic(req.name), value: JSON.stringify(next) }]);
      } catch (err) {
        if (err instanceof GuardFailedError) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${req.name}" changed while adding partitions; try again`);
        throw err;
      }
      this.logger.info({ topic: req.name, from: record.partitions, to: total }, 'added partitions');
      await this.view.waitFor(() => this.view.topic(req.name)?.partitions === total && this.view.partitions(req.name).length === total, VIEW_CATCH_UP_MS);
      return toTopicInfo(this.view, this.view.topic(req.name) ?? next);
    });
  }

  async alterTopicConfig(req: AlterTopicConfigRequest__Output): Promise<TopicInfo> {
    return this.serialized(() => this.alterTopicConfigNow(req));
  }

  private async alterTopicConfigNow(req: AlterTopicConfigRequest__Output): Promise<TopicInfo> {
    return withSpan('controller.alter_topic_config', { 'samsa.topic': req.name }, async () => {
      assertNotInternalTopic(req.name, 'reconfigured by clients (its retention and cleanup policy keep committed offsets)');
      const record = this.view.topic(req.name);
      if (!record) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${req.name}" does not exist`);
      // Proto3 optional fields that are set; the oneof markers (_field) and unset ones are not changes.
      const changes = Object.fromEntries(Object.entries(req.config ?? {}).filter(([k, v]) => !k.startsWith('_') && v !== undefined && v !== null)) as TopicConfig;
      if (Object.keys(changes).length === 0) throw new SamsaError('INVALID_CONFIG', 'no config value to change was given');
      const config = resolveTopicConfig({ ...topicConfigToProto(record.config), ...changes }, record.replicationFactor);
      const next: TopicRecord = { ...record, config };
      if (req.validateOnly) return toTopicInfo(this.view, next);
      try {
        await commitIfLeader(
          this.etcd,
          this.fence,
          [{ key: this.keys.topic(req.name), target: 'Value', cmp: '==', value: JSON.stringify(record) }],
          [{ put: this.keys.topic(req.name), value: JSON.stringify(next) }],
        );
      } catch (err) {
        if (err instanceof GuardFailedError) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${req.name}" changed meanwhile; try again`);
        throw err;
      }
      this.logger.info({ topic: req.name, changes }, 'altered topic config');
      await this.view.waitFor(() => JSON.stringify(this.view.topic(req.name)?.config) === JSON.stringify(config), VIEW_CATCH_UP_MS);
      return toTopicInfo(this.view, next);
    });
  }

  async deleteTopic(name: string): Promise<void> {
    return this.serialized(() => this.deleteTopicNow(name));
  }

  private async deleteTopicNow(name: string): Promise<void> {
    return withSpan('controller.delete_topic', { 'samsa.topic': name }, async () => {
      assertNotInternalTopic(name, 'deleted (that would wipe every consumer group\'s committed offsets)');
      const record = this.view.topic(name);
      if (!record) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${name}" does not exist`);
      await commitIfLeader(this.etcd, this.fence, [], [{ delete: this.keys.topic(name) }, { deletePrefix: this.keys.partitionsOf(name) }]);
      this.logger.info({ topic: name, topicId: record.topicId }, 'deleted topic');
      await this.view.waitFor(() => this.view.topic(name)?.topicId !== record.topicId, VIEW_CATCH_UP_MS);
    });
  }

  private scheduleReconcile(why: string): void {
    this.reconciling = this.reconciling.then(() => this.reconcile(why)).catch((err: unknown) => {
      if (err instanceof SamsaError && err.reason === 'NOT_CONTROLLER') {
        this.logger.warn('deposed during leader election; the new controller takes over');
        return;
      }
      this.logger.error({ err, why }, 'leader election pass failed; retrying in 1 s');
      const t = setTimeout(() => {
        if (!this.stopped) this.scheduleReconcile(`retry after: ${why}`);
      }, 1000);
      t.unref();
    });
  }

  /** The registered broker epoch of a live broker (undefined when not registered). */
  private readonly epochOf = (id: number): number | undefined => this.view.broker(id)?.brokerEpoch;

  /** Live brokers whose current incarnation is admitted, in id order: the ones that may lead or get new replicas. */
  private admittedBrokerIds(): number[] {
    return this.view
      .brokers()
      .filter((b) => this.view.isAdmitted(b.id))
      .map((b) => b.id);
  }

  /**
   * The brokers of `live` whose replica of this partition is not offline: a replica whose storage
   * failed counts as dead for its partition (out of the ISR, never leader) while its broker lives on.
   */
  private liveFor(state: PartitionState, live: ReadonlySet<number>): ReadonlySet<number> {
    const offline = state.replicas.filter((r) => live.has(r) && this.view.isReplicaOffline(r, state.topic, state.partition));
    if (offline.length === 0) return live;
    return new Set([...live].filter((b) => !offline.includes(b)));
  }

  /**
   * For placement: the admitted brokers, after giving a broker that has just registered the
   * moment its admission takes (one reconcile pass), so a topic created right after a broker
   * starts is spread over it too.
   */
  private async placeableBrokerIds(): Promise<number[]> {
    await this.view.waitFor(() => this.view.brokers().every((b) => this.view.isAdmitted(b.id)), ADMISSION_WAIT_MS).catch(() => undefined);
    return this.admittedBrokerIds();
  }

  /**
   * Admits a broker incarnation once every partition it hosts has been moved on for it: the
   * write is guarded on the registration's revision, so a broker that restarted again meanwhile
   * is not admitted on its predecessor's behalf.
   */
  private async admit(broker: { id: number; brokerEpoch: number; cleanStart: boolean }): Promise<void> {
    const admission: BrokerAdmission = { brokerId: broker.id, brokerEpoch: broker.brokerEpoch, cleanStart: broker.cleanStart, admittedAtMs: Date.now() };
    await commitIfLeader(
      this.etcd,
      this.fence,
      [{ key: this.keys.broker(broker.id), target: 'Mod', cmp: '==', value: broker.brokerEpoch }],
      [{ put: this.keys.admitted(broker.id), value: JSON.stringify(admission) }],
    );
    this.logger.info({ broker: broker.id, brokerEpoch: broker.brokerEpoch, cleanStart: broker.cleanStart }, 'admitted a broker incarnation: it may lead and follow');
  }

  /**
   * One pass over every partition: elect leaders for partitions whose leader or ISR members are
   * gone, and move every partition on for broker incarnations not admitted yet (a new or restarted
   * process: it leaves every ISR, and where it led, leadership goes to another in-sync replica or,
   * if it is the only one, comes back to it in a new leader epoch). Then admits those incarnations
   * whose partitions were all handled (KIP-380's broker epochs, KRaft's fenced brokers).
   */
  private async reconcile(why: string): Promise<void> {
    if (this.stopped) return;
    await withSpan('controller.leader_election', { 'samsa.reason': why }, async () => {
      const brokers = this.view.brokers();
      const live = new Set(brokers.map((b) => b.id));
      const pending = brokers.filter((b) => !this.view.isAdmitted(b.id));
      const pendingIds = new Set(pending.map((b) => b.id));
      const shutting = new Set(brokers.filter((b) => this.view.isShuttingDown(b.id)).map((b) => b.id));
      /** Pending brokers with a partition this pass could not move on: not admitted yet. */
      const blocked = new Set<number>();
      let changed = 0;
      let conflicts = 0;
      const written: PartitionState[] = [];
      for (const topic of this.view.topics()) {
        for (const state of this.view.partitions(topic.name)) {
          if (this.stopped) return;
          const key = this.keys.partition(state.topic, state.partition);
          const restarted = new Set(state.replicas.filter((r) => pendingIds.has(r)));
          if (leaderIncarnationStale(state, this.epochOf)) restarted.add(state.leader);
          const liveHere = this.liveFor(state, live);
          const decided =
            (restarted.size > 0 ? onBrokersRestarted(state, restarted, liveHere, topic.config.uncleanLeaderElection) : undefined) ??
            onBrokersChanged(state, liveHere, topic.config.uncleanLeaderElection);
          // A broker in controlled shutdown hands leadership over and leaves ISRs (while another member remains).
          const handedOver = shutting.size > 0 ? onBrokersShuttingDown(decided ?? state, shutting, liveHere) : undefined;
          if (!decided && !handedOver) continue;
          const next = stampLeaderIncarnation(handedOver ?? (decided as PartitionState), this.epochOf);
          try {
            await commitIfLeader(this.etcd, this.fence, [{ key, target: 'Value', cmp: '==', value: JSON.stringify(state) }], [{ put: key, value: JSON.stringify(next) }]);
            changed++;
            written.push(next);
            this.logger.info(
              { topic: state.topic, partition: state.partition, leader: next.leader, leaderEpoch: next.leaderEpoch, leaderBrokerEpoch: next.leaderBrokerEpoch, isr: next.isr, restarted: [...restarted], why },
              next.leader >= 0 ? 'elected partition leader' : 'partition has no live in-sync replica; it is offline',
            );
          } catch (err) {
            // The partition changed under us (or our view lags our own last write): look again shortly.
            if (err instanceof GuardFailedError) {
              conflicts++;
              for (const r of restarted) blocked.add(r);
              continue;
            }
            throw err;
          }
        }
      }
      if (changed > 0) this.logger.info({ changed, why, live: [...live] }, 'leadership pass done');
      // The next pass must start from our own writes: a broker that returns while the view still
      // shows the state before this pass would be compared with that state and nothing would change.
      await this.view
        .waitFor(() => written.every((w) => (this.view.partition(w.topic, w.partition)?.partitionEpoch ?? Infinity) >= w.partitionEpoch), VIEW_CATCH_UP_MS)
        .catch((err: unknown) => this.logger.warn({ err }, 'the cluster view has not caught up with this pass\'s writes; the next pass may act on older state'));
      for (const b of pending) {
        if (this.stopped || blocked.has(b.id)) continue;
        try {
          await this.admit(b);
        } catch (err) {
          // It re-registered (or left) meanwhile: its broker change schedules another pass.
          if (!(err instanceof GuardFailedError)) throw err;
        }
      }
      if (conflicts > 0) {
        const t = setTimeout(() => {
          if (!this.stopped) this.scheduleReconcile(`retry after ${conflicts} concurrent change(s)`);
        }, 200);
        t.unref();
      }
    });
  }
}
