/**
 * The state all roles of one hosted partition replica share (partition.ts composes the roles):
 * the controller's view of the partition (leader, epochs, replicas, ISR) and this process's
 * incarnation, hence the role; the high watermark and who waits on it; the log end waiters; and
 * whether the replica is closed. The role parts (leader-replicas.ts, follower-apply.ts,
 * idempotent-appender.ts) read and move it through this one object; none keeps a copy.
 */
import { SamsaError } from '../errors/index.js';
import type { PartitionState } from '../cluster/index.js';
import { OffsetWaiters } from './offset-waiters.js';
import type { ReplicaLog } from './replica-log.js';

export type Role = 'leader' | 'follower';

/**
 * What moved on a partition, as its watchers are told (Partition.watch): the log end ('append', a
 * leader append), the high watermark ('highWatermark', an advance), or anything after which a
 * waiter must look again ('changed': role or epoch change, close).
 */
export type PartitionChange = 'append' | 'highWatermark' | 'changed';

/** Details (leader-id, leader-address) for NOT_LEADER_OR_FOLLOWER errors; supplied by whoever knows addresses. */
export type LeaderHint = (leaderId: number) => Record<string, string>;

export interface ReplicaStateOptions {
  topic: string;
  partition: number;
  localBrokerId: number;
  localBrokerEpoch: number | undefined;
  log: ReplicaLog;
  state: PartitionState;
  leaderHint: LeaderHint;
}

export class ReplicaState {
  /** `topic-partition`, for messages. */
  readonly name: string;
  readonly localBrokerId: number;
  readonly log: ReplicaLog;
  /** HW waiters: long polls, Consume streams, acks=all produces. */
  readonly waiters = new OffsetWaiters();
  /** LEO waiters: replication streams parked until the leader appends. */
  readonly appendWaiters = new OffsetWaiters();
  /** Told synchronously of every change the waiters are woken for (Partition.watch sets it). */
  onChange: ((change: PartitionChange) => void) | undefined;
  /** The controller's view, as last applied (partition.ts applyState). */
  state: PartitionState;
  /** This process's registered incarnation (BrokerRegistration.brokerEpoch); undefined until registered. */
  incarnation: number | undefined;
  private readonly leaderHint: LeaderHint;
  private hw: number;
  /** Set once closed: every later call throws it (UNKNOWN_TOPIC_OR_PARTITION when deleted, NOT_READY on shutdown...). */
  private closedWith: SamsaError | undefined;

  constructor(options: ReplicaStateOptions) {
    this.name = `${options.topic}-${options.partition}`;
    this.localBrokerId = options.localBrokerId;
    this.log = options.log;
    this.state = options.state;
    this.incarnation = options.localBrokerEpoch;
    this.leaderHint = options.leaderHint;
    // Until the ISR says otherwise nothing beyond the log start is known to be committed.
    this.hw = options.log.logStartOffset;
  }

  /**
   * Leader only when the controller's state names this broker *and* this process's incarnation
   * (KIP-380): a restarted process, or one not registered yet, never leads in the epoch published
   * for an earlier process, whose log may hold what this one lost. Everything else is 'follower'.
   */
  get role(): Role {
    return this.state.leader === this.localBrokerId && this.incarnation !== undefined && this.state.leaderBrokerEpoch === this.incarnation
      ? 'leader'
      : 'follower';
  }

  get highWatermark(): number {
    return this.hw;
  }

  /** Moves the HW; an advance wakes the HW waiters past it unless `wake` is false. */
  setHighWatermark(next: number, wake = true): void {
    const advanced = next > this.hw;
    this.hw = next;
    if (advanced && wake) {
      this.waiters.advance(next);
      this.onChange?.('highWatermark');
    }
  }

  /** Wakes every waiter (role or epoch change, close) so each re-checks the partition. */
  wakeAll(): void {
    this.waiters.wakeAll();
    this.appendWaiters.wakeAll();
    this.onChange?.('changed');
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Fails every later call and wakes every waiter with `reason`; false when already closed. */
  markClosed(reason: SamsaError): boolean {
    if (this.closedWith) return false;
    this.closedWith = reason;
    this.wakeAll();
    return true;
  }

  /** Throws the close reason if closed. */
  throwIfClosed(): void {
    if (this.closedWith) throw this.closedWith;
  }

  /** Throws NOT_LEADER_OR_FOLLOWER (or LEADER_NOT_AVAILABLE when there is no leader) unless this broker leads. */
  assertLeader(): void {
    if (this.role === 'leader') return;
    throw this.notLeader(`${this.name}: broker ${this.localBrokerId} is not the leader`);
  }

  notLeader(message: string): SamsaError {
    if (this.state.leader < 0) {
      return new SamsaError('LEADER_NOT_AVAILABLE', `${this.name} has no live leader right now (epoch ${this.state.leaderEpoch})`);
    }
    if (this.state.leader === this.localBrokerId && this.role !== 'leader') {
      // Named leader, but for an earlier process of this broker (or this one has not registered
      // yet): the controller is about to move leadership on. Retriable, and no hint to ourselves.
      return new SamsaError(
        'LEADER_NOT_AVAILABLE',
        `${this.name}: leader epoch ${this.state.leaderEpoch} was published for an earlier incarnation of broker ${this.localBrokerId}; the controller is electing a leader for this one, retry shortly`,
      );
    }
    return new SamsaError('NOT_LEADER_OR_FOLLOWER', `${message}; the leader is broker ${this.state.leader}`, {
      details: this.leaderHint(this.state.leader),
    });
  }
}
