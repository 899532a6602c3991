/**
 * A direct group member's `processed` reports (groups/member-reports.ts): on its interval, not per
 * chunk; and whatever the interval, everything finished before `revoked`, on flush (commit(),
 * close) and for a partition no longer owned. Time: a ManualClock for the interval, vitest's fake
 * setTimeout for the one timer (advanced together).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../libs/runtime/index.js';
import type { v1 } from '../../../libs/rpc/index.js';
import { MemberReports } from '../../../libs/client/groups/member-reports.js';

const tp = (partition: number): { topic: string; partition: number } => ({ topic: 't', partition });

function setup(intervalMs: number) {
  const clock = new ManualClock(1_000_000);
  const written: v1.GroupConsumeRequest[] = [];
  const port = { connected: () => true, write: (r: v1.GroupConsumeRequest) => void written.push(r) };
  const reported = new Map<string, number>();
  const reports = new MemberReports(port, reported, intervalMs, clock);
  const advance = (ms: number): void => {
    clock.advance(ms);
    vi.advanceTimersByTime(ms);
  };
  /** What was written, as "p<partition>@<offset>" and "revoked <partitions>". */
  const said = (): string[] =>
    written.map((r) => (r.processed ? `p${r.processed.partition}@${r.processed.offset}` : `revoked ${r.revoked?.partitions?.join(',')}`));
  return { clock, port, reported, reports, advance, said, written };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('MemberReports (a direct member reports processed on an interval)', () => {
  it('reports the chunks finished within an interval once, with the latest offset of each partition', () => {
    const { reports, advance, said } = setup(5_000);
    // Chunk after chunk, as a fast member reads: the old member wrote a processed (a commit) for each.
    for (let i = 1; i <= 10; i++) {
      reports.finish(tp(0), i * 100);
      reports.auto();
      reports.finish(tp(1), i * 50);
      reports.auto();
      advance(100);
    }
    expect(said()).toEqual([]);
    advance(4_000);
    expect(said()).toEqual(['p0@1000', 'p1@500']);
    // Nothing new: nothing more, however long.
    advance(60_000);
    expect(said()).toEqual(['p0@1000', 'p1@500']);
  });

  it("reports a quiet partition's last offsets when the interval is up, without another chunk", () => {
    const { reports, advance, said } = setup(5_000);
    advance(10_000);
    // The interval is long past: the first finished offset goes at once, and starts the next interval.
    reports.finish(tp(3), 7);
    reports.auto();
    expect(said()).toEqual(['p3@7']);
    reports.finish(tp(3), 9);
    reports.auto();
    advance(4_999);
    expect(said()).toEqual(['p3@7']);
    advance(1);
    expect(said()).toEqual(['p3@7', 'p3@9']);
  });

  it('flush (commit, close) reports everything finished at once and starts the interval again', () => {
    const { reports, advance, said } = setup(5_000);
    reports.finish(tp(0), 3);
    reports.auto();
    reports.finish(tp(1), 4);
    reports.flush();
    expect(said()).toEqual(['p0@3', 'p1@4']);
    advance(4_999);
    reports.finish(tp(0), 5);
    reports.auto();
    // 4,999 ms after the flush: not yet; its timer runs from the flush.
    expect(said()).toEqual(['p0@3', 'p1@4']);
    advance(1);
    expect(said()).toEqual(['p0@3', 'p1@4', 'p0@5']);
  });

  it('reports what finished before it says revoked, so the coordinator commits it before the handoff', () => {
    const { reports, said } = setup(60_000);
    reports.finish(tp(0), 10);
    reports.auto();
    reports.finish(tp(1), 20);
    reports.auto();
    reports.revoke([tp(1)]);
    expect(said()).toEqual(['p0@10', 'p1@20', 'revoked 1']);
  });

  it('close() stops the timer; a flush after it (the last report) still goes out', () => {
    const { reports, advance, said } = setup(5_000);
    reports.finish(tp(0), 10);
    reports.auto();
    reports.close();
    advance(10_000);
    expect(said()).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    reports.finish(tp(0), 11);
    reports.auto();
    expect(vi.getTimerCount()).toBe(0);
    reports.flush();
    expect(said()).toEqual(['p0@11']);
  });

  it('with interval 0 reports every finished offset at once (the behaviour before the interval)', () => {
    const { reports, said } = setup(0);
    for (const next of [1, 2, 3]) {
      reports.finish(tp(0), next);
      reports.auto();
    }
    expect(said()).toEqual(['p0@1', 'p0@2', 'p0@3']);
  });

  it("reports nothing without a stream, and an offset once per stream (reported is the stream's tracker)", () => {
    const s = setup(0);
    let connected = false;
    s.port.connected = () => connected;
    s.reports.finish(tp(0), 5);
    s.reports.auto();
    expect(s.said()).toEqual([]);
    connected = true;
    s.reports.flush();
    s.reports.flush();
    expect(s.said()).toEqual(['p0@5']);
    // A new stream (CommitTracker.newStream clears `reported`): what finished is reported on it again.
    s.reported.clear();
    s.reports.flush();
    expect(s.said()).toEqual(['p0@5', 'p0@5']);
  });
});
