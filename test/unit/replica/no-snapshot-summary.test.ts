/**
 * The count of replicas rebuilt without a producer snapshot (libs/replica no-snapshot-summary.ts):
 * everything during start in one line, later ones at most one line a minute (at the next rebuild
 * after it: no timer), the rest at close; nothing logged when nothing was counted. And what a
 * ReplicaManager logs for logs written before producer snapshots (ADR 0055).
 */
import { readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildBatch, validatedBatch, type ValidatedBatch } from '../../../libs/record/index.js';
import { ManualClock } from '../../../libs/runtime/index.js';
import { CLEAN_SHUTDOWN_FILE, ReplicaManager } from '../../../libs/replica/index.js';
import { NoSnapshotSummary } from '../../../libs/replica/no-snapshot-summary.js';
import { FakeView, partitionState, silentLogger, tempDir, topicRecord, TEST_INCARNATION } from './helpers.js';

const ME = 1;

function summary(): { s: NoSnapshotSummary; clock: ManualClock; logged: [number, number][] } {
  const logged: [number, number][] = [];
  const clock = new ManualClock(1_000_000);
  const s = new NoSnapshotSummary(
    { info: (o) => void logged.push([(o as { replicas: number }).replicas, (o as { sinceStart: number }).sinceStart]) },
    clock,
  );
  return { s, clock, logged };
}

describe('NoSnapshotSummary', () => {
  it('counts the rebuilds of start() into one line, then at most one line a minute, the rest at close', () => {
    const { s, clock, logged } = summary();
    for (let i = 0; i < 500; i++) s.add();
    expect(logged).toEqual([]);
    s.flush(); // start() has opened its replicas
    expect(logged).toEqual([[500, 500]]);
    clock.advance(10_000);
    s.add();
    s.add();
    expect(logged).toHaveLength(1);
    clock.advance(50_000);
    s.add(); // a minute after the last line
    expect(logged).toEqual([
      [500, 500],
      [3, 503],
    ]);
    clock.advance(1_000);
    s.add();
    s.flush(); // close()
    expect(logged.at(-1)).toEqual([1, 504]);
  });

  it('logs nothing when no replica lacked a snapshot', () => {
    const { s, logged } = summary();
    s.flush();
    s.flush();
    expect(logged).toEqual([]);
  });
});

describe('ReplicaManager without producer snapshots', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });
  const dataDir = (): string => {
    const tmp = tempDir('no-snapshot');
    cleanups.push(() => tmp.remove());
    return tmp.dir;
  };
  const run = async (view: FakeView, dir: string, logger = silentLogger): Promise<ReplicaManager> => {
    const manager = await ReplicaManager.start({ brokerId: ME, dataDir: dir, view, logger, retentionCheckMs: 0, checkpointIntervalMs: 0 });
    manager.setIncarnation(TEST_INCARNATION);
    cleanups.push(() => manager.close());
    return manager;
  };

  it('replicas rebuilt without a producer snapshot (every multi-segment log after an upgrade) are one info line with their count, not a warning each', async () => {
    const dir = dataDir();
    const view = new FakeView();
    view.createTopic(topicRecord('old', 2, { segmentBytes: 1024 * 1024 }), ME);
    for (const p of [0, 1]) view.setPartition(partitionState('old', p, ME, [ME], 3));
    const one = await run(view, dir);
    const big = (fill: string): ValidatedBatch => validatedBatch(buildBatch([{ value: Buffer.alloc(400_000, fill) }], { nowMs: 1 }));
    for (const p of [0, 1]) for (const fill of 'abcd') await one.get('old', p)?.append(big(fill), { acks: 'leader', minInsyncReplicas: 1 });
    await one.close();
    // What a log written before producer snapshots looks like: segments, no snapshot files. And
    // no clean-shutdown marker, so start() opens and rebuilds both.
    for (const p of [0, 1]) {
      const files = readdirSync(join(dir, `old-${p}`));
      expect(files.filter((f) => f.endsWith('.log')).length, `old-${p} segments`).toBeGreaterThan(1);
      for (const f of files) if (f.endsWith('.snapshot')) unlinkSync(join(dir, `old-${p}`, f));
    }
    unlinkSync(join(dir, CLEAN_SHUTDOWN_FILE));
    const lines: { level: number; msg: string; replicas?: number; sinceStart?: number }[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
    const manager = await run(view, dir, logger);
    expect(manager.get('old', 0)?.logOpen).toBe(true);
    const about = lines.filter((l) => l.msg.includes('no producer snapshot'));
    expect(about.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual([]);
    expect(about.filter((l) => l.level === 30).map((l) => [l.replicas, l.sinceStart])).toEqual([[2, 2]]);
    expect(about.filter((l) => l.level === 20)).toHaveLength(2);
  });
});
