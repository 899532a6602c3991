/**
 * What the elected controller does: topic commands (written by topic-commands.ts), and moving
 * partition leadership when brokers come and go (leadership.ts decides, topic-plans.ts plans; this
 * file writes and schedules). Every write goes through commitIfLeader with this term's fence, so a
 * deposed controller cannot write, and compares the record it was decided from, so a concurrent
 * change fails it cleanly.
 *
 * Concurrency: topic commands run one at a time (adminQueue), and so do leadership passes
 * (passQueue); the two may interleave, each write guarded as above.
 */
import type { Etcd3 } from 'etcd3';
import { SamsaError } from '../errors/index.js';
import {
  commitIfLeader,
  DEFAULT_MAX_REPLICAS_PER_BROKER,
  GuardFailedError,
  type ClusterView,
  type Fence,
  type Guard,
  type MetadataKeys,
  type Op,
  type BrokerAdmission,
  type PartitionState,
  type BrokerRegistration,
} from '../cluster/index.js';
import { withSpan, type Logger } from '../telemetry/index.js';
import { SerialQueue, systemClock, type Clock } from '../runtime/index.js';
import type { AlterTopicConfigCommand, CreatePartitionsCommand, CreateTopicCommand, TopicOutcome } from './commands.js';
import { MAX_OPS_PER_TXN, TopicCommands, VIEW_CATCH_UP_MS } from './topic-commands.js';
import { brokerFacts, decideLeadership } from './leadership.js';
import { PartitionMoves, type ElectionResult, type ReassignCommand } from './partition-moves.js';
import { setDraining } from './drains.js';
import type { ElectionType } from './elections.js';

/** A failed leadership pass is retried after this long; one that met concurrent changes, after CONFLICT_RETRY_MS. */
const PASS_RETRY_MS = 1_000;
const CONFLICT_RETRY_MS = 200;

export interface ActiveControllerOptions {
  readonly etcd: Etcd3;
  readonly keys: MetadataKeys;
  readonly view: ClusterView;
  /** This term's election fence: every write is guarded on it. */
  readonly fence: Fence;
  readonly logger: Logger;
  /**
   * How long after a broker joins or an ISR changes the controller waits before moving
   * leadership back to preferred replicas (0: never). The wait lets a returning broker settle.
   */
  readonly rebalanceDelayMs: number;
  /** Most partition replicas one broker may host (libs/cluster/replica-budget.ts). */
  readonly maxReplicasPerBroker?: number;
  /**
   * The automatic rebalance moves leadership back to a broker's preferred partitions only when the
   * share of them it does not lead exceeds this (Kafka's leader.imbalance.per.broker.percentage, 10).
   */
  readonly leaderImbalancePercent?: number;
  /** How often the imbalance is checked besides after changes (Kafka's leader.imbalance.check.interval.seconds, 300). */
  readonly leaderImbalanceCheckMs?: number;
  /** Throttle of a reassignment that names none, bytes/s per receiving broker. */
  readonly reassignmentThrottleBytesPerSecond?: number;
  readonly clock?: Clock;
}

export const DEFAULT_LEADER_IMBALANCE_PERCENT = 10;
export const DEFAULT_LEADER_IMBALANCE_CHECK_MS = 300_000;
export const DEFAULT_REASSIGNMENT_THROTTLE_BYTES_PER_SECOND = 10 * 1024 * 1024;

