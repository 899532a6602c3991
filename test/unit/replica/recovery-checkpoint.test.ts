/**
 * The recovery checkpoint (ADR 0054): what a log says about its own durability, what the
 * checkpoint file vouches for and when it stops, and what a broker restarted after a crash hosts
 * from it: never an end offset or epoch its files do not hold, with or without a lost tail.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { cpSync, existsSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { buildBatch, stampBatch, validatedBatch, type ValidatedBatch } from '../../../libs/record/index.js';
import { PartitionLog, segmentPath } from '../../../libs/log/index.js';
import {
  DEFAULT_BROKER_LOG_DEFAULTS,
  ReplicaManager,
  RecoveryCheckpoint,
  RECOVERY_CHECKPOINT_FILE,
  readRecoveryCheckpoint,
  type StoredSummary,
} from '../../../libs/replica/index.js';
import { batchOf, tempDirsPerTest, testConfig } from '../log/helpers.js';
import { FakeView, partitionState, silentLogger, tempDir, topicRecord, TEST_INCARNATION } from './helpers.js';

const ME = 1;
const dirs = tempDirsPerTest();
const batch = (v: string): ValidatedBatch => validatedBatch(buildBatch([{ value: Buffer.from(v) }], { nowMs: 1 }));

describe('PartitionLog durability for the recovery checkpoint', () => {
  it('is durable only once every change is fsynced; the active segment size is the file size', async () => {
    const log = await PartitionLog.open(dirs(), testConfig({ fsync: { mode: 'interval', intervalMs: 3_600_000 } }));
    await log.flush();
    expect(log.isDurable()).toBe(true);
    await log.appendAsLeader(batchOf('a', 2), 0);
    expect(log.isDurable()).toBe(false);
    await log.flush();
    expect(log.isDurable()).toBe(true);
    expect(log.activeSegmentBytes).toBe(statSync(segmentPath(log.dir, 0, 'log')).size);
    await log.close();
  });

  it('a log recovered after a crash is not durable until fsynced', async () => {
    const d = dirs();
    const first = await PartitionLog.open(d, testConfig());
    await first.appendAsLeader(batchOf('a', 2), 0);
    await first.abandon();
    const log = await PartitionLog.open(d, testConfig({ fsync: { mode: 'interval', intervalMs: 3_600_000 } }));
    expect(log.recoveryReport.clean).toBe(false);
    expect(log.isDurable()).toBe(false);
    await log.flush();
    expect(log.isDurable()).toBe(true);
    await log.close();
  });

  it('asks beforeRewrite before a truncation changes anything, never for an append; a refusal leaves the log as it was', async () => {
    const seen: number[] = [];
    let refuse = false;
    const log = await PartitionLog.open(dirs(), testConfig(), {
      beforeRewrite: () => {
        // The files are untouched when it is asked.
        seen.push(log.logEndOffset);
        return refuse ? Promise.reject(new Error('no checkpoint')) : Promise.resolve();
      },
    });
    await log.appendAsLeader(batchOf('a', 2), 0);
    await log.appendAsLeader(batchOf('b', 2), 1);
    await log.truncateTo(4);
    expect(seen).toEqual([]);
    refuse = true;
    await expect(log.truncateTo(2)).rejects.toThrow('no checkpoint');
    expect(log.logEndOffset).toBe(4);
    expect(log.latestEpoch).toBe(1);
    refuse = false;
    await log.truncateTo(2);
    expect(seen).toEqual([4, 4]);
    expect(log.logEndOffset).toBe(2);
    expect(log.isDurable()).toBe(true);
    await log.close();
  });

  it('asks beforeRewrite before a roll and before retention deletes a segment', async () => {
    let asked = 0;
    const log = await PartitionLog.open(dirs(), testConfig({ segmentBytes: 200, retentionBytes: 1 }), {
      beforeRewrite: () => {
        asked++;
        return Promise.resolve();
      },
    });
    await log.appendAsLeader(batchOf('a', 3), 0);
    expect(asked).toBe(0);
    await log.appendAsLeader(batchOf('b', 3), 0);
    expect(log.segmentCount).toBe(2);
    expect(asked).toBe(1);
    const deleted = await log.applyRetention();
    expect(deleted.deletedSegments).toBe(1);
    expect(asked).toBe(2);
    await log.close();
  });
});

describe('RecoveryCheckpoint', () => {
  const entry = (end: number): StoredSummary => ({
    topicId: 'id',
    logStartOffset: 0,
    logEndOffset: end,
    sizeInBytes: end * 10,
    segmentCount: 1,
    activeSegmentBaseOffset: 0,
    epochs: [{ epoch: 1, startOffset: 0 }],
    activeSegmentBytes: end * 10,
  });

  it('forget of a replica no file holds writes nothing; of one the file holds, resolves once a file without it is on disk', async () => {
    const dataDir = dirs();
    let current = new Map([['t-0', entry(2)]]);
    let snapshots = 0;
    const checkpoint = new RecoveryCheckpoint({
      dataDir,
      entries: () => {
        snapshots++;
        return current;
      },
      intervalMs: 3_600_000,
      logger: silentLogger,
      onDisk: [],
    });
    await checkpoint.forget(['t-0']);
    expect(snapshots).toBe(0);
    await checkpoint.flush();
    expect([...(await readRecoveryCheckpoint(dataDir)).keys()]).toEqual(['t-0']);
    // t-0 is now being rewritten: its log no longer reports itself durable.
    current = new Map([['t-1', entry(1)]]);
    await checkpoint.forget(['t-0']);
    expect([...(await readRecoveryCheckpoint(dataDir)).keys()]).toEqual(['t-1']);
    const before = snapshots;
    await checkpoint.forget(['t-0']);
    expect(snapshots).toBe(before);
    await checkpoint.close();
  });

  it('a forget while a write holding the replica is in flight waits for the next write', async () => {
    const dataDir = dirs();
    let current = new Map([['t-0', entry(2)]]);
    let forgetting: Promise<void> | undefined;
    const checkpoint = new RecoveryCheckpoint({
      dataDir,
      entries: () => {
        const now = current;
        // Once this snapshot is taken, while its file is being written, t-0 starts a rewrite.
        if (!forgetting)
          setImmediate(() => {
            current = new Map();
            forgetting = checkpoint.forget(['t-0']);
          });
        return now;
      },
      intervalMs: 3_600_000,
      logger: silentLogger,
      onDisk: [],
    });
    await checkpoint.flush();
    expect(forgetting).toBeDefined();
    await forgetting;
    expect((await readRecoveryCheckpoint(dataDir)).size).toBe(0);
    await checkpoint.close();
  });
});

describe('ReplicaManager after a crash, with the recovery checkpoint', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });
  const dataDir = (): string => {
    const tmp = tempDir('checkpoint');
    cleanups.push(() => tmp.remove());
    return tmp.dir;
  };
  const run = async (view: FakeView, dir: string): Promise<ReplicaManager> => {
    const manager = await ReplicaManager.start({
      brokerId: ME,
      dataDir: dir,
      view,
      logger: silentLogger,
      retentionCheckMs: 0,
      // Only start-up and checkpointNow write it: what a crash finds on disk is decided by the test.
      checkpointIntervalMs: 3_600_000,
      logDefaults: { ...DEFAULT_BROKER_LOG_DEFAULTS, fsync: { mode: 'always', intervalMs: 1000 } },
    });
    manager.setIncarnation(TEST_INCARNATION);
    cleanups.push(() => manager.close());
    return manager;
  };
  /** What a kill -9 leaves: the files as they are now (the page cache reaches the disk), no marker. */
  const crashCopy = (dir: string): string => {
    const copy = dataDir();
    rmSync(copy, { recursive: true, force: true });
    cpSync(dir, copy, { recursive: true });
    return copy;
  };
  const leaderView = (): FakeView => {
    const view = new FakeView();
    view.createTopic(topicRecord('t', 2), ME);
    for (const p of [0, 1]) view.setPartition(partitionState('t', p, ME, [ME], 3));
    return view;
  };
  const segmentFile = (dir: string): string => segmentPath(join(dir, 't-0'), 0, 'log');

  it('hosts replicas unchanged since the checkpoint without opening them, at the positions their files hold', async () => {
    const dir = dataDir();
    const view = leaderView();
    const one = await run(view, dir);
    await one.get('t', 0)?.append(batch('a'), { acks: 'leader', minInsyncReplicas: 1 });
    await one.get('t', 0)?.append(batch('b'), { acks: 'leader', minInsyncReplicas: 1 });
    await one.checkpointNow();
    expect([...(await readRecoveryCheckpoint(dir)).keys()]).toEqual(['t-0']);
    const copy = crashCopy(dir);
    const two = await run(view, copy);
    expect(two.cleanStart).toBe(false);
    const p0 = two.get('t', 0);
    expect(p0?.logOpen).toBe(false);
    expect([p0?.logEndOffset, p0?.latestEpoch]).toEqual([2, 3]);
    // First use opens the files, which agree.
    expect((await p0?.read(0, 1 << 20))?.bytes.length).toBeGreaterThan(0);
    expect(p0?.logOpen).toBe(true);
    expect(p0?.closed).toBe(false);
    expect(p0?.logEndOffset).toBe(2);
  });

  it('a tail appended after the checkpoint and lost is not claimed; one that survived is recovered before hosting', async () => {
    const dir = dataDir();
    const view = leaderView();
    const one = await run(view, dir);
    await one.get('t', 0)?.append(batch('a'), { acks: 'leader', minInsyncReplicas: 1 });
    await one.checkpointNow();
    const checkpointed = statSync(segmentFile(dir)).size;
    await one.get('t', 0)?.append(batch('b'), { acks: 'leader', minInsyncReplicas: 1 });

    // Power loss took the append after the checkpoint: the files are what the checkpoint says.
    const lost = crashCopy(dir);
    truncateSync(segmentFile(lost), checkpointed);
    const two = await run(view, lost);
    expect(two.get('t', 0)?.logOpen).toBe(false);
    expect(two.get('t', 0)?.logEndOffset).toBe(1);

    // It survived: the segment is longer than the checkpoint says, so the replica is recovered first.
    const kept = crashCopy(dir);
    const three = await run(view, kept);
    expect(three.get('t', 0)?.logOpen).toBe(true);
    expect(three.get('t', 0)?.logEndOffset).toBe(2);
  });

  it('files that lost what the checkpoint says was fsynced are recovered, never hosted at the checkpoint end', async () => {
    const dir = dataDir();
    const view = leaderView();
    const one = await run(view, dir);
    await one.get('t', 0)?.append(batch('a'), { acks: 'leader', minInsyncReplicas: 1 });
    const oneBatch = statSync(segmentFile(dir)).size;
    await one.get('t', 0)?.append(batch('b'), { acks: 'leader', minInsyncReplicas: 1 });
    await one.checkpointNow();
    const copy = crashCopy(dir);
    // What test/fault/harness/tail-cutter.ts does: the last batch gone, whatever was fsynced.
    truncateSync(segmentFile(copy), oneBatch);
    const two = await run(view, copy);
    expect(two.get('t', 0)?.logOpen).toBe(true);
    expect(two.get('t', 0)?.logEndOffset).toBe(1);
  });

  // Fails without the checkpoint's forget before a truncation (checked: the stale entry hosts t-0
  // at epoch 3 while its files end in epoch 4).
  it('a truncation and re-append to the same size after the checkpoint: the restart holds what the files hold', async () => {
    const dir = dataDir();
    const view = leaderView();
    const one = await run(view, dir);
    await one.get('t', 0)?.append(batch('a'), { acks: 'leader', minInsyncReplicas: 1 });
    await one.get('t', 0)?.append(batch('b'), { acks: 'leader', minInsyncReplicas: 1 });
    await one.checkpointNow();
    const before = statSync(segmentFile(dir)).size;
    // A new leader (broker 2, epoch 4) had another record at offset 1: this replica truncates and copies it.
    view.setPartition(partitionState('t', 0, 2, [2, ME], 4, [2, ME]));
    const p0 = one.get('t', 0);
    await p0?.truncateAsFollower(1, 4);
    const theirs = buildBatch([{ value: Buffer.from('c') }], { nowMs: 1 });
    stampBatch(theirs, 1, 4);
    await p0?.appendAsFollower(theirs, 4, 2);
    expect(statSync(segmentFile(dir)).size).toBe(before);
    expect([p0?.logEndOffset, p0?.latestEpoch]).toEqual([2, 4]);
    const two = await run(view, crashCopy(dir));
    const after = two.get('t', 0);
    expect([after?.logEndOffset, after?.latestEpoch]).toEqual([2, 4]);
    expect(after?.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 1 });
  });

  it('a clean start removes the checkpoint (the shutdown summaries supersede it) and writes its own', async () => {
    const dir = dataDir();
    const view = leaderView();
    const one = await run(view, dir);
    await one.get('t', 0)?.append(batch('a'), { acks: 'leader', minInsyncReplicas: 1 });
    await one.checkpointNow();
    await one.close();
    const two = await run(view, dir);
    expect(two.cleanStart).toBe(true);
    expect(two.get('t', 0)?.logOpen).toBe(false);
    // Hosted lazily from the shutdown summaries, with the active segment's size: vouched for again.
    await two.checkpointNow();
    const stored = await readRecoveryCheckpoint(dir);
    expect(stored.get('t-0')?.logEndOffset).toBe(1);
    expect(stored.get('t-0')?.activeSegmentBytes).toBe(statSync(segmentFile(dir)).size);
    expect(existsSync(join(dir, RECOVERY_CHECKPOINT_FILE))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, RECOVERY_CHECKPOINT_FILE), 'utf8'))).toMatchObject({ version: 1 });
  });

  it('a replica hosted from the checkpoint and then made leader knows its producers: a retry of a batch in its log is not written again', async () => {
    const idempotent = (seq: number, v: string): ValidatedBatch =>
      validatedBatch(buildBatch([{ value: Buffer.from(v) }], { nowMs: 1, producerId: 9, producerEpoch: 0, baseSequence: seq }));
    const dir = dataDir();
    const view = leaderView();
    const one = await run(view, dir);
    await one.get('t', 0)?.append(idempotent(0, 'a'), { acks: 'leader', minInsyncReplicas: 1 });
    await one.get('t', 0)?.append(idempotent(1, 'b'), { acks: 'leader', minInsyncReplicas: 1 });
    await one.checkpointNow();
    const copy = crashCopy(dir);
    // Back as a follower of broker 2 (it led while this one was down), then moved back here.
    view.setPartition(partitionState('t', 0, 2, [2, ME], 4, [ME, 2]));
    const two = await run(view, copy);
    const p0 = two.get('t', 0);
    expect(p0?.logOpen).toBe(false);
    view.setPartition(partitionState('t', 0, ME, [ME, 2], 5, [ME, 2]));
    expect(p0?.role).toBe('leader');
    expect((await p0?.append(idempotent(1, 'b'), { acks: 'leader', minInsyncReplicas: 1 }))?.baseOffset).toBe(1);
    expect(p0?.logEndOffset).toBe(2);
    expect((await p0?.append(idempotent(2, 'c'), { acks: 'leader', minInsyncReplicas: 1 }))?.baseOffset).toBe(2);
  });
});
