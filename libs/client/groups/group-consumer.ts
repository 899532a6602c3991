/**
 * A member of a consumer group: the coordinator assigns partitions and commits what this side
 * reports processed, through one GroupConsume stream.
 *
 *   const member = samsa.groupConsumer({ groupId: 'billing', topics: ['orders'] });
 *   for await (const chunk of member.chunks()) { for (const m of chunk) handle(m); }
 *   // or: for await (const m of member) handle(m);   or: await member.run({ eachMessage })
 *   await member.close();   // reports the last chunk, leaves the group, waits for the commit
 *
 * Two ways to get the records, the same contract otherwise (delivery at-least-once: a chunk is
 * finished when the next one is asked for, or when its handler ends under run(); what finished is
 * reported processed, and so committed; a crash re-delivers what was handed out and not yet
 * reported):
 * - `delivery: 'direct'` (the default): assign-only membership; this member reads its partitions
 *   from their leaders itself (direct-member.ts), so records do not pass through the coordinator.
 *   It reports every `autoCommitIntervalMs` (5 s), as Kafka's consumer auto-commits, and at once
 *   on commit(), before giving a partition up and on close.
 * - `delivery: 'relay'`: the coordinator reads the partitions and streams the records to this
 *   member (relay-member.ts), as a plain generated client does by default. It reports each chunk
 *   as it finishes (the coordinator's hand-over and holding limits wait for those reports).
 *
 * When the coordinator moves (NOT_COORDINATOR), restarts or is unreachable, the member finds the
 * coordinator again and rejoins with a new member id (or the same group instance id), through the
 * retry helper; its partitions resume from their committed offsets.
 *
 * Handlers: run({ eachMessage | eachBatch, partitionsConsumedConcurrently, workers, onError })
 * runs a handler per record or per chunk, several partitions at once (runner/runner.ts has the
 * contract). Each partition's finished offset is reported as `processed` (autoCommit, the default:
 * on the interval above in direct mode, when a chunk of it ends in relay mode), or on commit();
 * also when the partition is taken away and on close.
 * Back-pressure per partition: the SDK holds at most two chunks of a partition (one being handled,
 * one waiting); a slow partition holds back only itself.
 *
 * commit() reports what finished (under run(): what the handlers finished; with the iterators:
 * the chunks before the one in hand) and resolves once the coordinator says it is durable (the `committed` answer: written to __consumer_offsets with acks=all); it rejects
 * when the stream ends first (NOT_COORDINATOR) or the partition was taken away and the report came
 * too late to count (REBALANCE_IN_PROGRESS, after the session timeout). Auto-commit does not wait.
 *
 * Liveness: heartbeats go on while a partition is held on purpose or handlers run long, unless one
 * running partition (or, with the iterators in direct mode, the chunk in hand) has made no progress
 * for longer than the session timeout: then the coordinator removes the member, as Kafka does past
 * max.poll.interval.ms.
 *
 * The iterators have no pause()/resume(): records they have not reported keep the member
 * accountable, and pausing is left to run()'s back-pressure. The assigned Consumer has pause and resume.
 */
import { SamsaError } from '../../errors/index.js';
import type { Cluster } from '../routing/cluster.js';
import type { RetryOptions } from '../../runtime/index.js';
import type { ConsumedMessage } from '../consumer/partition-stream.js';
import type { RunOptions, StoppedPartition } from '../runner/run-options.js';
import type { Runner } from '../runner/runner.js';
import type { Groups } from './groups.js';
import { DirectMember } from './direct-member.js';
import { RelayMember } from './relay-member.js';

export interface GroupAssignment {
  memberId: string;
  generation: number;
  partitions: { topic: string; partitions: number[] }[];
}

