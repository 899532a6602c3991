/**
 * The active controller's partition moves: elections an operator asks for, the automatic
 * preferred-leader rebalance, and reassignments (start, cancel, and moving each one on as its
 * replicas catch up). elections.ts and reassignments.ts decide; this writes, one partition per
 * fenced etcd transaction compared with the state it was decided from, so a concurrent change
 * (a leader's ISR write, a failover) fails the write cleanly and the partition is decided again.
 *
 * Concurrency: every write runs on the controller's pass queue, one at a time with its leadership
 * passes. A reassignment is moved on after every change of a partition that has one, and on the
 * controller's first pass (a failover resumes every move in progress).
 */
import type { Etcd3 } from 'etcd3';
import { SamsaError } from '../errors/index.js';
import {
  checkReplicaBudget,
  commitIfLeader,
  GuardFailedError,
  type ClusterView,
  type Fence,
  type MetadataKeys,
  type PartitionState,
} from '../cluster/index.js';
import { withSpan, type Logger } from '../telemetry/index.js';
import type { Clock, SerialQueue } from '../runtime/index.js';
import { admittedBrokers, brokerFacts } from './leadership.js';
import { decideElection, rebalanceMoves, type ElectionType } from './elections.js';
import { advanceReassignment, cancelReassignment, checkTarget, startReassignment } from './reassignments.js';

/**
 * Partitions recorded per etcd transaction by a reassignment: one compare and one put each, plus
 * the fence's compare, under etcd's default limit of 128 operations per list (--max-txn-ops).
 */
const MAX_PARTITIONS_PER_TXN = 100;

/** A partition named in a request. */
export interface PartitionRef {
  readonly topic: string;
  readonly partition: number;
}

export interface ElectionResult extends PartitionRef {
  readonly outcome: 'elected' | 'not-needed' | 'not-available';
  readonly leader: number;
  readonly message: string;
}

export interface ReassignCommand extends PartitionRef {
  /** The replicas to end with; empty cancels the move in progress. */
  readonly replicas: readonly number[];
}

export interface PartitionMovesOptions {
  readonly etcd: Etcd3;
  readonly keys: MetadataKeys;
  readonly view: ClusterView;
  readonly fence: Fence;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly passQueue: SerialQueue;
  readonly maxReplicasPerBroker: number;
  /** Throttle of a reassignment that names none (bytes/s per receiving broker). */
  readonly defaultThrottleBytesPerSecond: number;
}

export class PartitionMoves {
  constructor(private readonly o: PartitionMovesOptions) {}

