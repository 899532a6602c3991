/**
 * The leader's side of a partition replica: where its followers are (FollowerTracker), hence the
 * high watermark (min log end over the ISR) and the ISR to ask the controller for; the leader's
 * checks of a follower's fetch (fencing, KIP-320 divergence, range) and of a write (role, epoch,
 * min.insync.replicas); and the acks=all wait for the ISR. The follower's rule for the HW (keep
 * what it has until the leader sends one) is in recomputeHighWatermark too, so the HW has one
 * owner whatever the role.
 */
import { SamsaError } from '../errors/index.js';
import type { Clock } from '../runtime/index.js';
import { FollowerTracker } from './follower-progress.js';
import type { ReplicaState } from './replica-state.js';

/** acks as the broker uses it: 'none' answers before writing, 'leader' after the local append, 'all' after the ISR has it. */
export type AckLevel = 'none' | 'leader' | 'all';

export interface AppendOptions {
  acks: AckLevel;
  /** The topic's min.insync.replicas; checked (for acks=all) before anything is written. */
  minInsyncReplicas: number;
  /** The leader epoch the caller believes in, when it carries one: stale ones get FENCED. */
  expectedLeaderEpoch?: number;
  /** acks=all: how long to wait for the ISR before REQUEST_TIMED_OUT (the write stays in the log). */
  timeoutMs?: number;
}

/** What a follower sends per partition on its replication stream. */
export interface FollowerFetch {
  followerId: number;
  /** The follower process's broker epoch (its incarnation). */
  followerBrokerEpoch: number;
  fetchOffset: number;
  /** Epoch of the follower's last batch, -1 when its log is empty. */
  lastFetchedEpoch: number;
  /** The leader epoch the follower is following. */
  currentLeaderEpoch: number;
}

/**
 * The leader's answer to a follower's position: go on fetching, or truncate first (KIP-320: the
 * follower's log diverges from ours after `endOffset` of `epoch`; -1 = no common epoch).
 */
export type FollowerFetchCheck = { kind: 'ok' } | { kind: 'diverging'; epoch: number; endOffset: number };

export interface IsrCheckOptions {
  lagTimeMaxMs: number;
  /** The admitted incarnation of a live broker, undefined when it is not live and admitted. */
  admittedEpochOf: (brokerId: number) => number | undefined;
}

export class LeaderReplicas {
  /** Followers' fetch positions and lag, for the HW and the ISR. */
  private readonly followers = new FollowerTracker();
  /** The LEO when this broker became leader of the current epoch. */
  private epochStartOffset = 0;

  constructor(
    private readonly s: ReplicaState,
    /** For follower lag and the acks=all deadline. */
    private readonly clock: Clock,
  ) {}

  /** This broker became leader (of a new epoch): followers start unknown, from now. */
  becameLeader(): void {
    this.epochStartOffset = this.s.log.logEndOffset;
    this.followers.reset(
      this.s.state.replicas.filter((id) => id !== this.s.localBrokerId),
      this.clock.nowMs(),
    );
  }

  /** See Partition.checkFollowerFetch. */
  checkFollowerFetch(fetch: FollowerFetch): FollowerFetchCheck {
    const { s } = this;
    s.throwIfClosed();
    if (fetch.currentLeaderEpoch < s.state.leaderEpoch) {
      throw new SamsaError(
        'FENCED',
        `${s.name}: follower ${fetch.followerId} follows leader epoch ${fetch.currentLeaderEpoch}; the current epoch is ${s.state.leaderEpoch}`,
      );
    }
    if (fetch.currentLeaderEpoch > s.state.leaderEpoch) {
      throw s.notLeader(
        `${s.name}: this broker has not yet seen leader epoch ${fetch.currentLeaderEpoch} (it knows ${s.state.leaderEpoch})`,
      );
    }
    s.assertLeader();
    if (!s.state.replicas.includes(fetch.followerId)) {
      throw new SamsaError(
        'NOT_LEADER_OR_FOLLOWER',
        `${s.name}: broker ${fetch.followerId} is not a replica (replicas [${s.state.replicas.join(', ')}])`,
      );
    }
    if (fetch.lastFetchedEpoch >= 0) {
      const ours = s.log.endOffsetForEpoch(fetch.lastFetchedEpoch);
      if (ours.epoch < fetch.lastFetchedEpoch || ours.endOffset < fetch.fetchOffset)
        return { kind: 'diverging', epoch: ours.epoch, endOffset: ours.endOffset };
    }
    const end = s.log.logEndOffset;
    if (fetch.fetchOffset > end) return { kind: 'diverging', epoch: s.log.latestEpoch, endOffset: end };
    if (fetch.fetchOffset < s.log.logStartOffset) {
      throw new SamsaError(
        'OFFSET_OUT_OF_RANGE',
        `${s.name}: follower ${fetch.followerId} fetches offset ${fetch.fetchOffset}, below the leader's log start ${s.log.logStartOffset}`,
      );
    }
    this.followers.onFetch(fetch.followerId, fetch.followerBrokerEpoch, fetch.fetchOffset, end, this.clock.nowMs());
    this.recomputeHighWatermark();
    return { kind: 'ok' };
  }

