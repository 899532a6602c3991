/**
 * A direct (assign-only) group member's `processed` reports: what it finished per partition, and
 * when it says so. Each report becomes a commit on the coordinator (an acks=all write to
 * __consumer_offsets, answered `committed`), so they go on an interval (`autoCommitIntervalMs`,
 * default 5 s, as Kafka's auto.commit.interval.ms) instead of after every chunk, which cost the
 * coordinator and the brokers a commit per chunk read (~1 MiB).
 *
 * The interval changes only how much a crash re-delivers (what finished since the last report,
 * from the last commit: at-least-once). Everything finished is reported at once, whatever the
 * interval, before `revoked` (so the next owner starts after it: the handoff rule), on flush()
 * (commit(), close) and for a partition no longer owned. An interval of 0 reports every finished
 * offset at once (the behaviour before the interval).
 *
 * Owns one timer (armed while something finished waits for the interval, so the last offsets of a
 * partition that goes quiet are reported too); close() clears it.
 */
import type { v1 } from '../../rpc/index.js';
import { systemClock, type Clock } from '../../runtime/index.js';
import type { TopicPartition } from '../consumer/assignment.js';
import { tpKey } from './group-stream.js';

/** Kafka's auto.commit.interval.ms default. */
export const DEFAULT_AUTO_COMMIT_INTERVAL_MS = 5_000;

export interface ReportsPort {
  /** True while there is a stream to report on (reports made without one are not counted as reported). */
  connected(): boolean;
  write(request: v1.GroupConsumeRequest): void;
}

export class MemberReports {
  /** Per partition (tpKey): the next offset to read after what finished. */
  readonly finished = new Map<string, { tp: TopicPartition; next: number }>();
  private timer: NodeJS.Timeout | undefined;
  private nextAt: number;
  private closed = false;

  constructor(
    private readonly port: ReportsPort,
    /** Per partition: the last offset reported on the current stream (CommitTracker.reported). */
    private readonly reported: Map<string, number>,
    private readonly intervalMs: number = DEFAULT_AUTO_COMMIT_INTERVAL_MS,
    private readonly clock: Clock = systemClock,
  ) {
    this.nextAt = clock.nowMs() + intervalMs;
  }

  /** `next` is finished for `tp` (every offset below it handled); reported by auto(), flush() or revoke(). */
  finish(tp: TopicPartition, next: number): void {
    this.finished.set(tpKey(tp), { tp: { topic: tp.topic, partition: tp.partition }, next });
  }

  /** Auto-commit: reports now when the interval has passed since the last report, else makes sure a timer does when it has. */
  auto(): void {
    if (this.closed) return;
    const now = this.clock.nowMs();
    if (now >= this.nextAt) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.nextAt - now);
  }

  /** Reports every finished offset not yet reported on this stream; the next interval counts from here. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.nextAt = this.clock.nowMs() + this.intervalMs;
    if (!this.port.connected()) return;
    for (const [key, { tp, next }] of this.finished) {
      if ((this.reported.get(key) ?? -1) >= next) continue;
      this.reported.set(key, next);
      this.port.write({ processed: { topic: tp.topic, partition: tp.partition, offset: next } });
    }
  }

  /** Gives `tps` up: reports what finished first, then says `revoked`, so the coordinator commits it before it hands them on. */
  revoke(tps: readonly TopicPartition[]): void {
    if (tps.length === 0 || !this.port.connected()) return;
    this.flush();
    const byTopic = new Map<string, number[]>();
    for (const tp of tps) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
    for (const [topic, partitions] of byTopic) this.port.write({ revoked: { topic, partitions } });
  }

  /** No timer from here on; flush() still reports (close reports last). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
