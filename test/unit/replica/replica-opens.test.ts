/**
 * When a ReplicaManager opens its replicas' files (ADR 0051: lazily hosted replicas open on first
 * use): how many at once; and when it closes them again (idle for idleReplicaCloseMs, or the least
 * recently used beyond maxOpenReplicas).
 */
import { describe, it, expect, afterEach, vi } from 'vitest';
import { buildBatch, validatedBatch, type ValidatedBatch } from '../../../libs/record/index.js';
import { DEFAULT_LOG_CONFIG, PartitionLog, type LogConfig } from '../../../libs/log/index.js';
import { LazyLog, ReplicaManager, emptySummary } from '../../../libs/replica/index.js';
import { ManualClock } from '../../../libs/runtime/index.js';
import { FakeView, silentLogger, tempDir, topicRecord, TEST_INCARNATION } from './helpers.js';

const ME = 1;
const batch = (v: string): ValidatedBatch => validatedBatch(buildBatch([{ value: Buffer.from(v) }], { nowMs: 1 }));

describe('ReplicaManager: opening replicas', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });
  const start = async (view: FakeView, extra: Partial<Parameters<typeof ReplicaManager.start>[0]> = {}): Promise<ReplicaManager> => {
    const tmp = tempDir('opens');
    cleanups.push(() => tmp.remove());
    const manager = await ReplicaManager.start({
      brokerId: ME,
      dataDir: tmp.dir,
      view,
      logger: silentLogger,
      retentionCheckMs: 0,
      checkpointIntervalMs: 0,
      ...extra,
    });
    manager.setIncarnation(TEST_INCARNATION);
    cleanups.push(() => manager.close());
    return manager;
  };

  it('lazily hosted replicas used all at once open their files at most 8 at a time (each open holds descriptors beside the file pool)', async () => {
    const view = new FakeView();
    view.createTopic(topicRecord('many', 40), ME);
    let opening = 0;
    let peak = 0;
    const manager = await start(view, {
      openLog: async (dir, config, logger, hooks) => {
        opening++;
        peak = Math.max(peak, opening);
        try {
          // Long enough for every first use below to have asked for its open meanwhile.
          await new Promise((resolve) => setTimeout(resolve, 20));
          return await PartitionLog.open(dir, config, { logger, ...hooks });
        } finally {
          opening--;
        }
      },
    });
    const all = manager.partitions();
    expect(all.length).toBe(40);
    expect(all.every((p) => !p.logOpen)).toBe(true);
    await Promise.all(all.map((p) => p.append(batch('x'), { acks: 'leader', minInsyncReplicas: 1 })));
    expect(all.every((p) => p.logOpen && p.logEndOffset === 1)).toBe(true);
    expect(peak, 'logs opening at the same moment').toBe(8);
  });

  const idempotent = (seq: number, v: string): ValidatedBatch =>
    validatedBatch(buildBatch([{ value: Buffer.from(v) }], { nowMs: 1, producerId: 9, producerEpoch: 0, baseSequence: seq }));
  const leaderAppend = { acks: 'leader', minInsyncReplicas: 1 } as const;

  it('a replica not used for idleReplicaCloseMs closes its files and answers as before; its next use opens them again, producers known', async () => {
    const clock = new ManualClock(1_000);
    const view = new FakeView();
    view.createTopic(topicRecord('t', 2), ME);
    const manager = await start(view, { clock, idleReplicaCloseMs: 60_000, idleCheckMs: 3_600_000 });
    const p0 = manager.get('t', 0);
    await p0?.append(idempotent(0, 'a'), leaderAppend);
    await p0?.append(idempotent(1, 'b'), leaderAppend);
    clock.advance(59_999);
    expect(await manager.closeIdleReplicas()).toBe(0);
    expect(p0?.logOpen).toBe(true);
    // A read at the end (a follower or consumer polling an idle partition) is not a use.
    await p0?.readForFollower(2, 1024);
    clock.advance(1);
    expect(await manager.closeIdleReplicas()).toBe(1);
    expect(p0?.logOpen).toBe(false);
    expect(manager.get('t', 1)?.logOpen).toBe(false);
    expect([p0?.logStartOffset, p0?.logEndOffset, p0?.latestEpoch]).toEqual([0, 2, 0]);
    // The retry of an idempotent batch in the log is answered with its offset, not written again.
    expect((await p0?.append(idempotent(1, 'b'), leaderAppend))?.baseOffset).toBe(1);
    expect(p0?.logOpen).toBe(true);
    expect((await p0?.append(idempotent(2, 'c'), leaderAppend))?.baseOffset).toBe(2);
    const read = await p0?.readForFollower(0, 1 << 20);
    expect(read?.bytes.length).toBeGreaterThan(0);
  });

  it('a replica whose idle close fails goes offline (files let go unclean), and reopens recovered with every acknowledged record', async () => {
    const clock = new ManualClock(1_000);
    const view = new FakeView();
    view.createTopic(topicRecord('t', 1), ME);
    let closeFails = true;
    const reports: string[][] = [];
    const manager = await start(view, {
      clock,
      idleReplicaCloseMs: 60_000,
      idleCheckMs: 3_600_000,
      offlineRetryMs: 1,
      onOfflineChange: (offline) => reports.push(offline.map((o) => `${o.topic}-${o.partition}`)),
      openLog: async (dir, config, logger, hooks) => {
        const log = await PartitionLog.open(dir, config, { logger, ...hooks });
        const close = log.close.bind(log);
        // A flush that fails: nothing closed, nothing marked clean.
        log.close = () => (closeFails ? Promise.reject(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })) : close());
        return log;
      },
    });
    const p0 = manager.get('t', 0);
    await p0?.append(batch('a'), leaderAppend);
    await p0?.append(batch('b'), leaderAppend);
    clock.advance(60_000);
    // Was: the close's error escaped closeIdleReplicas, and the replica went on serving its closed files.
    expect(await manager.closeIdleReplicas()).toBe(0);
    expect(manager.get('t', 0)).toBeUndefined();
    expect(reports.at(-1)).toEqual(['t-0']);
    await expect(p0?.append(batch('c'), leaderAppend)).rejects.toMatchObject({ reason: 'STORAGE_ERROR' });
    closeFails = false;
    clock.advance(1);
    await vi.waitFor(() => expect(manager.get('t', 0)).toBeDefined(), { timeout: 30_000 });
    expect(reports.at(-1)).toEqual([]);
    const back = manager.get('t', 0);
    expect(back?.logEndOffset).toBe(2);
    const read = await back?.readForFollower(0, 1 << 20);
    expect(read?.bytes.length).toBeGreaterThan(0);
  });

  it('beyond maxOpenReplicas the least recently used replicas not in use close', async () => {
    const clock = new ManualClock(1_000);
    const view = new FakeView();
    view.createTopic(topicRecord('t', 4), ME);
    let gate: Promise<void> | undefined;
    const manager = await start(view, {
      clock,
      maxOpenReplicas: 1,
      idleCheckMs: 3_600_000,
      openLog: async (dir, config, logger, hooks) => {
        const log = await PartitionLog.open(dir, config, { logger, ...hooks });
        const append = log.appendAsLeader.bind(log);
        log.appendAsLeader = async (...args) => {
          await gate;
          return append(...args);
        };
        return log;
      },
    });
    const [p0, p1, p2, p3] = [0, 1, 2, 3].map((i) => manager.get('t', i));
    for (const p of [p3, p0, p2]) {
      await p?.append(batch('x'), leaderAppend);
      clock.advance(10);
    }
    // p1 is in use (its append waits) when the limit is enforced: it is open but never closed then.
    let release!: () => void;
    gate = new Promise<void>((resolve) => (release = resolve));
    const inUse = p1?.append(batch('y'), leaderAppend);
    await vi.waitFor(() => expect(p1?.logOpen).toBe(true));
    expect(await manager.closeIdleReplicas()).toBe(3);
    expect([p0, p1, p2, p3].map((p) => p?.logOpen)).toEqual([false, true, false, false]);
    release();
    expect((await inUse)?.baseOffset).toBe(0);
    // Now p1 is the only one open: at the limit, nothing to close.
    expect(await manager.closeIdleReplicas()).toBe(0);
    expect([p0, p2, p3].map((p) => p?.logEndOffset)).toEqual([1, 1, 1]);
  });
});