export interface GroupConsumerOptions {
  groupId: string;
  topics: readonly string[];
  /** Default 45000 (the coordinator allows 6000..300000 unless configured otherwise). */
  sessionTimeoutMs?: number;
  /** Static membership: a restart with the same id within the session timeout moves nothing. */
  groupInstanceId?: string;
  assignor?: 'range' | 'roundRobin' | 'sticky';
  /** Where partitions without a committed offset start. Default 'earliest'. */
  reset?: 'earliest' | 'latest';
  /** Told of every assignment (on join and on every change). */
  onAssignment?: (assignment: GroupAssignment) => void;
  retry?: RetryOptions;
  /**
   * Under run(): report each partition's finished offset (the coordinator commits it) on its own
   * (default true: every `autoCommitIntervalMs` in direct delivery, whenever a chunk of it ends in
   * relay delivery); false reports only on commit(), when a partition is taken away, and on close.
   */
  autoCommit?: boolean;
  /**
   * Direct delivery: how often what finished is reported `processed` (each report is a commit, an
   * acks=all write to __consumer_offsets); default 5000, Kafka's auto.commit.interval.ms. 0 reports
   * every chunk as it finishes. Whatever the interval, everything finished is reported on
   * commit(), before a partition is given up to another member, and on close; a member that dies
   * has what it finished since its last report delivered again. Relay delivery always reports per
   * chunk.
   */
  autoCommitIntervalMs?: number;
  /**
   * 'direct' (default): read the assigned partitions from their leaders (assign-only membership);
   * 'relay': receive their records through the group coordinator.
   */
  delivery?: 'direct' | 'relay';
  /**
   * Relay delivery only: records, and bytes of keys and values, this member may hold unprocessed
   * over all its partitions; the coordinator sends no more until processed reports make room
   * (JoinGroup max_records / max_bytes, docs/groups.md). Unset: no limit beyond the chunk credit.
   */
  maxRecords?: number;
  maxBytes?: number;
}

export class GroupConsumer implements AsyncIterable<ConsumedMessage> {
  private readonly member: DirectMember | RelayMember;

  constructor(cluster: Cluster, groups: Groups, options: GroupConsumerOptions) {
    const interval = options.autoCommitIntervalMs;
    if (interval !== undefined && (!Number.isSafeInteger(interval) || interval < 0))
      throw new SamsaError('INVALID_REQUEST', `autoCommitIntervalMs must be a non-negative integer, got ${interval}`);
    this.member = options.delivery === 'relay' ? new RelayMember(cluster, groups, options) : new DirectMember(cluster, groups, options);
  }

  /** The last assignment received, if any. */
  get assignment(): GroupAssignment | undefined {
    return this.member.assignment;
  }

  [Symbol.asyncIterator](): AsyncGenerator<ConsumedMessage, void, undefined> {
    return this.flatten();
  }

  private async *flatten(): AsyncGenerator<ConsumedMessage, void, undefined> {
    for await (const chunk of this.chunks()) yield* chunk;
  }

  /** Records as they arrive, one array per partition chunk. Read once. */
  chunks(): AsyncGenerator<ConsumedMessage[], void, undefined> {
    return this.member.chunks();
  }

  /**
   * Runs a handler over the records of the member's partitions until close() (RunOptions; the
   * class comment says how commits and pauses go). Resolves when close() has stopped the handlers
   * and reported what they finished; rejects when the member cannot go on (an error that is not
   * retriable, a worker that died). Read once, like the iterators.
   */
  run(options: RunOptions): Promise<void> {
    return this.member.run(options);
  }

  /**
   * Reports every partition's finished offset now (under run(): what the handlers finished; with
   * the iterators in direct mode: the chunks before the one in hand). Resolves once the coordinator
   * has acknowledged every offset reported so far as durable (acks=all in __consumer_offsets).
   */
  commit(): Promise<void> {
    return this.member.commit();
  }

  /**
   * Reports the chunk handed out last as processed (under run(): stops the handlers after the
   * records in hand and reports what they finished), leaves the group and waits (up to 10 s) for
   * the final commit. Idempotent.
   */
  close(): Promise<void> {
    return this.member.close();
  }

  /** Under run(): the partitions a handler error stopped, each at its failed record. */
  stoppedPartitions(): StoppedPartition[] {
    return this.member.stoppedPartitions();
  }

  /** The runner of run(), for tests and benchmarks that observe it. */
  get running(): Runner | undefined {
    return this.member.running;
  }
}
