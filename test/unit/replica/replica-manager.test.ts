import { describe, it, expect, afterEach, vi } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBatch, validatedBatch, type ValidatedBatch } from '../../../libs/record/index.js';
import { SamsaError, hasReason } from '../../../libs/errors/index.js';
import {
  ReplicaManager,
  parsePartitionDirName,
  partitionDirName,
  CLEAN_SHUTDOWN_FILE,
  REPLICA_SUMMARIES_FILE,
} from '../../../libs/replica/index.js';
import { FakeView, partitionState, silentLogger, tempDir, topicRecord, TEST_INCARNATION } from './helpers.js';

const ME = 1;
const batch = (v: string): ValidatedBatch => validatedBatch(buildBatch([{ value: Buffer.from(v) }], { nowMs: 1 }));
const settle = (manager: ReplicaManager): Promise<void> => manager.whenReconciled();

describe('ReplicaManager', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  async function start(view: FakeView, dir?: string): Promise<{ manager: ReplicaManager; dir: string }> {
    let dataDir = dir;
    if (!dataDir) {
      const tmp = tempDir('replicas');
      cleanups.push(() => tmp.remove());
      dataDir = tmp.dir;
    }
    const manager = await startRegistered({ brokerId: ME, dataDir, view, logger: silentLogger, retentionCheckMs: 0 });
    cleanups.push(() => manager.close());
    return { manager, dir: dataDir };
  }

  it('hosts every partition assigned to this broker, and only those; a new one gets <dataDir>/<topic>-<partition> on its first write', async () => {
    const view = new FakeView();
    view.createTopic(topicRecord('mine', 2), ME);
    view.createTopic(topicRecord('theirs', 1), 2);
    view.setPartition(partitionState('theirs', 0, 2, [2], 0, [2]));
    const { manager, dir } = await start(view);
    expect(
      manager
        .partitions()
        .map((p) => `${p.topic}-${p.partition}`)
        .sort(),
    ).toEqual(['mine-0', 'mine-1']);
    const partitionDirs = (): string[] =>
      readdirSync(dir)
        .filter((n) => parsePartitionDirName(n))
        .sort();
    // Nothing written yet: no directory, no open file (ADR 0051).
    expect(partitionDirs()).toEqual([]);
    expect(manager.get('mine', 1)?.role).toBe('leader');
    expect(manager.get('mine', 1)?.logOpen).toBe(false);
    await manager.get('mine', 1)?.append(batch('first'), { acks: 'leader', minInsyncReplicas: 1 });
    expect(partitionDirs()).toEqual(['mine-1']);
    expect(manager.get('mine', 1)?.logOpen).toBe(true);
    expect(manager.get('mine', 1)?.logEndOffset).toBe(1);
  });

  it('follows topics created later and leadership changes', async () => {
    const view = new FakeView();
    const { manager } = await start(view);
    view.createTopic(topicRecord('late', 1), ME);
    const p = await manager.partition('late', 0);
    expect(p?.role).toBe('leader');
    view.setPartition(partitionState('late', 0, 2, [2, ME], 1, [ME, 2]));
    expect(p?.role).toBe('follower');
    expect(p?.leaderEpoch).toBe(1);
  });

  it('closes and deletes the replicas of a deleted topic, failing their waiters with UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const view = new FakeView();
    view.createTopic(topicRecord('doomed', 1), ME);
    const { manager, dir } = await start(view);
    const p = manager.get('doomed', 0);
    expect(p).toBeDefined();
    const waiting = p?.waitForData(0);
    view.deleteTopic('doomed');
    await settle(manager);
    expect(await waiting).toBe('changed');
    await expect(p?.read(0, 10)).rejects.toMatchObject({ reason: 'UNKNOWN_TOPIC_OR_PARTITION' });
    expect(manager.get('doomed', 0)).toBeUndefined();
    expect(existsSync(join(dir, 'doomed-0'))).toBe(false);
    expect(manager.waiterCount).toBe(0);
  });

  it('a topic deleted and created again under the same name starts from an empty log', async () => {
    const view = new FakeView();
    view.createTopic(topicRecord('again', 1, {}, 'id-1'), ME);
    const { manager } = await start(view);
    await manager.get('again', 0)?.append(batch('old'), { acks: 'leader', minInsyncReplicas: 1 });
    expect(manager.get('again', 0)?.logEndOffset).toBe(1);
    view.createTopic(topicRecord('again', 1, {}, 'id-2'), ME);
    await settle(manager);
    const fresh = manager.get('again', 0);
    expect(fresh?.topicId).toBe('id-2');
    expect(fresh?.logEndOffset).toBe(0);
  });

  it('on start, deletes a directory left by an earlier topic of the same name (other topic id)', async () => {
    const tmp = tempDir('replicas');
    cleanups.push(() => tmp.remove());
    const first = new FakeView();
    first.createTopic(topicRecord('reborn', 1, {}, 'id-1'), ME);
    const one = await startRegistered({ brokerId: ME, dataDir: tmp.dir, view: first, logger: silentLogger, retentionCheckMs: 0 });
    await one.get('reborn', 0)?.append(batch('old'), { acks: 'leader', minInsyncReplicas: 1 });
    await one.close();

    const second = new FakeView();
    second.createTopic(topicRecord('reborn', 1, {}, 'id-2'), ME);
    const { manager } = await start(second, tmp.dir);
    expect(manager.get('reborn', 0)?.logEndOffset).toBe(0);
  });

  it('on start, deletes partition dirs the metadata no longer assigns here, keeps what is assigned and its data', async () => {
    const tmp = tempDir('replicas');
    cleanups.push(() => tmp.remove());
    const view = new FakeView();
    view.createTopic(topicRecord('kept', 1), ME);
    const one = await startRegistered({ brokerId: ME, dataDir: tmp.dir, view, logger: silentLogger, retentionCheckMs: 0 });
    await one.get('kept', 0)?.append(batch('stays'), { acks: 'leader', minInsyncReplicas: 1 });
    await one.close();
    expect(existsSync(join(tmp.dir, CLEAN_SHUTDOWN_FILE))).toBe(true);
    mkdirSync(join(tmp.dir, partitionDirName('gone', 0)));
    writeFileSync(join(tmp.dir, 'notes.txt'), 'not a partition');

    const { manager } = await start(view, tmp.dir);
    expect(manager.cleanStart).toBe(true);
    expect(existsSync(join(tmp.dir, 'gone-0'))).toBe(false);
    expect(existsSync(join(tmp.dir, 'notes.txt'))).toBe(true);
    expect(existsSync(join(tmp.dir, CLEAN_SHUTDOWN_FILE))).toBe(false);
    expect(manager.get('kept', 0)?.logEndOffset).toBe(1);
  });

  it('leaves local data alone when the metadata lists no topics at all (wrong or empty etcd)', async () => {
    const tmp = tempDir('replicas');
    cleanups.push(() => tmp.remove());
    mkdirSync(join(tmp.dir, 'precious-0'));
    const { manager } = await start(new FakeView(), tmp.dir);
    expect(manager.cleanStart).toBe(false);
    expect(existsSync(join(tmp.dir, 'precious-0'))).toBe(true);
  });

  it("runs retention on its timer, deleting old segments by size with the topic's settings", async () => {
    const view = new FakeView();
    view.createTopic(topicRecord('small', 1, { segmentBytes: 1024, retentionBytes: 2048 }), ME);
    const tmp = tempDir('replicas');
    cleanups.push(() => tmp.remove());
    const manager = await startRegistered({ brokerId: ME, dataDir: tmp.dir, view, logger: silentLogger, retentionCheckMs: 20 });
    cleanups.push(() => manager.close());
    const p = manager.get('small', 0);
    for (let i = 0; i < 40; i++) {
      await p?.append(validatedBatch(buildBatch([{ value: Buffer.alloc(200, i) }], { nowMs: 1 })), {
        acks: 'leader',
        minInsyncReplicas: 1,
      });
    }
    // The timer may have run mid-way through the appends; wait for a pass after the last one.
    await vi.waitFor(
      () => {
        expect(p?.logStartOffset).toBeGreaterThan(0);
        expect(p?.sizeInBytes).toBeLessThanOrEqual(2048 + 1024);
      },
      { timeout: 30_000 },
    );
    expect(p?.highWatermark).toBe(40);
    await expect(p?.read(0, 100)).rejects.toMatchObject({ reason: 'OFFSET_OUT_OF_RANGE' });
  });

  it('applies a topic config change to open logs at once: retention by size deletes at the new limit without the periodic check', async () => {
    const view = new FakeView();
    const record = topicRecord('altered', 1, { segmentBytes: 1024 });
    view.createTopic(record, ME);
    const tmp = tempDir('replicas');
    cleanups.push(() => tmp.remove());
    // The periodic check is off: only the config change itself can delete.
    const manager = await startRegistered({ brokerId: ME, dataDir: tmp.dir, view, logger: silentLogger, retentionCheckMs: 0 });
    cleanups.push(() => manager.close());
    const p = manager.get('altered', 0);
    for (let i = 0; i < 40; i++) {
      await p?.append(validatedBatch(buildBatch([{ value: Buffer.alloc(200, i) }])), { acks: 'leader', minInsyncReplicas: 1 });
    }
    expect(p?.logStartOffset).toBe(0);
    view.setTopic({ ...record, config: { ...record.config, retentionBytes: 2048 } });
    // The pass started by the change deletes segment after segment: wait for it to be done.
    await vi.waitFor(
      () => {
        expect(p?.logStartOffset).toBeGreaterThan(0);
        expect(p?.sizeInBytes).toBeLessThanOrEqual(2048 + 1024);
      },
      { timeout: 30_000 },
    );
  });

  it('close() unsubscribes from the view and closes every partition', async () => {
    const view = new FakeView();
    view.createTopic(topicRecord('t', 1), ME);
    const manager = await startRegistered({
      brokerId: ME,
      dataDir: (() => {
        const t = tempDir('replicas');
        cleanups.push(() => t.remove());
        return t.dir;
      })(),
      view,
      logger: silentLogger,
      retentionCheckMs: 10,
    });
    const p = manager.get('t', 0);
    await manager.close();
    expect(view.listenerCount).toBe(0);
    expect(p?.closed).toBe(true);
    await expect(manager.partition('t', 0)).rejects.toMatchObject({ reason: 'NOT_READY' });
  });
});

