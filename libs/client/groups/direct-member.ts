/**
 * A member of a consumer group that reads its partitions itself (assign-only membership, the SDK's
 * default): the coordinator assigns partitions, judges liveness and commits; this side fetches the
 * assigned partitions straight from their leaders with an assigned {@link Consumer} (streaming
 * Consume), so no record passes through the coordinator (issue 17; docs/groups.md, ADR 0048).
 *
 * On the GroupConsume stream this side sends `join {assign_only}`, then `processed` offsets of
 * what finished (a chunk once the next one is asked for, or under run() once its handler ended)
 * every `autoCommitIntervalMs` (member-reports.ts: each report is a commit, so not after every
 * chunk), `heartbeat` every third of the session timeout (nobody keeps an assign-only member alive
 * for it), and `revoked` for each partition taken away, once it is no longer fetched or handled and
 * everything finished was reported, whatever the interval. The coordinator hands a partition on
 * only after that word (or after removing this member), so two members never handle the same
 * offsets after a rebalance.
 *
 * - A newly assigned partition starts at the committed offset the assignment carries (the previous
 *   owner committed before it gave it up), or at `reset` when there is none or it is out of range.
 * - Taken away: its fetching stops at once (fetched chunks not handed out are dropped); under run()
 *   its queued chunks are handled first for at most half the session timeout (then the handler in
 *   hand is asked to stop, as in relay mode); with the iterators, a chunk of it in the caller's hand
 *   is reported when the next is asked for, and only then is the partition given up.
 * - The stream lost (coordinator moved or gone), or the process killed: every partition stops at
 *   once; the member joins again and starts what it is given from the committed offsets, so what
 *   was handled and not yet reported (at most an interval's worth) is delivered again
 *   (at-least-once, as in relay mode).
 * - Liveness: heartbeats stop while a chunk in hand (iterators) or a running partition (run())
 *   has made no progress for the session timeout: the coordinator then removes the member.
 * - A member that went silent for about its session timeout (its process stopped) may have been
 *   removed meanwhile: it gives the stream up as if it were lost, so what it had fetched and not
 *   handed out is dropped, and joins again (silence-guard.ts).
 *
 * Owns its Consumer (and through it the fetch streams and the runner), the heartbeat timer, the
 * reports' timer and the GroupConsume call; close() ends them all.
 */
import { SamsaError } from '../../errors/index.js';
import type { v1 } from '../../rpc/index.js';
import type { Cluster } from '../routing/cluster.js';
import { traceReceived, type SessionSpan } from '../../telemetry/index.js';
import { callError } from '../errors.js';
import { Consumer } from '../consumer/consumer.js';
import type { ConsumedMessage } from '../consumer/partition-stream.js';
import type { TopicPartition } from '../consumer/assignment.js';
import type { RunOptions, StoppedPartition } from '../runner/run-options.js';
import type { Runner } from '../runner/runner.js';
import type { Groups } from './groups.js';
import type { GroupAssignment, GroupConsumerOptions } from './group-consumer.js';
import {
  CommitTracker,
  REJOIN,
  endGroupStream,
  changeAssignment,
  openGroupStream,
  toAssignment,
  tpKey,
  type GroupCall,
} from './group-stream.js';
import { systemClock } from '../../runtime/index.js';
import { SilenceGuard } from './silence-guard.js';
import { DEFAULT_AUTO_COMMIT_INTERVAL_MS, MemberReports } from './member-reports.js';

const DEFAULT_SESSION_TIMEOUT_MS = 45_000;