  /** See Partition.updateFollowerPosition. */
  updateFollowerPosition(brokerId: number, brokerEpoch: number, logEndOffset: number): void {
    if (brokerId === this.s.localBrokerId) return;
    this.followers.onFetch(brokerId, brokerEpoch, logEndOffset, this.s.log.logEndOffset, this.clock.nowMs());
    this.recomputeHighWatermark();
  }

  /** The ISR this partition should have now, or undefined when it is right (see FollowerTracker). */
  proposeIsr(options: IsrCheckOptions): number[] | undefined {
    const { s } = this;
    if (s.closed || s.role !== 'leader') return undefined;
    return this.followers.proposeIsr({
      self: s.localBrokerId,
      replicas: s.state.replicas,
      isr: s.state.isr,
      highWatermark: s.highWatermark,
      epochStartOffset: this.epochStartOffset,
      nowMs: this.clock.nowMs(),
      lagTimeMaxMs: options.lagTimeMaxMs,
      admittedEpochOf: options.admittedEpochOf,
    });
  }

  /** See Partition.checkAppend. */
  checkAppend(options: AppendOptions): void {
    const { s } = this;
    s.throwIfClosed();
    if (options.expectedLeaderEpoch !== undefined) {
      if (options.expectedLeaderEpoch < s.state.leaderEpoch) {
        throw new SamsaError(
          'FENCED',
          `${s.name}: request carries leader epoch ${options.expectedLeaderEpoch} but the current epoch is ${s.state.leaderEpoch}`,
        );
      }
      if (options.expectedLeaderEpoch > s.state.leaderEpoch) {
        throw s.notLeader(
          `${s.name}: this broker has not yet seen leader epoch ${options.expectedLeaderEpoch} (it knows ${s.state.leaderEpoch})`,
        );
      }
    }
    s.assertLeader();
    if (options.acks === 'all' && s.state.isr.length < options.minInsyncReplicas) {
      throw new SamsaError(
        'NOT_ENOUGH_REPLICAS',
        `${s.name}: the in-sync replica set [${s.state.isr.join(', ')}] has ${s.state.isr.length} member(s), fewer than min.insync.replicas=${options.minInsyncReplicas}; nothing was written`,
      );
    }
  }

  /** HW = min LEO over the ISR (never backwards on the leader, never below LSO nor above LEO). */
  recomputeHighWatermark(): void {
    const { s } = this;
    const hw = s.highWatermark;
    const leo = s.log.logEndOffset;
    let candidate: number;
    if (s.role !== 'leader') {
      // A follower learns its HW from the leader (replication); until then it keeps what it had.
      candidate = Math.min(hw, leo);
    } else if ((s.state.elr?.length ?? 0) > 0) {
      // The ISR is below min.insync.replicas and replicas outside it are still eligible to lead
      // (KIP-966): they hold what is committed now, not what this leader appends from here. So
      // nothing more commits (Kafka's rule with ELR too) until the ISR is back at the minimum;
      // otherwise a consumer could read records that an eligible replica, elected after this
      // leader lost its tail, never had.
      candidate = hw;
    } else {
      candidate = leo;
      for (const id of s.state.isr) {
        if (id === s.localBrokerId) continue;
        const end = this.followers.endOffset(id);
        candidate = Math.min(candidate, end ?? hw);
      }
      candidate = Math.max(candidate, hw);
    }
    const next = Math.min(Math.max(candidate, s.log.logStartOffset), leo);
    if (next !== hw) s.setHighWatermark(next);
  }

  /**
   * acks=all: waits until the HW passes `lastOffset`, or the leadership is lost, or the timeout.
   * The HW also passes a write when the ISR shrinks to members that have it, so on passing the
   * ISR is checked again: smaller than min.insync.replicas, the write was not made durable as
   * promised and is refused with NOT_ENOUGH_REPLICAS (Kafka's NOT_ENOUGH_REPLICAS_AFTER_APPEND;
   * the record stays in the log and may survive).
   */
  async awaitCommitted(lastOffset: number, epoch: number, minInsyncReplicas: number, timeoutMs: number): Promise<void> {
    const { s } = this;
    const deadline = this.clock.nowMs() + timeoutMs;
    const committed = (): boolean => {
      if (s.highWatermark <= lastOffset) return false;
      if (s.state.isr.length < minInsyncReplicas) {
        throw new SamsaError(
          'NOT_ENOUGH_REPLICAS',
          `${s.name}: offset ${lastOffset} was committed by an in-sync replica set [${s.state.isr.join(', ')}] smaller than min.insync.replicas=${minInsyncReplicas}; the write is in the log but not acknowledged`,
        );
      }
      return true;
    };
    for (;;) {
      if (committed()) return;
      s.throwIfClosed();
      if (s.state.leaderEpoch !== epoch || s.role !== 'leader') {
        throw s.notLeader(`${s.name}: leadership changed before offset ${lastOffset} was committed`);
      }
      const remaining = deadline - this.clock.nowMs();
      if (remaining <= 0 || (await s.waiters.wait(lastOffset, { timeoutMs: remaining })) === 'timeout') {
        if (committed()) return;
        throw new SamsaError('REQUEST_TIMED_OUT', `${s.name}: offset ${lastOffset} was not replicated to the ISR within ${timeoutMs} ms`);
      }
    }
  }
}