describe('partition directory names', () => {
  it('round-trip, including topic names with dashes and dots', () => {
    for (const [topic, p] of [
      ['a', 0],
      ['my-topic', 12],
      ['x.y_z-1', 3],
      ['__consumer_offsets', 49],
    ] as const) {
      expect(parsePartitionDirName(partitionDirName(topic, p))).toEqual({ topic, partition: p });
    }
  });

  it('reject what is not a partition dir', () => {
    for (const name of ['clean-shutdown', 'topic', '-1', 'a-01', 'a-b', 'a/b-1', '..-1', 'a-99999999999']) {
      expect(parsePartitionDirName(name)).toBeUndefined();
    }
  });
});

/** Starts a manager as the broker does and registers it as TEST_INCARNATION (so it may lead). */
async function startRegistered(options: Parameters<typeof ReplicaManager.start>[0]): Promise<ReplicaManager> {
  const manager = await ReplicaManager.start(options);
  manager.setIncarnation(TEST_INCARNATION);
  return manager;
}

describe('ReplicaManager: offline replicas (storage failures)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  /** An ENOSPC as fs would throw it. */
  const enospc = (): NodeJS.ErrnoException => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

  it('a replica whose appends meet ENOSPC goes offline: STORAGE_ERROR, reported, files let go unclean, and back once the disk is', async () => {
    const tmp = tempDir('offline');
    cleanups.push(() => tmp.remove());
    const view = new FakeView();
    view.createTopic(topicRecord('full', 2), ME);
    let diskFull = false;
    const reports: string[][] = [];
    const manager = await startRegistered({
      brokerId: ME,
      dataDir: tmp.dir,
      view,
      logger: silentLogger,
      retentionCheckMs: 0,
      offlineRetryMs: 20,
      onOfflineChange: (offline) => reports.push(offline.map((o) => `${o.topic}-${o.partition}`)),
      openLog: async (dir, config, logger) => {
        const { PartitionLog } = await import('../../../libs/log/index.js');
        if (diskFull) throw enospc();
        const log = await PartitionLog.open(dir, config, { logger });
        const append = log.appendAsLeader.bind(log);
        log.appendAsLeader = async (...args) => {
          if (diskFull) throw enospc();
          return append(...args);
        };
        return log;
      },
    });
    cleanups.push(() => manager.close());
    const p0 = manager.get('full', 0);
    await p0?.append(batch('kept'), { acks: 'leader', minInsyncReplicas: 1 });
    diskFull = true;
    const failed = await p0?.append(batch('lost'), { acks: 'leader', minInsyncReplicas: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(hasReason(failed, 'STORAGE_ERROR')).toBe(true);
    expect((failed as SamsaError).retriable).toBe(true);
    expect(manager.get('full', 0)).toBeUndefined();
    expect(manager.get('full', 1)?.role).toBe('leader');
    expect(reports.at(-1)).toEqual(['full-0']);
    await expect(manager.partition('full', 0)).rejects.toMatchObject({ reason: 'STORAGE_ERROR' });
    // The partition's own log was not marked clean: its next open recovers the tail.
    expect(existsSync(join(tmp.dir, 'full-0', '.clean-shutdown'))).toBe(false);
    diskFull = false;
    await vi.waitFor(() => expect(manager.get('full', 0)).toBeDefined(), { timeout: 30_000 });
    expect(reports.at(-1)).toEqual([]);
    const back = manager.get('full', 0);
    expect(back?.logEndOffset).toBe(1);
  });

  it('other errors leave the replica alone', async () => {
    const { storageErrno } = await import('../../../libs/replica/index.js');
    expect(storageErrno(enospc())).toBe('ENOSPC');
    expect(storageErrno(new SamsaError('STORAGE_ERROR', 'x', { cause: Object.assign(new Error('io'), { code: 'EIO' }) }))).toBe('EIO');
    expect(storageErrno(Object.assign(new Error('gone'), { code: 'ENOENT' }))).toBeUndefined();
    expect(storageErrno(new SamsaError('FENCED', 'stale epoch'))).toBeUndefined();
  });
});

describe('ReplicaManager: replicas hosted without opening their files (ADR 0051)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });
  const dataDir = (): string => {
    const tmp = tempDir('lazy');
    cleanups.push(() => tmp.remove());
    return tmp.dir;
  };
  const run = async (
    view: FakeView,
    dir: string,
    extra: Partial<Parameters<typeof ReplicaManager.start>[0]> = {},
  ): Promise<ReplicaManager> => {
    // No recovery checkpoint unless a test asks (recovery-checkpoint.test.ts covers it): an
    // unclean start here opens every replica with files, whatever the test took.
    const manager = await startRegistered({
      brokerId: ME,
      dataDir: dir,
      view,
      logger: silentLogger,
      retentionCheckMs: 0,
      checkpointIntervalMs: 0,
      ...extra,
    });
    cleanups.push(() => manager.close());
    return manager;
  };
  /** A topic led here in leader epoch 3, written to, closed cleanly. */
  const writtenAndClosed = async (dir: string): Promise<FakeView> => {
    const view = new FakeView();
    view.createTopic(topicRecord('t', 3), ME);
    for (const p of [0, 1, 2]) view.setPartition(partitionState('t', p, ME, [ME], 3));
    const one = await run(view, dir);
    await one.get('t', 0)?.append(batch('a'), { acks: 'leader', minInsyncReplicas: 1 });
    await one.get('t', 0)?.append(batch('b'), { acks: 'leader', minInsyncReplicas: 1 });
    await one.get('t', 1)?.append(batch('c'), { acks: 'leader', minInsyncReplicas: 1 });
    await one.close();
    return view;
  };

  it('a follower of an idle partition takes high watermarks and reads nothing without opening anything', async () => {
    const dir = dataDir();
    const view = new FakeView();
    view.createTopic(topicRecord('f', 1), 2);
    view.setPartition(partitionState('f', 0, 2, [2, ME], 4, [2, ME]));
    const manager = await run(view, dir);
    const p = manager.get('f', 0);
    expect(p?.role).toBe('follower');
    await p?.appendAsFollower(Buffer.alloc(0), 4, 0);
    expect(p?.latestEpoch).toBe(-1);
    expect(p?.endOffsetForEpoch(4)).toEqual({ epoch: -1, endOffset: -1 });
    expect(p?.logOpen).toBe(false);
    expect(readdirSync(dir).filter((n) => parsePartitionDirName(n))).toEqual([]);
  });

  it('after a clean shutdown, replicas come back from the summaries without opening, with the same positions, and open on first use', async () => {
    const dir = dataDir();
    const view = await writtenAndClosed(dir);
    expect(existsSync(join(dir, REPLICA_SUMMARIES_FILE))).toBe(true);
    const manager = await run(view, dir);
    // Read once at start and deleted: it vouches only for the shutdown that wrote it.
    expect(existsSync(join(dir, REPLICA_SUMMARIES_FILE))).toBe(false);
    const p0 = manager.get('t', 0);
    expect(manager.partitions().map((p) => p.logOpen)).toEqual([false, false, false]);
    expect(p0?.logEndOffset).toBe(2);
    expect(p0?.latestEpoch).toBe(3);
    expect(p0?.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 2 });
    expect(p0?.endOffsetForEpoch(2)).toEqual({ epoch: -1, endOffset: -1 });
    expect(manager.get('t', 1)?.logEndOffset).toBe(1);
    expect(manager.get('t', 2)?.logEndOffset).toBe(0);
    // A read below the end opens the files; what comes back is what was written.
    const read = await manager.get('t', 1)?.read(0, 1 << 20);
    expect(read?.bytes.length).toBeGreaterThan(0);
    expect(manager.get('t', 1)?.logOpen).toBe(true);
    await p0?.append(batch('d'), { acks: 'leader', minInsyncReplicas: 1 });
    expect(p0?.logEndOffset).toBe(3);
    expect(manager.get('t', 2)?.logOpen).toBe(false);
  });

  it('after an unclean stop (no clean-shutdown marker) every replica with files is opened, and recovered, before it is hosted', async () => {
    const dir = dataDir();
    const view = await writtenAndClosed(dir);
    // What a crash leaves: no broker marker (the summaries are then not trusted).
    unlinkSync(join(dir, CLEAN_SHUTDOWN_FILE));
    const manager = await run(view, dir);
    expect(manager.cleanStart).toBe(false);
    expect(existsSync(join(dir, REPLICA_SUMMARIES_FILE))).toBe(false);
    expect(manager.get('t', 0)?.logOpen).toBe(true);
    expect(manager.get('t', 0)?.logEndOffset).toBe(2);
    expect(manager.get('t', 1)?.logOpen).toBe(true);
    // t-2 was never written: it has no directory, so it is an empty log either way.
    expect(manager.get('t', 2)?.logOpen).toBe(false);
  });

  it('a replica whose files do not hold what its summary said goes offline instead of serving, then reopens from its files', async () => {
    const dir = dataDir();
    const view = await writtenAndClosed(dir);
    // A summary that claims more than the files hold (e.g. a stale or damaged file).
    const path = join(dir, REPLICA_SUMMARIES_FILE);
    const stored = JSON.parse(readFileSync(path, 'utf8')) as { replicas: Record<string, { logEndOffset: number }> };
    (stored.replicas['t-0'] as { logEndOffset: number }).logEndOffset = 5;
    writeFileSync(path, JSON.stringify(stored));
    const reports: string[][] = [];
    const manager = await run(view, dir, {
      offlineRetryMs: 20,
      onOfflineChange: (offline) => reports.push(offline.map((o) => `${o.topic}-${o.partition}`)),
    });
    const p0 = manager.get('t', 0);
    expect(p0?.logEndOffset).toBe(5);
    const failed = await p0?.read(0, 1024).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(hasReason(failed, 'STORAGE_ERROR')).toBe(true);
    expect(reports.at(-1)).toEqual(['t-0']);
    expect(p0?.closed).toBe(true);
    await vi.waitFor(() => expect(manager.get('t', 0)?.logOpen).toBe(true), { timeout: 30_000 });
    expect(manager.get('t', 0)?.logEndOffset).toBe(2);
    expect(reports.at(-1)).toEqual([]);
  });

  it('a lazily hosted replica moved off this broker is closed and its directory deleted', async () => {
    const dir = dataDir();
    const view = await writtenAndClosed(dir);
    const manager = await run(view, dir);
    expect(manager.get('t', 1)?.logOpen).toBe(false);
    view.setPartition(partitionState('t', 1, 2, [2], 4, [2]));
    await settle(manager);
    expect(manager.get('t', 1)).toBeUndefined();
    expect(existsSync(join(dir, 't-1'))).toBe(false);
    expect(existsSync(join(dir, 't-0'))).toBe(true);
  });

  it('a replica back as a follower and then made leader knows its producers, after a clean restart (hosted without opening) and after a crash (recovered): a retry of a batch in its log is not written again', async () => {
    const idempotent = (seq: number, v: string): ValidatedBatch =>
      validatedBatch(buildBatch([{ value: Buffer.from(v) }], { nowMs: 1, producerId: 9, producerEpoch: 0, baseSequence: seq }));
    for (const clean of [true, false]) {
      const dir = dataDir();
      const view = new FakeView();
      view.createTopic(topicRecord('t', 1), ME);
      view.setPartition(partitionState('t', 0, ME, [ME], 3));
      const one = await run(view, dir);
      await one.get('t', 0)?.append(idempotent(0, 'a'), { acks: 'leader', minInsyncReplicas: 1 });
      await one.get('t', 0)?.append(idempotent(1, 'b'), { acks: 'leader', minInsyncReplicas: 1 });
      await one.close();
      if (!clean) unlinkSync(join(dir, CLEAN_SHUTDOWN_FILE));
      // Back as a follower of broker 2 (it led meanwhile), then the preferred-leader move.
      view.setPartition(partitionState('t', 0, 2, [2, ME], 4, [ME, 2]));
      const manager = await run(view, dir);
      const p = manager.get('t', 0);
      expect(p?.logOpen, clean ? 'hosted without opening' : 'opened and recovered').toBe(!clean);
      view.setPartition(partitionState('t', 0, ME, [ME, 2], 5, [ME, 2]));
      expect(p?.role).toBe('leader');
      expect((await p?.append(idempotent(1, 'b'), { acks: 'leader', minInsyncReplicas: 1 }))?.baseOffset).toBe(1);
      expect(p?.logEndOffset).toBe(2);
      expect((await p?.append(idempotent(2, 'c'), { acks: 'leader', minInsyncReplicas: 1 }))?.baseOffset).toBe(2);
    }
  });
});