export class DirectMember {
  private call: GroupCall | undefined;
  private session: SessionSpan | undefined;
  private consumer: Consumer | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private handedOut = false;
  private runMode = false;
  private current: GroupAssignment | undefined;
  private failure: Error | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Iterators: the chunk in the caller's hand (reported when the next is asked for), and since when. */
  private unreported: ConsumedMessage[] | undefined;
  private handedOutAt = 0;
  /** Iterators: partitions taken away while a chunk of theirs was in hand: given up once it is finished. */
  private readonly revokeAfterReport = new Map<string, TopicPartition>();
  private readonly commits = new CommitTracker();
  /** Finished offsets per partition, and when they are reported `processed`. */
  private readonly reports: MemberReports;
  private readonly sessionTimeoutMs: number;
  /** The current stream's: whether this member may have been removed while it stood still. */
  private guard: SilenceGuard | undefined;
  /** Set when this side gave up the current stream (silence-guard.ts); its end is then no error. */
  private abandoned = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly groups: Groups,
    private readonly options: GroupConsumerOptions,
  ) {
    this.sessionTimeoutMs = options.sessionTimeoutMs || DEFAULT_SESSION_TIMEOUT_MS;
    this.reports = new MemberReports(
      { connected: () => this.call !== undefined, write: (request) => this.write(request) },
      this.commits.reported,
      options.autoCommitIntervalMs ?? DEFAULT_AUTO_COMMIT_INTERVAL_MS,
    );
  }

  get assignment(): GroupAssignment | undefined {
    return this.current;
  }

  /** The runner of run(), for tests and benchmarks that observe it. */
  get running(): Runner | undefined {
    return this.consumer?.running;
  }

  stoppedPartitions(): StoppedPartition[] {
    return this.consumer?.running?.stopped() ?? [];
  }

  /** Records as they arrive, one array per partition chunk. Read once. */
  async *chunks(): AsyncGenerator<ConsumedMessage[], void, undefined> {
    const consumer = this.start(false);
    const membership = this.membership();
    try {
      for await (const chunk of consumer.chunks()) {
        const first = chunk[0];
        // Fetched before its partition was taken away (or before a silence that may have cost the
        // membership): not ours to hand out any more.
        if (!first || this.abandonIfSilent() || !this.owns(first)) continue;
        traceReceived(first.topic, first.partition, chunk, this.session?.link);
        this.unreported = chunk;
        this.handedOutAt = systemClock.nowMs();
        yield chunk;
        this.report();
      }
      if (this.failure) throw this.failure;
    } finally {
      await this.close();
      await membership;
    }
  }

  /** run() of the group consumer (RunOptions): handlers over the assigned partitions until close(). */
  async run(options: RunOptions): Promise<void> {
    const consumer = this.start(true);
    const membership = this.membership();
    try {
      await consumer.run(options);
    } finally {
      await this.close();
      await membership;
    }
    if (this.failure) throw this.failure;
  }

  /** Reports every finished offset now; resolves once the coordinator says they are durable. */
  commit(): Promise<void> {
    this.reports.flush();
    if (!this.call) return Promise.resolve();
    return this.commits.wait(this.sessionTimeoutMs);
  }

  /** Stops the handlers (or reports the chunk in hand), reports, leaves and waits for the last commit. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    clearInterval(this.heartbeat);
    this.reports.close();
    if (this.runMode) {
      // Stops every handler after the record in hand; what they finished is then reported.
      await this.consumer?.close();
      this.reports.flush();
    } else {
      this.report();
      this.reports.flush();
      await this.consumer?.close();
    }
    this.commits.fail(new SamsaError('NOT_COORDINATOR', 'the member closed before the coordinator acknowledged the commit'));
    const call = this.call;
    if (call) await endGroupStream(call);
  }

  private start(runMode: boolean): Consumer {
    if (this.handedOut) throw new Error(`the member of group "${this.options.groupId}" is already being read`);
    this.handedOut = true;
    this.runMode = runMode;
    this.consumer = new Consumer(
      this.cluster,
      this.groups,
      {
        reset: this.options.reset ?? 'earliest',
        // A partition without a leader for a while (an election, a broker restarting) is waited
        // for as long as a lost coordinator is (the member keeps its partitions meanwhile); a
        // relay member would rejoin instead, which moves them.
        retry: this.options.retry ?? { ...this.cluster.options.retry, retries: 30, maxElapsedMs: 120_000 },
        // The iterators make the receive spans themselves, linked to the member's session.
        ...(runMode ? {} : { traceReceive: false }),
      },
      { group: this.options.groupId, progressed: (tp, next) => this.progressed(tp, next) },
    );
    this.heartbeat = setInterval(
      () => {
        if (!this.abandonIfSilent() && !this.stuck()) this.write({ heartbeat: true });
      },
      Math.max(1_000, Math.floor(this.sessionTimeoutMs / 3)),
    );
    return this.consumer;
  }

  /** True while the work in hand has made no progress for the session timeout: let the coordinator judge the member dead. */
  private stuck(): boolean {
    const now = systemClock.nowMs();
    if (this.runMode) {
      const since = this.consumer?.running?.oldestRunningSince();
      return since !== undefined && now - since >= this.sessionTimeoutMs;
    }
    return this.unreported !== undefined && now - this.handedOutAt >= this.sessionTimeoutMs;
  }

  /** Joins, follows assignments and commit answers, rejoins after a lost stream; on a failure that is not retriable, closes. */
  private async membership(): Promise<void> {
    try {
      while (!this.closed) {
        const opened = await openGroupStream(
          { cluster: this.cluster, groups: this.groups, options: this.options, closed: () => this.closed, signal: this.abort.signal },
          { maxChunksAhead: 0, assignOnly: true },
          (call) => {
            this.call = call;
            // The join is written right after: the new stream's silence counts from it.
            this.guard = call ? new SilenceGuard(this.sessionTimeoutMs) : undefined;
            this.abandoned = false;
          },
        );
        if (!opened) break;
        this.session = opened.session;
        this.commits.newStream();
        try {
          for (;;) {
            const step = await opened.responses.next();
            if (step.done) break;
            const res = step.value;
            if (res.assignment) this.onAssignment(res.assignment);
            else if (res.committed) this.commits.committed(res.committed.offsets);
          }
        } catch (raw) {
          if (this.closed) break;
          const err = callError(raw, 'the group coordinator');
          if (!this.abandoned && !err.retriable && !REJOIN.has(err.reason)) throw err;
        }
        if (this.closed) break;
        this.lostStream();
      }
    } catch (err) {
      this.failure ??= err instanceof Error ? err : new Error(String(err));
      void this.close();
    }
  }

  /** Every message to the coordinator goes through here: the guard counts silence from the last one. */
  private write(request: v1.GroupConsumeRequest): void {
    if (!this.call || this.abandoned) return;
    this.guard?.spoke();
    this.call.write(request);
  }

  /**
   * When this member went silent long enough to have been removed (silence-guard.ts), it gives
   * the stream up: every partition stops at once and what was fetched and not handed out is
   * dropped (lostStream, when the membership loop sees the call end), then it joins again.
   */
  private abandonIfSilent(): boolean {
    if (!this.call || !this.guard?.mayBeRemoved()) return false;
    if (!this.abandoned) {
      this.abandoned = true;
      this.unreported = undefined;
      // Nothing fetched is handed out from here on: the assignment in force is no longer ours.
      this.current = undefined;
      this.call.cancel();
    }
    return true;
  }

  /** The stream is gone, and the membership with it: every partition stops now. */
  private lostStream(): void {
    this.commits.fail(
      new SamsaError('NOT_COORDINATOR', 'the stream to the group coordinator ended before it acknowledged the commit; commit again'),
    );
    const call = this.call;
    this.call = undefined;
    call?.cancel();
    this.unreported = undefined;
    this.revokeAfterReport.clear();
    this.current = undefined;
    if (!this.closed) this.consumer?.assignFromGroup([]);
  }

  private onAssignment(a: v1.Assignment__Output): void {
    if (this.closed) return;
    const before = this.current;
    this.current = toAssignment(a);
    const { now, removed } = changeAssignment(before, this.current, this.reports.finished, this.commits);
    const committed = new Map(a.committed.map((c) => [tpKey(c), c.offset]));
    this.consumer?.assignFromGroup(
      now.map((tp) => ({ ...tp, committed: committed.get(tpKey(tp)) })),
      this.sessionTimeoutMs / 2,
    );
    this.options.onAssignment?.(this.current);
    if (removed.length > 0) void this.giveUp(removed, this.call);
  }

  /** Says `revoked` for partitions taken away, once nothing of them is fetched or handled and their progress is reported. */
  private async giveUp(tps: TopicPartition[], call: GroupCall | undefined): Promise<void> {
    let now = tps;
    if (this.runMode) {
      await this.consumer?.running?.gone(tps);
      this.reports.flush();
    } else {
      const inHand = this.unreported?.[0];
      if (inHand) {
        const key = tpKey(inHand);
        const held = tps.find((tp) => tpKey(tp) === key);
        if (held) this.revokeAfterReport.set(key, held);
        now = tps.filter((tp) => tpKey(tp) !== key);
      }
    }
    // A new stream meanwhile knows nothing of these: the membership they belonged to is gone.
    if (call && call === this.call && !this.closed) this.reports.revoke(now);
  }

  private owns(tp: TopicPartition): boolean {
    return this.current?.partitions.some((p) => p.topic === tp.topic && p.partitions.includes(tp.partition)) ?? false;
  }

  /** Iterators: the chunk handed out last is finished (and its partition given up now if it was taken away meanwhile). */
  private report(): void {
    const chunk = this.unreported;
    this.unreported = undefined;
    const last = chunk?.at(-1);
    if (!last || !this.call) return;
    this.reports.finish(last, last.offset + 1);
    const revoked = this.revokeAfterReport.get(tpKey(last));
    if (revoked) {
      this.revokeAfterReport.delete(tpKey(last));
      this.reports.revoke([revoked]);
    } else this.reports.auto();
  }

  private progressed(tp: TopicPartition, next: number): void {
    this.reports.finish(tp, next);
    // A partition being given up reports at once: its `revoked` waits for it.
    if (!this.owns(tp)) this.reports.flush();
    else if (this.options.autoCommit !== false) this.reports.auto();
  }
}