export class ActiveController {
  private readonly etcd: Etcd3;
  private readonly keys: MetadataKeys;
  private readonly view: ClusterView;
  /** This term's election fence (ACL and quota writes are guarded on it too: libs/security SecurityAdmin). */
  readonly fence: Fence;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly maxReplicasPerBroker: number;
  /** Leadership and preferred-leader passes, one at a time. */
  private readonly passQueue = new SerialQueue();
  /**
   * Topic commands, one at a time. Without this, two concurrent creates of one name both pass
   * the "not in the view" check and both write partition keys (guarded only by "no topic record
   * yet"); the loser's keys survive under the winner's record (another partition count or
   * replication factor), and the winner then times out waiting for its own partition count. Each
   * command also waits for the view to show its write, so the next one sees it.
   */
  private readonly adminQueue = new SerialQueue();
  private readonly unsubscribe: () => void;
  private stopped = false;
  private rebalanceTimer: NodeJS.Timeout | undefined;
  private imbalanceTimer: NodeJS.Timeout | undefined;
  private readonly moves: PartitionMoves;
  private readonly topics: TopicCommands;
  /** A reassignment pass is queued and has not started yet (changes meanwhile need no other). */
  private advanceQueued = false;
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: ActiveControllerOptions) {
    this.etcd = options.etcd;
    this.keys = options.keys;
    this.view = options.view;
    this.fence = options.fence;
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
    this.maxReplicasPerBroker = options.maxReplicasPerBroker ?? DEFAULT_MAX_REPLICAS_PER_BROKER;
    // What this term's writers share: the fenced etcd, the view, the clock, the replica budget.
    const term = {
      etcd: this.etcd,
      keys: this.keys,
      view: this.view,
      fence: this.fence,
      logger: this.logger,
      clock: this.clock,
      maxReplicasPerBroker: this.maxReplicasPerBroker,
    };
    this.topics = new TopicCommands({ ...term, stopped: () => this.stopped });
    this.moves = new PartitionMoves({
      ...term,
      passQueue: this.passQueue,
      defaultThrottleBytesPerSecond: options.reassignmentThrottleBytesPerSecond ?? DEFAULT_REASSIGNMENT_THROTTLE_BYTES_PER_SECOND,
    });
    this.unsubscribe = this.view.onChange((change) => {
      if (change.kind === 'broker')
        this.scheduleReconcile(
          `broker ${change.id} ${change.registration ? `joined as incarnation ${change.registration.brokerEpoch}` : 'left'}`,
        );
      if (change.kind === 'shutdown' && change.shutdown) this.scheduleReconcile(`broker ${change.id} asks for a controlled shutdown`);
      if (change.kind === 'offline')
        this.scheduleReconcile(`broker ${change.id} reports ${change.offline?.partitions.length ?? 0} offline replica(s)`);
      if (change.kind === 'broker' || change.kind === 'partition') this.scheduleRebalance();
      if (change.kind === 'partition' && change.state?.reassignment) this.scheduleAdvance();
      if (change.kind === 'broker') this.scheduleAdvance();
    });
    if (options.rebalanceDelayMs > 0) {
      this.imbalanceTimer = setInterval(
        () => this.scheduleRebalance(0),
        options.leaderImbalanceCheckMs ?? DEFAULT_LEADER_IMBALANCE_CHECK_MS,
      );
    }
    // A previous controller may have died half-way through; start from a full pass.
    this.scheduleReconcile('became controller');
    void this.adminQueue
      .run(() => this.topics.migrateInternalTopics())
      .catch((err: unknown) => {
        if (!this.stopped) this.logger.warn({ err }, 'could not bring the internal topics to the current storage config');
      });
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = undefined;
    if (this.imbalanceTimer) clearInterval(this.imbalanceTimer);
    this.imbalanceTimer = undefined;
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
  }

  /** Waits for the leadership passes scheduled so far. */
  settled(): Promise<void> {
    return this.passQueue.idle();
  }

  createTopic(cmd: CreateTopicCommand): Promise<TopicOutcome> {
    return this.adminQueue.run(() => withSpan('controller.create_topic', { 'samsa.topic': cmd.name }, () => this.topics.create(cmd)));
  }

  createPartitions(cmd: CreatePartitionsCommand): Promise<TopicOutcome> {
    return this.adminQueue.run(() =>
      withSpan('controller.create_partitions', { 'samsa.topic': cmd.name, 'samsa.partitions': cmd.totalPartitions }, () =>
        this.topics.createPartitions(cmd),
      ),
    );
  }

  alterTopicConfig(cmd: AlterTopicConfigCommand): Promise<TopicOutcome> {
    return this.adminQueue.run(() =>
      withSpan('controller.alter_topic_config', { 'samsa.topic': cmd.name }, () => this.topics.alterConfig(cmd)),
    );
  }

  deleteTopic(name: string): Promise<void> {
    return this.adminQueue.run(() => withSpan('controller.delete_topic', { 'samsa.topic': name }, () => this.topics.delete(name)));
  }

  /** Leader elections on request (ElectLeaders); every partition when `refs` is empty. */
  electLeaders(type: ElectionType, refs: readonly { topic: string; partitions: readonly number[] }[]): Promise<ElectionResult[]> {
    return this.moves.electLeaders(type, refs);
  }

  /** Starts or cancels partition moves (AlterPartitionReassignments); returns the states written. */
  reassignPartitions(
    commands: readonly ReassignCommand[],
    throttleBytesPerSecond: number,
    validateOnly: boolean,
  ): Promise<PartitionState[]> {
    return this.moves.reassign(commands, throttleBytesPerSecond, validateOnly);
  }

  /**
   * Marks brokers draining or not (DrainBrokers); lists them when `ids` is empty. On the admin
   * queue, so a topic command after it places nothing on a broker it marked.
   */
  drainBrokers(ids: readonly number[], undrain: boolean, validateOnly: boolean): Promise<number[]> {
    return this.adminQueue.run(() =>
      setDraining(
        { etcd: this.etcd, keys: this.keys, view: this.view, fence: this.fence, nowMs: this.clock.nowMs() },
        ids,
        undrain,
        validateOnly,
      ),
    );
  }

  /** Runs `fn` after `ms` unless stopped first (the timer is ours: stop() clears it). */
  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.retryTimers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.retryTimers.add(t);
  }

  /**
   * One automatic preferred-leader pass `delayMs` (default rebalanceDelayMs) after the latest
   * trigger (debounced); it moves only the partitions of brokers whose imbalance exceeds the threshold.
   */
  private scheduleRebalance(delayMs = this.options.rebalanceDelayMs): void {
    if (this.stopped || this.options.rebalanceDelayMs <= 0) return;
    if (this.rebalanceTimer) clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = setTimeout(() => {
      this.rebalanceTimer = undefined;
      void this.passQueue
        .run(() =>
          this.stopped
            ? undefined
            : this.moves.rebalance(this.options.leaderImbalancePercent ?? DEFAULT_LEADER_IMBALANCE_PERCENT, () => this.stopped),
        )
        .catch((err: unknown) => {
          if (err instanceof SamsaError && err.reason === 'NOT_CONTROLLER') return;
          this.logger.warn({ err }, 'preferred leader pass failed; the next change retries it');
        });
    }, delayMs);
  }

  /** One pass moving reassignments on, unless one is already queued. */
  private scheduleAdvance(): void {
    if (this.stopped || this.advanceQueued) return;
    this.advanceQueued = true;
    void this.passQueue
      .run(() => {
        this.advanceQueued = false;
        return this.moves.advanceAll(() => this.stopped);
      })
      .catch((err: unknown) => {
        if (err instanceof SamsaError && err.reason === 'NOT_CONTROLLER') return;
        this.logger.warn({ err }, 'moving reassignments on failed; retrying in 1 s');
        this.later(PASS_RETRY_MS, () => this.scheduleAdvance());
      });
  }

  private scheduleReconcile(why: string): void {
    void this.passQueue
      .run(() => this.reconcile(why))
      .catch((err: unknown) => {
        if (err instanceof SamsaError && err.reason === 'NOT_CONTROLLER') {
          this.logger.warn('deposed during leader election; the new controller takes over');
          return;
        }
        this.logger.error({ err, why }, 'leader election pass failed; retrying in 1 s');
        this.later(PASS_RETRY_MS, () => this.scheduleReconcile(`retry after: ${why}`));
      });
  }

  /**
   * Admits a broker incarnation once every partition it hosts has been moved on for it: the
   * write is guarded on the registration's revision, so a broker that restarted again meanwhile
   * is not admitted on its predecessor's behalf.
   */
  private async admit(broker: BrokerRegistration): Promise<void> {
    const admission: BrokerAdmission = {
      brokerId: broker.id,
      brokerEpoch: broker.brokerEpoch,
      cleanStart: broker.cleanStart,
      admittedAtMs: this.clock.nowMs(),
    };
    await commitIfLeader(
      this.etcd,
      this.fence,
      [{ key: this.keys.broker(broker.id), target: 'Mod', cmp: '==', value: broker.brokerEpoch }],
      [{ put: this.keys.admitted(broker.id), value: JSON.stringify(admission) }],
    );
    this.logger.info(
      { broker: broker.id, brokerEpoch: broker.brokerEpoch, cleanStart: broker.cleanStart },
      'admitted a broker incarnation: it may lead and follow',
    );
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
      const facts = brokerFacts(this.view);
      const pending = this.view.brokers().filter((b) => facts.pending.has(b.id));
      /** Pending brokers with a partition this pass could not move on: not admitted yet. */
      const blocked = new Set<number>();
      let changed = 0;
      let conflicts = 0;
      const written: PartitionState[] = [];
      const decisions: { state: PartitionState; next: PartitionState; restarted: readonly number[] }[] = [];
      for (const topic of this.view.topics()) {
        for (const state of this.view.partitions(topic.name)) {
          const decision = decideLeadership(state, topic.config.uncleanLeaderElection, facts, topic.config.minInsyncReplicas);
          if (decision) decisions.push({ state, ...decision });
        }
      }
      const guardOf = (d: (typeof decisions)[number]): Guard => ({
        key: this.keys.partition(d.state.topic, d.state.partition),
        target: 'Value',
        cmp: '==',
        value: JSON.stringify(d.state),
      });
      const putOf = (d: (typeof decisions)[number]): Op => ({
        put: this.keys.partition(d.state.topic, d.state.partition),
        value: JSON.stringify(d.next),
      });
      const done = (d: (typeof decisions)[number]): void => {
        changed++;
        written.push(d.next);
        this.logger.info(
          {
            topic: d.state.topic,
            partition: d.state.partition,
            leader: d.next.leader,
            leaderEpoch: d.next.leaderEpoch,
            leaderBrokerEpoch: d.next.leaderBrokerEpoch,
            isr: d.next.isr,
            elr: d.next.elr ?? [],
            restarted: d.restarted,
            why,
          },
          d.next.leader >= 0 ? 'elected partition leader' : 'partition has no live eligible replica; it is offline',
        );
      };
      // A broker bounce changes up to P x R / B partitions at once: one transaction per
      // MAX_OPS_PER_TXN of them, not one each (docs/scaling.md). A transaction that a
      // concurrent change refused is retried partition by partition, so only the changed ones wait.
      for (let at = 0; at < decisions.length; at += MAX_OPS_PER_TXN) {
        if (this.stopped) return;
        const chunk = decisions.slice(at, at + MAX_OPS_PER_TXN);
        try {
          await commitIfLeader(this.etcd, this.fence, chunk.map(guardOf), chunk.map(putOf));
          chunk.forEach(done);
          continue;
        } catch (err) {
          if (!(err instanceof GuardFailedError)) throw err;
        }
        for (const d of chunk) {
          if (this.stopped) return;
          try {
            await commitIfLeader(this.etcd, this.fence, [guardOf(d)], [putOf(d)]);
            done(d);
          } catch (err) {
            // The partition changed under us (or our view lags our own last write): look again shortly.
            if (!(err instanceof GuardFailedError)) throw err;
            conflicts++;
            for (const r of d.restarted) blocked.add(r);
          }
        }
      }
      if (changed > 0) this.logger.info({ changed, why, live: [...facts.live] }, 'leadership pass done');
      // The next pass must start from our own writes: a broker that returns while the view still
      // shows the state before this pass would be compared with that state and nothing would change.
      await this.view
        .waitFor(
          () => written.every((w) => (this.view.partition(w.topic, w.partition)?.partitionEpoch ?? Infinity) >= w.partitionEpoch),
          VIEW_CATCH_UP_MS,
        )
        .catch((err: unknown) =>
          this.logger.warn({ err }, "the cluster view has not caught up with this pass's writes; the next pass may act on older state"),
        );
      for (const b of pending) {
        if (this.stopped || blocked.has(b.id)) continue;
        try {
          await this.admit(b);
        } catch (err) {
          // It re-registered (or left) meanwhile: its broker change schedules another pass.
          if (!(err instanceof GuardFailedError)) throw err;
        }
      }
      if (conflicts > 0) this.later(CONFLICT_RETRY_MS, () => this.scheduleReconcile(`retry after ${conflicts} concurrent change(s)`));
      // Moves in progress (a previous controller's too) go on from whatever this pass left.
      this.scheduleAdvance();
    });
  }
}
