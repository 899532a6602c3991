import { describe, it, expect, vi } from 'vitest';
import fc from 'fast-check';
import { readdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PartitionLog, CLEAN_SHUTDOWN_FILE } from '../../../libs/log/index.js';
import { decodeRecordsFrom, iterateBatches } from '../../../libs/record/index.js';
import { SamsaError } from '../../../libs/errors/index.js';
import { batchOf, FakeClock, readAllOffsets, tempDirsPerTest, tempLogDir, testConfig } from './helpers.js';

const dir = tempDirsPerTest();

describe('PartitionLog appends and reads', () => {
  it('gives records consecutive offsets from 0 and reads them back whole', async () => {
    const log = await PartitionLog.open(dir(), testConfig());
    const a = await log.appendAsLeader(batchOf('a', 3), 0);
    const b = await log.appendAsLeader(batchOf('b', 2), 0);
    expect([a.baseOffset, a.lastOffset, b.baseOffset, b.lastOffset]).toEqual([0, 2, 3, 4]);
    expect(log.logEndOffset).toBe(5);
    const r = await log.read(0, 1 << 20);
    expect(decodeRecordsFrom(r.bytes, 0).map((x) => x.value?.toString().split('-').slice(0, 2).join('-'))).toEqual([
      'a-r0',
      'a-r1',
      'a-r2',
      'b-r0',
      'b-r1',
    ]);
    expect(r.nextOffset).toBe(5);
    await log.close();
  });

  it('tells a leader append its offsets before the bytes are readable', async () => {
    const log = await PartitionLog.open(dir(), testConfig());
    await log.appendAsLeader(batchOf('a', 3), 0);
    const seen: { base: number; last: number; endWhenTold: number }[] = [];
    const info = await log.appendAsLeader(batchOf('b', 2), 0, (base, last) => seen.push({ base, last, endWhenTold: log.logEndOffset }));
    expect(seen).toEqual([{ base: 3, last: 4, endWhenTold: 3 }]);
    expect([info.baseOffset, info.lastOffset]).toEqual([3, 4]);
    await log.close();
  });

  it('returns the batch that holds the offset (which may start before it), never above maxOffsetExclusive', async () => {
    const log = await PartitionLog.open(dir(), testConfig());
    await log.appendAsLeader(batchOf('a', 3), 0);
    await log.appendAsLeader(batchOf('b', 3), 0);
    const mid = await log.read(4, 1 << 20);
    expect([...iterateBatches(mid.bytes)].map((b) => b.header.baseOffset)).toEqual([3]);
    expect((await log.read(0, 1 << 20, 3)).nextOffset).toBe(3);
    expect((await log.read(3, 1 << 20, 3)).bytes.length).toBe(0);
    expect((await log.read(6, 1 << 20)).bytes.length).toBe(0);
    await log.close();
  });

  it('returns at least one whole batch even when it is larger than maxBytes', async () => {
    const log = await PartitionLog.open(dir(), testConfig());
    await log.appendAsLeader(batchOf('big', 50, 1000, 200), 0);
    const r = await log.read(0, 10);
    expect([...iterateBatches(r.bytes)]).toHaveLength(1);
    expect(r.nextOffset).toBe(50);
    await log.close();
  });

  it('refuses offsets outside [log start, log end] with OFFSET_OUT_OF_RANGE naming the range', async () => {
    const log = await PartitionLog.open(dir(), testConfig());
    await log.appendAsLeader(batchOf('a', 2), 0);
    await expect(log.read(3, 100)).rejects.toMatchObject({ reason: 'OFFSET_OUT_OF_RANGE', message: expect.stringContaining('[0, 2]') });
    await expect(log.read(-1, 100)).rejects.toBeInstanceOf(SamsaError);
    await log.close();
  });

  it('appends while a periodic fsync is still running (interval policy): the disk never holds up a produce', async () => {
    const log = await PartitionLog.open(dir(), testConfig({ fsync: { mode: 'interval', intervalMs: 5 } }));
    await log.appendAsLeader(batchOf('before', 1), 0);
    // Make the active segment's fsync hang until released, and wait for the timer to start one.
    const active = (log as unknown as { active: { sync: () => Promise<void> } }).active;
    const realSync = active.sync.bind(active);
    let release: () => void = () => undefined;
    let started = 0;
    active.sync = () => {
      started++;
      return new Promise<void>((resolve) => (release = resolve)).then(realSync);
    };
    await vi.waitFor(() => expect(started).toBe(1), { timeout: 30_000 });
    const during = await log.appendAsLeader(batchOf('during', 2), 0);
    expect(during.baseOffset).toBe(1);
    expect(await readAllOffsets(log)).toEqual([0, 1, 2]);
    // One fsync at a time: the timer does not start another while this one hangs.
    await new Promise((r) => setTimeout(r, 30));
    expect(started).toBe(1);
    active.sync = realSync;
    release();
    await log.close();
  });

  it('keeps everything across a clean close and reopen', async () => {
    const d = dir();
    let log = await PartitionLog.open(d, testConfig());
    for (let i = 0; i < 20; i++) await log.appendAsLeader(batchOf(`b${i}`, 5), 0);
    await log.close();
    log = await PartitionLog.open(d, testConfig());
    expect(log.recoveryReport.clean).toBe(true);
    expect(log.logEndOffset).toBe(100);
    expect(await readAllOffsets(log)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await log.close();
  });

  it('a close whose flush fails rejects with STORAGE_ERROR, still closes every file, and leaves no marker: the next open recovers', async () => {
    const d = dir();
    const log = await PartitionLog.open(d, testConfig({ segmentBytes: 200 }));
    for (let i = 0; i < 5; i++) await log.appendAsLeader(batchOf(`b${i}`, 2), 0);
    expect(log.segmentCount).toBeGreaterThan(1);
    const segments = (log as unknown as { segments: { closed: boolean }[] }).segments;
    const active = (log as unknown as { active: { sync: () => Promise<void> } }).active;
    active.sync = () => Promise.reject(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    const failed = await log.close().then(
      () => undefined,
      (e: unknown) => e,
    );
    // Was: resolved (a warning only), with every segment still open.
    expect(failed).toMatchObject({ reason: 'STORAGE_ERROR' });
    expect((failed as SamsaError).cause).toMatchObject({ code: 'EIO' });
    expect(segments.every((s) => s.closed)).toBe(true);
    expect(readdirSync(d)).not.toContain(CLEAN_SHUTDOWN_FILE);
    await expect(log.close(), 'closed is closed').resolves.toBeUndefined();
    const again = await PartitionLog.open(d, testConfig({ segmentBytes: 200 }));
    expect(again.recoveryReport.clean).toBe(false);
    expect(again.logEndOffset).toBe(10);
    await again.close();
  });

  it('finds any offset, whatever the batch sizes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 40 }),
        fc.nat(),
        fc.integer({ min: 1, max: 3000 }),
        async (sizes, pick, maxBytes) => {
          const d = tempLogDir();
          try {
            const log = await PartitionLog.open(d.dir, testConfig({ segmentBytes: 4096 }));
            const bases: number[] = [];
            for (const [i, n] of sizes.entries()) bases.push((await log.appendAsLeader(batchOf(`p${i}`, n), 0)).baseOffset);
            const total = sizes.reduce((a, b) => a + b, 0);
            const offset = pick % total;
            const r = await log.read(offset, maxBytes);
            const batches = [...iterateBatches(r.bytes)];
            expect(batches.length).toBeGreaterThan(0);
            // Starts with the batch holding `offset`, and the bytes are whole batches.
            const holder = Math.max(...bases.filter((b) => b <= offset));
            expect(batches[0]?.header.baseOffset).toBe(holder);
            const lastBatch = batches[batches.length - 1];
            expect(lastBatch && lastBatch.position + lastBatch.header.sizeInBytes).toBe(r.bytes.length);
            expect(decodeRecordsFrom(r.bytes, offset)[0]?.offset).toBe(offset);
            expect(await readAllOffsets(log, offset, maxBytes)).toEqual(Array.from({ length: total - offset }, (_, i) => offset + i));
            await log.close();
            // Reopened, nothing is remembered in memory: the same read walks the file and must agree.
            const reopened = await PartitionLog.open(d.dir, testConfig({ segmentBytes: 4096 }));
            expect((await reopened.read(offset, maxBytes)).bytes.equals(r.bytes)).toBe(true);
            await reopened.close();
          } finally {
            d.cleanup();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('serves reads while appends are in flight', async () => {
    const log = await PartitionLog.open(dir(), testConfig({ segmentBytes: 8192 }));
    const appends = Array.from({ length: 200 }, (_, i) => log.appendAsLeader(batchOf(`c${i}`, 2), 0));
    const reads: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) reads.push(log.read(0, 4096, log.logEndOffset));
    const infos = await Promise.all(appends);
    await Promise.all(reads);
    expect(infos.map((x) => x.baseOffset)).toEqual(Array.from({ length: 200 }, (_, i) => i * 2));
    expect(await readAllOffsets(log)).toHaveLength(400);
    await log.close();
  });

  it('finds the first record at or after a timestamp', async () => {
    const log = await PartitionLog.open(dir(), testConfig());
    await log.appendAsLeader(batchOf('t1', 2, 100), 0);
    await log.appendAsLeader(batchOf('t2', 2, 200), 0);
    await log.appendAsLeader(batchOf('t3', 2, 300), 0);
    expect(await log.offsetForTimestamp(150)).toEqual({ offset: 2, timestampMs: 200 });
    expect(await log.offsetForTimestamp(50)).toEqual({ offset: 0, timestampMs: 100 });
    expect(await log.offsetForTimestamp(301)).toBeUndefined();
    await log.close();
  });
});

describe('PartitionLog rolling and retention (fake clock)', () => {
  it('rolls by size and by age', async () => {
    const clock = new FakeClock();
    const log = await PartitionLog.open(dir(), testConfig({ segmentBytes: 1024, segmentMs: 60_000 }), { clock });
    for (let i = 0; i < 10; i++) await log.appendAsLeader(batchOf(`s${i}`, 3), 0);
    const bySize = log.segmentCount;
    expect(bySize).toBeGreaterThan(1);
    await log.close();
    const log2 = await PartitionLog.open(dir(), testConfig({ segmentMs: 60_000 }), { clock });
    await log2.appendAsLeader(batchOf('x', 1), 0);
    clock.advance(30_000);
    await log2.appendAsLeader(batchOf('y', 1), 0);
    expect(log2.segmentCount).toBe(1);
    clock.advance(31_000);
    await log2.appendAsLeader(batchOf('z', 1), 0);
    expect(log2.segmentCount).toBe(2);
    await log2.close();
  });

  it('deletes whole old segments by time, never the active one, and moves the log start', async () => {
    const clock = new FakeClock(1_000_000);
    const log = await PartitionLog.open(dir(), testConfig({ segmentBytes: 600, retentionMs: 10_000 }), { clock });
    for (let i = 0; i < 6; i++) await log.appendAsLeader(batchOf(`old${i}`, 3, 1_000_000), 0);
    for (let i = 0; i < 2; i++) await log.appendAsLeader(batchOf(`new${i}`, 3, 1_020_000), 0);
    clock.now = 1_021_000;
    const before = log.segmentCount;
    const res = await log.applyRetention();
    expect(res.deletedSegments).toBeGreaterThan(0);
    expect(log.segmentCount).toBe(before - res.deletedSegments);
    expect(log.logStartOffset).toBeGreaterThan(0);
    await expect(log.read(0, 100)).rejects.toMatchObject({ reason: 'OFFSET_OUT_OF_RANGE' });
    expect((await readAllOffsets(log)).at(-1)).toBe(log.logEndOffset - 1);
    // Everything expired: the active segment still stays.
    clock.now = 10_000_000;
    await log.applyRetention();
    expect(log.segmentCount).toBe(1);
    await log.close();
  });

  it('deletes oldest segments by size', async () => {
    const log = await PartitionLog.open(dir(), testConfig({ segmentBytes: 600, retentionBytes: 1000, retentionMs: -1 }));
    for (let i = 0; i < 12; i++) await log.appendAsLeader(batchOf(`z${i}`, 3), 0);
    const before = log.sizeInBytes;
    const res = await log.applyRetention();
    expect(res.deletedBytes).toBeGreaterThan(0);
    expect(log.sizeInBytes).toBe(before - res.deletedBytes);
    // Kafka's rule: delete while what remains without the oldest segment is still >= the limit.
    expect(log.sizeInBytes).toBeLessThan(1000 + 600);
    expect(log.logStartOffset).toBeGreaterThan(0);
    await log.close();
  });
});

describe('PartitionLog retention check cost', () => {
  it('with nothing to delete, applyRetention answers from memory: it does not wait behind an append in flight', async () => {
    const clock = new FakeClock(1_000_000);
    const log = await PartitionLog.open(dir(), testConfig({ segmentBytes: 600, retentionMs: 10_000, retentionBytes: 100_000 }), { clock });
    for (let i = 0; i < 6; i++) await log.appendAsLeader(batchOf(`r${i}`, 3, 1_000_000), 0);
    expect(log.segmentCount).toBeGreaterThan(1);
    expect(log.retentionDue()).toBe(false);
    // An append is queued (its write is file I/O); the periodic check must not queue behind it.
    const order: string[] = [];
    const append = log.appendAsLeader(batchOf('late', 3, 1_000_000), 0).then(() => order.push('append'));
    const check = log.applyRetention().then((r) => {
      order.push('retention');
      return r;
    });
    expect(await check).toEqual({ deletedSegments: 0, deletedBytes: 0 });
    await append;
    expect(order).toEqual(['retention', 'append']);
    // Once something is due, the same call does queue and delete.
    clock.now = 1_020_000;
    expect(log.retentionDue()).toBe(true);
    expect((await log.applyRetention()).deletedSegments).toBeGreaterThan(0);
    await log.close();
  });

  it('a compact,delete topic is both cleaned and deleted by retention; a compact-only one is never deleted', async () => {
    const clock = new FakeClock(1_000_000);
    const both = await PartitionLog.open(
      dir(),
      testConfig({ segmentBytes: 600, retentionMs: 10_000, cleanupPolicy: { compact: true, delete: true } }),
      { clock },
    );
    const compactOnly = await PartitionLog.open(
      dir(),
      testConfig({ segmentBytes: 600, retentionMs: 10_000, cleanupPolicy: { compact: true, delete: false } }),
      { clock },
    );
    for (const log of [both, compactOnly]) for (let i = 0; i < 6; i++) await log.appendAsLeader(batchOf(`c${i}`, 3, 1_000_000), 0);
    // Every batch rewrote keys k0..k2: the cleaner finds both due.
    expect(await both.cleaningDue(both.logEndOffset)).toBeDefined();
    expect(await compactOnly.cleaningDue(compactOnly.logEndOffset)).toBeDefined();
    clock.now = 1_100_000;
    expect((await both.applyRetention()).deletedSegments).toBeGreaterThan(0);
    expect(both.logStartOffset).toBeGreaterThan(0);
    expect(compactOnly.retentionDue()).toBe(false);
    expect((await compactOnly.applyRetention()).deletedSegments).toBe(0);
    expect(compactOnly.logStartOffset).toBe(0);
    await both.close();
    await compactOnly.close();
  });
});

describe('PartitionLog truncation and leader epochs', () => {
  it('truncateTo removes whole batches at and after the offset, across segments', async () => {
    const log = await PartitionLog.open(dir(), testConfig({ segmentBytes: 500 }));
    for (let i = 0; i < 10; i++) await log.appendAsLeader(batchOf(`t${i}`, 2), i < 5 ? 0 : 1);
    await log.truncateTo(7);
    expect(log.logEndOffset).toBe(6); // the batch [6,7] holding 7 goes as a whole
    expect(await readAllOffsets(log)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(log.epochs.entries()).toEqual([{ epoch: 0, startOffset: 0 }]);
    const again = await log.appendAsLeader(batchOf('after', 1), 2);
    expect(again.baseOffset).toBe(6);
    // What was cut is not found any more, what came after it is.
    const r = await log.read(6, 1);
    expect(decodeRecordsFrom(r.bytes, 6).map((x) => x.value?.toString().split('-').slice(0, 2).join('-'))).toEqual(['after-r0']);
    await expect(log.read(7, 1)).resolves.toMatchObject({ bytes: Buffer.alloc(0), nextOffset: 7 });
    await log.close();
  });

  it('answers KIP-101 end-offset questions per epoch', async () => {
    const d = dir();
    let log = await PartitionLog.open(d, testConfig());
    await log.appendAsLeader(batchOf('e1', 3), 1);
    await log.appendAsLeader(batchOf('e3', 2), 3);
    await log.appendAsLeader(batchOf('e3b', 1), 3);
    expect(log.epochs.endOffsetFor(1)).toEqual({ epoch: 1, endOffset: 3 });
    expect(log.epochs.endOffsetFor(2)).toEqual({ epoch: 1, endOffset: 3 });
    expect(log.epochs.endOffsetFor(3)).toEqual({ epoch: 3, endOffset: 6 });
    expect(log.epochs.endOffsetFor(9)).toEqual({ epoch: 3, endOffset: 6 });
    expect(log.epochs.endOffsetFor(0)).toEqual({ epoch: -1, endOffset: -1 });
    await log.close();
    log = await PartitionLog.open(d, testConfig());
    expect(log.epochs.entries()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 3 },
    ]);
    await log.close();
  });

  it('a follower appends the leader batches as they are and refuses a gap', async () => {
    const leader = await PartitionLog.open(dir(), testConfig());
    await leader.appendAsLeader(batchOf('l1', 2), 4);
    await leader.appendAsLeader(batchOf('l2', 3), 5);
    const stored = (await leader.read(0, 1 << 20)).bytes;
    const follower = await PartitionLog.open(dir(), testConfig());
    const info = await follower.appendAsFollower(Buffer.from(stored));
    expect(info).toMatchObject({ baseOffset: 0, lastOffset: 4 });
    expect((await follower.read(0, 1 << 20)).bytes.equals(stored)).toBe(true);
    expect(follower.epochs.entries()).toEqual([
      { epoch: 4, startOffset: 0 },
      { epoch: 5, startOffset: 2 },
    ]);
    await expect(follower.appendAsFollower(Buffer.from(stored))).rejects.toMatchObject({ reason: 'OFFSET_OUT_OF_RANGE' });
    await leader.close();
    await follower.close();
  });
});

describe('PartitionLog recovery after a crash', () => {
  /** Writes 4 batches, "crashes" (no close), and returns the dir and the last segment file. */
  async function crashedLog(): Promise<{ d: string; file: string; sizes: number[] }> {
    const d = dir();
    const log = await PartitionLog.open(d, testConfig());
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) sizes.push((await log.appendAsLeader(batchOf(`r${i}`, 3), 0)).sizeInBytes);
    await log.flush();
    // No close(): no clean-shutdown marker, as after kill -9.
    const file = join(
      d,
      readdirSync(d)
        .filter((f) => f.endsWith('.log'))
        .sort()
        .at(-1) as string,
    );
    return { d, file, sizes };
  }

  it('cut at every byte of the last batch, reopens to exactly the batches before it', async () => {
    const { d, file, sizes } = await crashedLog();
    const full = readFileSync(file);
    const lastStart = full.length - (sizes[3] as number);
    for (let cut = lastStart; cut < full.length; cut++) {
      writeFileSync(file, full.subarray(0, cut));
      const log = await PartitionLog.open(d, testConfig());
      expect(log.logEndOffset).toBe(9);
      expect(log.recoveryReport.truncatedBytes).toBe(cut - lastStart);
      expect(await readAllOffsets(log)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      // Restore the full file and crash again (remove the marker close() writes) for the next cut.
      await log.close();
      writeFileSync(file, full);
      rmSync(join(d, CLEAN_SHUTDOWN_FILE), { force: true });
    }
  });

  it('drops garbage appended after the last batch', async () => {
    const { d, file } = await crashedLog();
    writeFileSync(
      file,
      Buffer.concat([readFileSync(file), Buffer.from('this is not a record batch at all, just noise......................')]),
    );
    const log = await PartitionLog.open(d, testConfig());
    expect(log.recoveryReport.clean).toBe(false);
    expect(log.logEndOffset).toBe(12);
    expect(await readAllOffsets(log)).toHaveLength(12);
    const again = await log.appendAsLeader(batchOf('next', 1), 0);
    expect(again.baseOffset).toBe(12);
    await log.close();
  });

  it('cuts at a batch whose CRC does not match', async () => {
    const { d, file, sizes } = await crashedLog();
    const bytes = readFileSync(file);
    const flip = bytes.length - (sizes[3] as number) + 70; // inside the last batch's CRC'd range
    bytes[flip] = (bytes[flip] as number) ^ 0xff;
    writeFileSync(file, bytes);
    const log = await PartitionLog.open(d, testConfig());
    expect(log.logEndOffset).toBe(9);
    await log.close();
  });

  it('reads every offset correctly with garbage in the index files', async () => {
    const d = dir();
    let log = await PartitionLog.open(d, testConfig({ indexIntervalBytes: 64 }));
    for (let i = 0; i < 30; i++) await log.appendAsLeader(batchOf(`g${i}`, 2), 0);
    await log.close();
    for (const f of readdirSync(d).filter((x) => x.endsWith('.index') || x.endsWith('.timeindex'))) {
      writeFileSync(join(d, f), Buffer.from('\x00\x00\x00\x05\x00\x00\x00\x07garbage-garbage-garbage-garbage-garbage'));
    }
    log = await PartitionLog.open(d, testConfig({ indexIntervalBytes: 64 }));
    for (let o = 0; o < 60; o++) {
      const r = await log.read(o, 1);
      expect(decodeRecordsFrom(r.bytes, o)[0]?.offset).toBe(o);
    }
    expect(await log.offsetForTimestamp(1000)).toEqual({ offset: 0, timestampMs: 1000 });
    await log.close();
  });
});
