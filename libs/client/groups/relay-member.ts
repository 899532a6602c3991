/**
 * A member of a consumer group in relay mode (`delivery: 'relay'`), over the coordinator's
 * GroupConsume stream: the coordinator assigns partitions, streams their records, and commits what
 * this side reports processed. (The default, direct-member.ts, reads from the leaders itself.)
 *
 *   const member = samsa.groupConsumer({ groupId: 'billing', topics: ['orders'] });
 *   for await (const chunk of member.chunks()) { for (const m of chunk) handle(m); }
 *   // or: for await (const m of member) handle(m);
 *   await member.close();   // reports the last chunk, leaves the group, waits for the commit
 *
 * Delivery is at-least-once: a chunk is reported processed when the next one is asked for (or on
 * close()/break), so a crash re-delivers what was handed out but not yet reported.
 *
 * When the coordinator moves (NOT_COORDINATOR), restarts or is unreachable, the member finds the
 * coordinator again and rejoins with a new member id (or the same group instance id), through the
 * retry helper; its partitions resume from their committed offsets.
 *
 * Handlers: run({ eachMessage | eachBatch, partitionsConsumedConcurrently, workers, onError })
 * runs a handler per record or per chunk, several partitions at once (runner/runner.ts has the
 * contract). Each partition's finished offset is reported as `processed` when a chunk of it ends
 * (autoCommit, the default), or on commit(); also when the partition is taken away and on close.
 * Back-pressure per partition: run() joins with a credit of one chunk ahead (`max_chunks_ahead`),
 * reporting each chunk `taken` when its handler starts, so the SDK holds at most two chunks of a
 * partition (one being handled, one waiting), each at most the coordinator's read size (1 MiB);
 * a partition with a chunk waiting is also paused on the stream (the `pause` message). A slow
 * partition holds back only itself.
 *
 * commit() under run() reports what the handlers finished and resolves once the coordinator says
 * it is durable (the `committed` answer: written to __consumer_offsets with acks=all); it rejects
 * when the stream ends first (NOT_COORDINATOR) or the partition was taken away and the report came
 * too late to count (REBALANCE_IN_PROGRESS, after the session timeout). Auto-commit does not wait.
 *
 * Liveness: while a partition is held on purpose (stopped by a handler error) or its handlers run
 * long, the member sends heartbeats, unless one running partition has made no progress (no record
 * finished) for longer than the session timeout: then the coordinator removes the member, as
 * Kafka does past max.poll.interval.ms. A member that went silent for about its session timeout
 * (its process stopped) may have been removed meanwhile: it drops the stream and the records it
 * has not handed out, and joins again (silence-guard.ts); the iterators heartbeat while they hold
 * nothing, so only a stop or a chunk held that long makes them look gone.
 *
 * The iterators have no pause()/resume(): records they have not reported keep the member
 * accountable, and pausing is left to run()'s back-pressure. The assigned Consumer has pause and resume.
 */
import { SamsaError } from '../../errors/index.js';
import type { v1 } from '../../rpc/index.js';
import type { Cluster } from '../routing/cluster.js';
import { traceReceived, type SessionSpan } from '../../telemetry/index.js';
import { callError } from '../errors.js';
import { toConsumedMessage, type ConsumedMessage } from '../consumer/partition-stream.js';
import type { TopicPartition } from '../consumer/assignment.js';
import { Producer } from '../producer/producer.js';
import { messagesChunk } from '../runner/chunk.js';
import { deadLetterMessage } from '../runner/dead-letter.js';
import { planRun, type RunOptions, type StoppedPartition } from '../runner/run-options.js';
import { Runner } from '../runner/runner.js';
import type { Groups } from './groups.js';
import type { GroupAssignment, GroupConsumerOptions } from './group-consumer.js';
import {
  CommitTracker,
  REJOIN,
  endGroupStream,
  changeAssignment,
  flattenPartitions as flatten,
  openGroupStream,
  toAssignment,
  tpKey,
  type GroupCall as Call,
} from './group-stream.js';
import { systemClock } from '../../runtime/index.js';
import { SilenceGuard } from './silence-guard.js';