  /** `refs` resolved to states (every partition when empty); UNKNOWN_TOPIC_OR_PARTITION for a missing one. */
  private states(refs: readonly { topic: string; partitions: readonly number[] }[]): PartitionState[] {
    const { view } = this.o;
    if (refs.length === 0) return view.topics().flatMap((t) => view.partitions(t.name));
    return refs.flatMap(({ topic, partitions }) => {
      if (!view.topic(topic)) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${topic}" does not exist`);
      if (partitions.length === 0) return view.partitions(topic);
      return partitions.map((p) => {
        const s = view.partition(topic, p);
        if (!s) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${p} of topic "${topic}" does not exist`);
        return s;
      });
    });
  }

  /** Writes `next` over `state` iff the stored record is still `state`; false when it changed meanwhile. */
  private async write(state: PartitionState, next: PartitionState): Promise<boolean> {
    const key = this.o.keys.partition(state.topic, state.partition);
    try {
      await commitIfLeader(
        this.o.etcd,
        this.o.fence,
        [{ key, target: 'Value', cmp: '==', value: JSON.stringify(state) }],
        [{ put: key, value: JSON.stringify(next) }],
      );
      return true;
    } catch (err) {
      if (err instanceof GuardFailedError) return false;
      throw err;
    }
  }

  /** Writes every `next` over its `state` in one transaction iff no record changed meanwhile; false when one did. */
  private async writeAll(plans: readonly { state: PartitionState; next: PartitionState }[]): Promise<boolean> {
    const key = (s: PartitionState): string => this.o.keys.partition(s.topic, s.partition);
    try {
      await commitIfLeader(
        this.o.etcd,
        this.o.fence,
        plans.map(({ state }) => ({ key: key(state), target: 'Value' as const, cmp: '==' as const, value: JSON.stringify(state) })),
        plans.map(({ next }) => ({ put: key(next), value: JSON.stringify(next) })),
      );
      return true;
    } catch (err) {
      if (err instanceof GuardFailedError) return false;
      throw err;
    }
  }

  /** Waits (briefly) for the view to show the writes, so callers reading it next see them. */
  private async caughtUp(written: readonly PartitionState[]): Promise<void> {
    await this.o.view
      .waitFor(
        () => written.every((w) => (this.o.view.partition(w.topic, w.partition)?.partitionEpoch ?? Infinity) >= w.partitionEpoch),
        10_000,
      )
      .catch(() => undefined);
  }

  electLeaders(type: ElectionType, refs: readonly { topic: string; partitions: readonly number[] }[]): Promise<ElectionResult[]> {
    const states = this.states(refs);
    return this.o.passQueue.run(() =>
      withSpan('controller.elect_leaders', { 'samsa.election_type': type }, async () => {
        const facts = brokerFacts(this.o.view);
        const results: ElectionResult[] = [];
        const written: PartitionState[] = [];
        for (const asked of states) {
          const state = this.o.view.partition(asked.topic, asked.partition) ?? asked;
          const ref = { topic: state.topic, partition: state.partition };
          const d = decideElection(state, type, facts);
          if (d.kind === 'not-needed') {
            results.push({ ...ref, outcome: 'not-needed', leader: d.leader, message: '' });
          } else if (d.kind === 'not-available') {
            results.push({ ...ref, outcome: 'not-available', leader: state.leader, message: d.why });
          } else if (await this.write(state, d.next)) {
            written.push(d.next);
            results.push({ ...ref, outcome: 'elected', leader: d.next.leader, message: '' });
            this.o.logger.info(
              { ...ref, from: state.leader, to: d.next.leader, leaderEpoch: d.next.leaderEpoch, type },
              type === 'unclean'
                ? 'elected a leader UNCLEANLY on request (records only the lost replicas held are gone)'
                : 'elected the preferred leader on request',
            );
          } else {
            results.push({ ...ref, outcome: 'not-available', leader: state.leader, message: 'the partition changed meanwhile; try again' });
          }
        }
        await this.caughtUp(written);
        return results;
      }),
    );
  }

  /** The automatic rebalance: preferred elections for brokers over `thresholdPercent` imbalance. */
  async rebalance(thresholdPercent: number, stopped: () => boolean): Promise<void> {
    const { view } = this.o;
    const states = view.topics().flatMap((t) => view.partitions(t.name));
    const moves = rebalanceMoves(states, brokerFacts(view), thresholdPercent);
    // A pass that moves nothing is background work, not an event: no span. It runs
    // rebalanceDelayMs (10 s) after any broker or partition change, so without this an idle
    // cluster exported a root trace whenever a pass landed in its quiet time.
    if (moves.length === 0) return;
    await withSpan('controller.preferred_leader_election', { 'samsa.partitions': moves.length }, async () => {
      for (const next of moves) {
        if (stopped()) return;
        const state = view.partition(next.topic, next.partition);
        if (!state || !(await this.write(state, next))) continue; // changed under us: the change schedules another pass
        this.o.logger.info(
          { topic: state.topic, partition: state.partition, from: state.leader, to: next.leader, leaderEpoch: next.leaderEpoch },
          'moved leadership back to the preferred replica (leader imbalance over the threshold)',
        );
      }
    });
  }

  /**
   * Records moves (all checked before any is written): each partition starts moving to its new
   * replicas, or its move is cancelled. Returns the partitions' states as written.
   */
  reassign(commands: readonly ReassignCommand[], throttleBytesPerSecond: number, validateOnly: boolean): Promise<PartitionState[]> {
    return this.o.passQueue.run(() =>
      withSpan('controller.alter_partition_reassignments', { 'samsa.partitions': commands.length }, async () => {
        const { view } = this.o;
        const facts = brokerFacts(view);
        const admitted = new Set(admittedBrokers(facts));
        const draining = new Set(view.drainingBrokers());
        const throttle = throttleBytesPerSecond > 0 ? throttleBytesPerSecond : this.o.defaultThrottleBytesPerSecond;
        const seen = new Set<string>();
        const plans: { state: PartitionState; next: PartitionState }[] = [];
        for (const c of commands) {
          const id = `${c.topic}-${c.partition}`;
          if (seen.has(id)) throw new SamsaError('INVALID_REQUEST', `partition ${id} is named twice`);
          seen.add(id);
          const topic = view.topic(c.topic);
          const state = view.partition(c.topic, c.partition);
          if (!topic || !state)
            throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${c.partition} of topic "${c.topic}" does not exist`);
          if (c.replicas.length === 0) {
            plans.push({ state, next: cancelReassignment(state, facts, topic.config.minInsyncReplicas) });
            continue;
          }
          checkTarget(state, c.replicas, topic, admitted, draining);
          const next = startReassignment(state, c.replicas, throttle, this.o.clock.nowMs());
          if (next) plans.push({ state, next });
        }
        const added = plans.map(({ state, next }) => next.replicas.filter((b) => !state.replicas.includes(b)));
        checkReplicaBudget(view, added, this.o.maxReplicasPerBroker, 'this reassignment');
        if (validateOnly) return plans.map((p) => p.next);
        const written: PartitionState[] = [];
        // All or nothing per transaction: one etcd transaction compares every partition's record
        // and writes every move, so a request of up to MAX_PARTITIONS_PER_TXN partitions is
        // recorded whole or not at all. A larger one (a drain of a big broker) is recorded in
        // transactions of that size, in order; if one fails, those before it stand. That is safe:
        // each partition's move is self-contained in its own record (ADR 0042) and completes or is
        // cancelled on its own, and sending the same request again re-targets the recorded ones to
        // the same target (no change of what moves) and records the rest.
        for (let i = 0; i < plans.length; i += MAX_PARTITIONS_PER_TXN) {
          const chunk = plans.slice(i, i + MAX_PARTITIONS_PER_TXN);
          if (!(await this.writeAll(chunk)))
            throw new SamsaError(
              'NOT_READY',
              i === 0
                ? `a partition changed while recording the reassignment; nothing was recorded: send the request again`
                : `a partition changed while recording the reassignment; the first ${i} of ${plans.length} partitions were recorded (in transactions of ${MAX_PARTITIONS_PER_TXN}), the rest not: send the request again`,
            );
          written.push(...chunk.map((p) => p.next));
        }
        for (const { state, next } of plans) {
          this.o.logger.info(
            {
              topic: state.topic,
              partition: state.partition,
              from: state.replicas,
              replicas: next.replicas,
              target: next.reassignment?.target ?? next.replicas,
              throttleBytesPerSecond: next.reassignment?.throttleBytesPerSecond,
            },
            next.reassignment ? 'partition reassignment started' : 'partition reassignment cancelled or replicas reordered',
          );
        }
        await this.caughtUp(written);
        return written;
      }),
    );
  }

  /** Moves on every reassignment in progress that can move (a target replica joined the ISR...). Runs on the pass queue. */
  async advanceAll(stopped: () => boolean): Promise<void> {
    const { view } = this.o;
    const moving = view.topics().flatMap((t) => view.partitions(t.name).filter((s) => s.reassignment));
    if (moving.length === 0) return;
    const facts = brokerFacts(view);
    const written: PartitionState[] = [];
    for (const state of moving) {
      if (stopped()) return;
      const next = advanceReassignment(state, facts);
      if (!next || !(await this.write(state, next))) continue;
      written.push(next);
      this.o.logger.info(
        {
          topic: state.topic,
          partition: state.partition,
          replicas: next.replicas,
          removed: state.replicas.filter((b) => !next.replicas.includes(b)),
          leader: next.leader,
          leaderEpoch: next.leaderEpoch,
          ms: this.o.clock.nowMs() - (state.reassignment?.startedAtMs ?? 0),
        },
        'partition reassignment completed: every target replica is in sync; the removed replicas delete their copy',
      );
    }
    await this.caughtUp(written);
  }
}