describe('LazyLog.release', () => {
  const dirs: { remove(): void }[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });
  const lazyOnDisk = (fsync: LogConfig['fsync']['mode']): LazyLog => {
    const tmp = tempDir('release');
    dirs.push(tmp);
    const config: LogConfig = { ...DEFAULT_LOG_CONFIG, fsync: { mode: fsync, intervalMs: 3_600_000 } };
    return new LazyLog({ summary: emptySummary(), config, dir: tmp.dir, name: 't-0', open: (c) => PartitionLog.open(tmp.dir, c) });
  };

  it('closes the files and answers from their summary; it vouches for the recovery checkpoint only if the log was durable', async () => {
    for (const fsync of ['always', 'never'] as const) {
      const log = lazyOnDisk(fsync);
      expect(await log.release(), 'nothing open yet').toBe(false);
      await log.appendAsLeader(batch('a'), 2);
      await log.appendAsLeader(batch('b'), 3);
      const bytes = log.activeSegmentBytes;
      expect(log.isDurable(), fsync).toBe(fsync === 'always');
      expect(await log.release()).toBe(true);
      expect(log.materialized).toBe(false);
      expect([log.logStartOffset, log.logEndOffset, log.latestEpoch, log.segmentCount]).toEqual([0, 2, 3, 1]);
      expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 2, endOffset: 1 });
      // The checkpoint may name it only with the active segment's size, which it keeps only when durable.
      expect(log.activeSegmentBytes, fsync).toBe(fsync === 'always' ? bytes : undefined);
      expect(log.isDurable(), fsync).toBe(fsync === 'always');
      expect(await log.release(), 'already closed').toBe(false);
      // Read below the end: opened again, from the same files.
      expect((await log.read(0, 1 << 20)).nextOffset).toBe(2);
      expect(log.materialized).toBe(true);
      await log.close();
      expect(await log.release(), 'closed for good').toBe(false);
    }
  });
});
