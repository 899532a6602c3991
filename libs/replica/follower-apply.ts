/**
 * The follower's side of a partition replica: applies what the leader of an epoch sends (batches
 * and its high watermark; a truncation to the last shared epoch, KIP-101; a restart at the
 * leader's log start) and refuses it once the partition moved on to another epoch or role. The
 * replication protocol's follower step (libs/replica-sync exchange.ts applyPartitionData) drives it.
 */
import { SamsaError } from '../errors/index.js';
import type { IdempotentAppender } from './idempotent-appender.js';
import type { ReplicaState } from './replica-state.js';

export class FollowerApply {
  constructor(
    private readonly s: ReplicaState,
    private readonly producers: IdempotentAppender,
  ) {}

  /** See Partition.appendAsFollower. */
  async append(batches: Buffer, leaderEpoch: number, leaderHighWatermark: number): Promise<void> {
    this.assertFollowing(leaderEpoch);
    if (batches.length > 0) {
      // The copy and its producers go into log and table as one step of the producers' queue: a
      // leader append (this replica elected meanwhile) checks a retry against both or neither.
      await this.producers.replicate(async () => {
        this.assertFollowing(leaderEpoch);
        await this.s.log.appendAsFollower(batches);
        await this.producers.applyCopied(this.s.log, batches);
      });
    }
    this.takeHighWatermark(leaderHighWatermark);
  }

  /** See Partition.truncateAsFollower. */
  truncate(offset: number, leaderEpoch: number): Promise<void> {
    this.assertFollowing(leaderEpoch);
    // One step with the table's rebuild: no leader check between the cut and the rebuild, which
    // would still find the cut batches (and answer their retries with offsets no longer held).
    return this.producers.replicate(async () => {
      this.assertFollowing(leaderEpoch);
      const { log } = this.s;
      await log.truncateTo(Math.max(offset, log.logStartOffset));
      this.takeHighWatermark(this.s.highWatermark);
      await this.producers.rebuild(log);
    });
  }

  /** See Partition.restartAsFollowerAt. */
  restartAt(offset: number, leaderEpoch: number): Promise<void> {
    this.assertFollowing(leaderEpoch);
    return this.producers.replicate(async () => {
      this.assertFollowing(leaderEpoch);
      await this.s.log.truncateFullyAndStartAt(offset);
      this.s.setHighWatermark(offset, false);
      this.producers.clear(this.s.log);
    });
  }

  private assertFollowing(leaderEpoch: number): void {
    const { s } = this;
    s.throwIfClosed();
    if (s.role !== 'follower' || s.state.leaderEpoch !== leaderEpoch) {
      throw new SamsaError('FENCED', `${s.name}: no longer following epoch ${leaderEpoch} (now ${s.role} in epoch ${s.state.leaderEpoch})`);
    }
  }

  /** The leader's HW, capped at our log end, never below our log start. */
  private takeHighWatermark(leaderHighWatermark: number): void {
    const { log } = this.s;
    this.s.setHighWatermark(Math.max(log.logStartOffset, Math.min(leaderHighWatermark, log.logEndOffset)));
  }
}