export class RelayMember {
  private call: Call | undefined;
  /**
   * The span of the current GroupConsume connection (the coordinator's session span is its
   * grandchild); each chunk received is a `receive` trace of its own linked to it.
   */
  private session: SessionSpan | undefined;
  private closed = false;
  private readonly abort = new AbortController();
  private unreported: ConsumedMessage[] | undefined;
  private handedOut = false;
  private current: GroupAssignment | undefined;
  private closing: Promise<void> | undefined;
  /** Set while run() runs. */
  private runner: Runner | undefined;
  /** Under run(): the partitions paused on the stream (sent again on a new stream). */
  private readonly pausedOnStream = new Map<string, TopicPartition>();
  /** Under run(): finished offsets, and the last reported, per partition. */
  private readonly finished = new Map<string, { tp: TopicPartition; next: number }>();
  private deadLetters: Producer | undefined;
  /** Under run(): per-partition credit asked for in the join (chunks sent and not yet taken). */
  private chunksAhead = 0;
  /** Under run(): what was reported on this stream, what the coordinator said is durable, commit()s waiting. */
  private readonly commits = new CommitTracker();
  /** The current stream's: whether this member may have been removed while it stood still. */
  private guard: SilenceGuard | undefined;
  /** Set when this side gave up the current stream (silence-guard.ts); its end is then no error. */
  private abandoned = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly groups: Groups,
    private readonly options: GroupConsumerOptions,
  ) {}

  /** The last assignment received, if any. */
  get assignment(): GroupAssignment | undefined {
    return this.current;
  }

  /** Records as they arrive, one array per partition chunk. Read once. */
  async *chunks(): AsyncGenerator<ConsumedMessage[], void, undefined> {
    if (this.handedOut) throw new Error(`the member of group "${this.options.groupId}" is already being read`);
    this.handedOut = true;
    // Idle (nothing handed out) the member says so now and then: the coordinator would keep it
    // alive anyway, but its own last word is what tells it, on waking, whether it may be gone.
    const idle = setInterval(() => {
      if (this.unreported === undefined) this.write({ heartbeat: true });
    }, this.heartbeatEveryMs());
    try {
      while (!this.closed) {
        const iterator = await this.connect();
        if (!iterator) return;
        // Set when this stream is done with (failed or ended by the server). Not on break/return:
        // then close() still needs the call to report the last chunk and leave cleanly.
        let dropCall = false;
        try {
          for (;;) {
            const step = await iterator.next();
            if (step.done) break;
            const res = step.value;
            if (res.assignment) {
              this.current = toAssignment(res.assignment);
              this.options.onAssignment?.(this.current);
            } else if (res.records && res.records.records.length > 0) {
              // Held since before a silence long enough to be removed: the partition may be another's now.
              if (this.abandonIfSilent()) continue;
              const { topic, partition } = res.records;
              const chunk = res.records.records.map((r) => toConsumedMessage(topic, partition, r));
              traceReceived(topic, partition, chunk, this.session?.link);
              this.unreported = chunk;
              yield chunk;
              this.report();
            }
          }
          dropCall = true;
          if (this.closed) return;
          // The coordinator ended the stream without an error (it should not): rejoin.
        } catch (raw) {
          dropCall = true;
          if (this.closed) return;
          const err = callError(raw, 'the group coordinator');
          if (!this.abandoned && !err.retriable && !REJOIN.has(err.reason)) throw err;
        } finally {
          if (dropCall) {
            this.call?.cancel();
            this.call = undefined;
          }
        }
      }
    } finally {
      clearInterval(idle);
      await this.close();
    }
  }

  /**
   * Reports the chunk handed out last as processed (under run(): stops the handlers after the
   * records in hand and reports what they finished), leaves the group and waits (up to 10 s) for
   * the final commit. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    if (this.runner) {
      await this.runner.stop();
      await this.deadLetters?.close();
      this.reportFinished();
    }
    const call = this.call;
    if (!call) return;
    this.report();
    await endGroupStream(call);
  }

  private report(): void {
    const chunk = this.unreported;
    this.unreported = undefined;
    const last = chunk?.at(-1);
    if (!last) return;
    this.write({ processed: { topic: last.topic, partition: last.partition, offset: last.offset + 1 } });
  }

  /** Every message to the coordinator goes through here: the guard counts silence from the last one. */
  private write(request: v1.GroupConsumeRequest): void {
    if (!this.call || this.abandoned) return;
    this.guard?.spoke();
    this.call.write(request);
  }

  private heartbeatEveryMs(): number {
    return Math.max(1000, Math.floor((this.options.sessionTimeoutMs || 45_000) / 3));
  }

  /**
   * When this member went silent long enough to have been removed (silence-guard.ts), it gives
   * the stream up instead of handing out what came on it: the records it holds unreported are
   * delivered again from the last commit to the partitions' owners, and it joins again. True then;
   * the records still buffered on the stream are read and dropped until it ends. Under run(), the
   * chunks queued for the handlers are dropped too (the record in hand is finished).
   */
  private abandonIfSilent(runner?: Runner): boolean {
    if (!this.call || !this.guard?.mayBeRemoved()) return false;
    if (!this.abandoned) {
      this.abandoned = true;
      this.call.cancel();
      runner?.remove(this.current ? flatten(this.current.partitions) : []);
    }
    return true;
  }

  /**
   * Runs a handler over the records of the member's partitions until close() (RunOptions; the
   * class comment says how commits and pauses go). Resolves when close() has stopped the handlers
   * and reported what they finished; rejects when the member cannot go on (an error that is not
   * retriable, a worker that died). Read once, like the iterators.
   */
  async run(options: RunOptions): Promise<void> {
    const plan = planRun(options);
    if (this.handedOut) throw new Error(`the member of group "${this.options.groupId}" is already being read`);
    this.handedOut = true;
    let fatal: Error | undefined;
    const runner = await Runner.start(plan, {
      source: {
        hold: (tp) => {
          this.pausedOnStream.set(tpKey(tp), { topic: tp.topic, partition: tp.partition });
          this.write({ pause: { topic: tp.topic, partitions: [tp.partition] } });
        },
        release: (tp) => {
          if (this.pausedOnStream.delete(tpKey(tp))) this.write({ resume: { topic: tp.topic, partitions: [tp.partition] } });
        },
        taken: (tp) => {
          this.write({ taken: { topic: tp.topic, partitions: [tp.partition] } });
        },
        progressed: (tp, next) => {
          this.finished.set(tpKey(tp), { tp: { topic: tp.topic, partition: tp.partition }, next });
          if (this.options.autoCommit !== false || !this.owns(tp)) this.reportFinished();
        },
      },
      deadLetter: async (topic, record, from, error, attempts) => {
        this.deadLetters ??= new Producer(this.cluster, { acks: 'all' });
        await this.deadLetters.send({ topic, messages: [deadLetterMessage(record, from, error, attempts)] });
      },
      group: this.options.groupId,
      onFatal: (err) => {
        fatal ??= err;
        void this.close();
      },
    });
    this.runner = runner;
    this.chunksAhead = 1;
    const sessionTimeoutMs = this.options.sessionTimeoutMs || 45_000;
    const heartbeat = setInterval(() => {
      if (this.abandonIfSilent(runner)) return;
      const since = runner.oldestRunningSince();
      // A partition with no record finished for the session timeout: let the coordinator judge the member dead.
      if (since === undefined || systemClock.nowMs() - since < sessionTimeoutMs) this.write({ heartbeat: true });
    }, this.heartbeatEveryMs());
    try {
      while (!this.closed) {
        const iterator = await this.connect();
        if (!iterator) break;
        // A new stream starts with every partition unpaused.
        for (const tp of this.pausedOnStream.values()) this.write({ pause: { topic: tp.topic, partitions: [tp.partition] } });
        this.commits.newStream();
        try {
          for (;;) {
            const step = await iterator.next();
            if (step.done) break;
            const res = step.value;
            if (res.assignment) this.onRunAssignment(res.assignment, runner, sessionTimeoutMs);
            else if (res.committed) this.commits.committed(res.committed.offsets);
            else if (res.records && res.records.records.length > 0) {
              if (this.abandonIfSilent(runner)) continue;
              const { topic, partition } = res.records;
              const chunk = res.records.records.map((r) => toConsumedMessage(topic, partition, r));
              traceReceived(topic, partition, chunk, this.session?.link);
              runner.push(messagesChunk(chunk));
            }
          }
          if (this.closed) break;
        } catch (raw) {
          if (this.closed) break;
          const err = callError(raw, 'the group coordinator');
          if (!this.abandoned && !err.retriable && !REJOIN.has(err.reason)) throw err;
        }
        // The stream is gone: what it delivered and is not done is delivered again on the next.
        this.commits.fail(
          new SamsaError('NOT_COORDINATOR', 'the stream to the group coordinator ended before it acknowledged the commit; commit again'),
        );
        const call = this.call;
        this.call = undefined;
        call?.cancel();
        runner.remove(this.current ? flatten(this.current.partitions) : []);
        // The next stream's partitions are all new to it (their committed offsets may have moved).
        this.current = undefined;
      }
    } finally {
      clearInterval(heartbeat);
      await this.close();
      this.commits.fail(new SamsaError('NOT_COORDINATOR', 'the member closed before the coordinator acknowledged the commit'));
    }
    if (fatal) throw fatal;
  }

  /**
   * Under run(): reports every partition's finished offset now. Resolves once the coordinator has
   * acknowledged every offset reported so far as durable (acks=all in __consumer_offsets).
   */
  commit(): Promise<void> {
    this.reportFinished();
    if (!this.call) return Promise.resolve();
    return this.commits.wait(this.options.sessionTimeoutMs || 45_000);
  }

  /** Under run(): the partitions a handler error stopped, each at its failed record. */
  stoppedPartitions(): StoppedPartition[] {
    return this.runner?.stopped() ?? [];
  }

  /** The runner of run(), for tests and benchmarks that observe it. */
  get running(): Runner | undefined {
    return this.runner;
  }

  private onRunAssignment(assignment: v1.Assignment__Output, runner: Runner, sessionTimeoutMs: number): void {
    const before = this.current;
    this.current = toAssignment(assignment);
    const { now, removed } = changeAssignment(before, this.current, this.finished, this.commits);
    runner.keep(now);
    // The coordinator waits (half the session timeout) for what it sent of a revoked partition
    // to be reported: handle what is queued, within that, then report.
    runner.remove(removed, sessionTimeoutMs / 2);
    this.options.onAssignment?.(this.current);
  }

  private owns(tp: TopicPartition): boolean {
    return this.current?.partitions.some((p) => p.topic === tp.topic && p.partitions.includes(tp.partition)) ?? false;
  }

  private reportFinished(): void {
    if (!this.call) return;
    for (const [key, { tp, next }] of this.finished) {
      if ((this.commits.reported.get(key) ?? -1) >= next) continue;
      this.commits.reported.set(key, next);
      this.write({ processed: { topic: tp.topic, partition: tp.partition, offset: next } });
    }
  }

  /** Finds the coordinator and joins; resolves with the response iterator, or undefined when closed meanwhile. */
  private async connect(): Promise<AsyncIterator<v1.GroupConsumeResponse__Output> | undefined> {
    const opened = await openGroupStream(
      { cluster: this.cluster, groups: this.groups, options: this.options, closed: () => this.closed, signal: this.abort.signal },
      { maxChunksAhead: this.chunksAhead, assignOnly: false },
      (call) => {
        this.call = call;
        this.unreported = undefined;
        // The join is written right after: the new stream's silence counts from it.
        this.guard = call ? new SilenceGuard(this.options.sessionTimeoutMs || 45_000) : undefined;
        this.abandoned = false;
      },
    );
    if (!opened) return undefined;
    this.session = opened.session;
    return opened.responses;
  }
}
