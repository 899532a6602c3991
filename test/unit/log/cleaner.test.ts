import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { OffsetMap, PartitionLog, Throttler, offsetMapCapacity, type LogConfig, type Sleep } from '../../../libs/log/index.js';
import { buildBatch, compressBatch, decodeRecordsFrom, iterateBatches, type CompressionCodec } from '../../../libs/record/index.js';
import { FakeClock, tempDirsPerTest, testConfig } from './helpers.js';

const dir = tempDirsPerTest();

const DELETE_RETENTION_MS = 1_000;
const compactConfig = (over: Partial<LogConfig> = {}): LogConfig =>
  testConfig({
    segmentBytes: 700,
    cleanupPolicy: { delete: false, compact: true },
    deleteRetentionMs: DELETE_RETENTION_MS,
    minCleanableDirtyRatio: 0,
    ...over,
  });

interface Written {
  offset: number;
  key: string;
  value: string | null;
  batchTimestampMs: number;
}

/** Every record of the log, from its start, with key and value as strings. */
async function readAll(log: PartitionLog): Promise<Written[]> {
  const out: Written[] = [];
  let next = log.logStartOffset;
  while (next < log.logEndOffset) {
    const r = await log.read(next, 4096);
    if (r.bytes.length === 0) break;
    const maxTs = new Map<number, number>();
    for (const b of iterateBatches(r.bytes)) maxTs.set(b.header.baseOffset, b.header.maxTimestamp);
    for (const rec of decodeRecordsFrom(r.bytes, next)) {
      out.push({
        offset: rec.offset,
        key: rec.key?.toString() ?? '',
        value: rec.value?.toString() ?? null,
        batchTimestampMs: rec.timestampMs,
      });
    }
    expect(r.nextOffset).toBeGreaterThan(next);
    next = r.nextOffset;
  }
  return out;
}

/**
 * Bytes this process has moved through read and write system calls so far, counted by the kernel
 * (/proc/self/io), not by the cleaner, and including the libuv threads that do the file I/O. Less
 * 8 bytes per system call: libuv wakes the event loop after each finished file operation with an
 * 8-byte eventfd write and read, which the kernel counts too (strace showed them, ~2% of the
 * bytes of a clean); this undercounts file I/O by at most 8 bytes per call. Unit test files run one
 * per process (vitest forks), so little else is counted.
 */
function processIoBytes(): number {
  const io = readFileSync('/proc/self/io', 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? NaN);
  return field('rchar') + field('wchar') - 8 * (field('syscr') + field('syscw'));
}

function latestPerKey(records: readonly Written[]): Map<string, string> {
  const m = new Map<string, string | null>();
  for (const r of records) m.set(r.key, r.value);
  const live = new Map<string, string>();
  for (const [k, v] of m) if (v !== null) live.set(k, v);
  return live;
}

const step = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('write' as const),
      records: fc.array(fc.record({ key: fc.integer({ min: 0, max: 12 }), tombstone: fc.boolean() }), { minLength: 1, maxLength: 6 }),
      advanceMs: fc.integer({ min: 0, max: 400 }),
      codec: fc.constantFrom<CompressionCodec>('none', 'none', 'gzip', 'lz4'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('clean' as const),
      mapKeys: fc.integer({ min: 3, max: 40 }),
      crashAtStep: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), clean: fc.boolean() }) },
);

async function cleanOnce(log: PartitionLog, mapKeys: number, crashAtStep?: number): Promise<'cleaned' | 'nothing' | 'crashed' | 'skipped'> {
  let steps = 0;
  const map = new OffsetMap(Math.ceil(mapKeys / 0.9) * 24 + 24);
  try {
    const stats = await log.clean({
      map,
      throttler: new Throttler(Number.POSITIVE_INFINITY, { nowMs: () => 0 }),
      upperBoundOffset: log.logEndOffset,
      step: () => {
        if (crashAtStep !== undefined && steps++ === crashAtStep) throw new Error('simulated crash');
      },
    });
    return stats ? 'cleaned' : 'nothing';
  } catch (err) {
    if ((err as Error).message === 'simulated crash') return 'crashed';
    if ((err as Error).message.includes('cannot hold the keys of one segment')) return 'skipped';
    throw err;
  }
}

describe('the log cleaner', () => {
  it('offset map: holds 39,321 keys per MiB and answers the latest offset per key', () => {
    expect(offsetMapCapacity(1 << 20)).toBe(39_321);
    const map = new OffsetMap(24 * 10);
    expect(map.capacity).toBe(9);
    for (let i = 0; i < 9; i++) expect(map.put(Buffer.from(`k${i}`), i)).toBe(true);
    expect(map.put(Buffer.from('k3'), 100)).toBe(true);
    expect(map.put(Buffer.from('new'), 101)).toBe(false);
    expect(map.get(Buffer.from('k3'))).toBe(100);
    expect(map.get(Buffer.from('k0'))).toBe(0);
    expect(map.get(Buffer.from('absent'))).toBe(-1);
  });

  it('a random history of writes and tombstones, cleaned any number of times with crashes anywhere, reads back as the latest value per key at the same offsets', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
        const clock = new FakeClock();
        const d = dir();
        let log = await PartitionLog.open(d, compactConfig(), { clock });
        const written: Written[] = [];
        let cleanedAt = -1;
        for (const s of steps) {
          if (s.kind === 'write') {
            clock.advance(s.advanceMs);
            const records = s.records.map((r, i) => ({
              key: `key-${r.key}`,
              value: r.tombstone ? null : `v${written.length + i}-${r.key}`,
            }));
            const batch = buildBatch(
              records.map((r) => ({ key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value) })),
              { nowMs: clock.now },
            );
            const info = await log.appendAsLeader(await compressBatch(batch, s.codec), 0);
            records.forEach((r, i) => written.push({ offset: info.baseOffset + i, ...r, batchTimestampMs: clock.now }));
          } else if (s.kind === 'clean') {
            const result = await cleanOnce(log, s.mapKeys, s.crashAtStep);
            if (result === 'crashed') {
              await log.abandon();
              log = await PartitionLog.open(d, compactConfig(), { clock });
            } else if (result === 'cleaned') cleanedAt = clock.now;
          } else {
            if (s.clean) await log.close();
            else await log.abandon();
            log = await PartitionLog.open(d, compactConfig(), { clock });
          }
        }
        expect(readdirSync(d).filter((n) => n.endsWith('.cleaned') || n.endsWith('.swap'))).toEqual([]);
        const after = await readAll(log);
        const byOffset = new Map(written.map((w) => [w.offset, w]));
        // Offsets unchanged: every record left is the record written at its offset.
        for (const r of after)
          expect({ ...r, batchTimestampMs: 0 }).toEqual({ ...(byOffset.get(r.offset) as Written), batchTimestampMs: 0 });
        expect(after.map((r) => r.offset)).toEqual([...after.map((r) => r.offset)].sort((a, b) => a - b));
        // Exactly the latest value per key.
        expect(latestPerKey(after)).toEqual(latestPerKey(written));
        expect(log.logEndOffset).toBe(written.length);
        // Below the cleaned range, a record is the latest of its key there, and no tombstone was
        // older than delete.retention.ms when the last pass ran.
        const { firstDirtyOffset } = log.cleaningView();
        const lastOffsetOf = new Map(written.filter((w) => w.offset < firstDirtyOffset).map((w) => [w.key, w.offset]));
        for (const r of after.filter((x) => x.offset < firstDirtyOffset)) {
          expect(r.offset).toBe(lastOffsetOf.get(r.key));
          if (r.value === null) expect(r.batchTimestampMs).toBeGreaterThanOrEqual(cleanedAt - DELETE_RETENTION_MS);
        }
        await log.close();
      }),
      { numRuns: 60, endOnFailure: true },
    );
  }, 120_000);

  it('removes every record superseded below the active segment and keeps batch offsets, producer fields and codec', async () => {
    const clock = new FakeClock();
    const log = await PartitionLog.open(dir(), compactConfig({ segmentBytes: 400 }), { clock });
    for (let i = 0; i < 30; i++) {
      const batch = buildBatch(
        [
          { key: Buffer.from(`k${i % 3}`), value: Buffer.from(`value-${i}`) },
          { key: Buffer.from('same'), value: Buffer.from(`s${i}`) },
        ],
        { nowMs: clock.now, producerId: 7, producerEpoch: 1, baseSequence: i * 2 },
      );
      await log.appendAsLeader(await compressBatch(batch, 'snappy'), 3);
    }
    expect(log.segmentCount).toBeGreaterThan(3);
    const before = log.sizeInBytes;
    const stats = await log.clean({
      map: new OffsetMap(1 << 16),
      throttler: new Throttler(Number.POSITIVE_INFINITY, clock),
      upperBoundOffset: log.logEndOffset,
    });
    expect(stats?.recordsKept).toBeLessThan(stats?.recordsRead ?? 0);
    expect(log.sizeInBytes).toBeLessThan(before);
    const r = await log.read(0, 1 << 20);
    for (const b of iterateBatches(r.bytes)) {
      expect(b.header.baseOffset % 2).toBe(0);
      expect(b.header.lastOffsetDelta).toBe(1);
      expect([b.header.producerId, b.header.producerEpoch, b.header.baseSequence, b.header.partitionLeaderEpoch]).toEqual([
        7,
        1,
        b.header.baseOffset,
        3,
      ]);
      expect(b.header.attributes & 7).toBe(2);
    }
    // Reading from an offset in a gap returns the next record.
    const all = await readAll(log);
    const gap = all.findIndex((x, i) => i > 0 && x.offset > (all[i - 1] as Written).offset + 1);
    expect(gap).toBeGreaterThan(0);
    const from = (all[gap - 1] as Written).offset + 1;
    const read = await log.read(from, 1 << 20);
    expect(decodeRecordsFrom(read.bytes, from)[0]?.offset).toBe((all[gap] as Written).offset);
    await log.close();
  });

  it('the I/O rate limit holds: what the process reads and writes while cleaning stays within the limit at every moment of the (injected) clock', async () => {
    const clock = new FakeClock();
    const log = await PartitionLog.open(dir(), compactConfig({ segmentBytes: 16 * 1024 }), { clock });
    // ~400 KB in ~25 segments, 50 keys: nearly everything is superseded.
    for (let i = 0; i < 400; i++)
      await log.appendAsLeader(
        buildBatch([{ key: Buffer.from(`k${i % 50}`), value: Buffer.from(`v${i}-`.padEnd(1_000, 'x')) }], { nowMs: clock.now }),
        0,
      );
    const limit = 16 * 1024;
    const started = clock.now;
    const before = processIoBytes();
    // Time passes only while the throttler sleeps (the I/O itself takes no time on this clock,
    // the worst case for a limit): each sleep first samples the bytes moved so far.
    const samples: { atMs: number; bytes: number }[] = [];
    const sleep: Sleep = async (ms) => {
      samples.push({ atMs: clock.now - started, bytes: processIoBytes() - before });
      clock.advance(ms);
    };
    const stats = await log.clean({
      map: new OffsetMap(1 << 16),
      throttler: new Throttler(limit, clock, sleep),
      upperBoundOffset: log.logEndOffset,
    });
    samples.push({ atMs: clock.now - started, bytes: processIoBytes() - before });
    const moved = (stats?.bytesRead ?? 0) + (stats?.bytesWritten ?? 0);
    expect(moved).toBeGreaterThan(20 * limit);
    // The kernel's count agrees with what the cleaner says it moved (it is not under-reporting;
    // its count of the swap's index writes is an upper bound, hence 2% below).
    expect(samples.at(-1)?.bytes).toBeGreaterThanOrEqual(moved * 0.98);
    // At every moment: at most the limit times the time so far, plus one check period's worth
    // (the throttler checks once a second's bytes have gone: Kafka's Throttler bursts the same
    // way), one segment read, and 16 KiB for the test process's own I/O (vitest's IPC).
    for (const s of samples) expect(s.bytes).toBeLessThanOrEqual((limit * (s.atMs + 1_000)) / 1_000 + 16 * 1024 + 16 * 1024);
    // And it is a limit, not a stall: the whole pass took about moved / limit.
    const tookMs = clock.now - started;
    expect(tookMs).toBeGreaterThanOrEqual(((moved - limit) / limit) * 1_000);
    expect(tookMs).toBeLessThanOrEqual((moved / limit) * 1_000 + 1_000);
    await log.close();
  });

  it('offsetForTimestamp asked while a cleaner swap deletes the segments it reads answers from the new ones', async () => {
    const clock = new FakeClock();
    const log = await PartitionLog.open(dir(), compactConfig({ segmentBytes: 400 }), { clock });
    for (let i = 0; i < 30; i++) {
      clock.advance(10);
      await log.appendAsLeader(buildBatch([{ key: Buffer.from(`k${i % 3}`), value: Buffer.from(`value-${i}`) }], { nowMs: clock.now }), 1);
    }
    expect(log.segmentCount).toBeGreaterThan(3);
    const at = (await log.offsetForTimestamp(0)) as { offset: number; timestampMs: number };
    const asked: Promise<{ offset: number; timestampMs: number } | undefined>[] = [];
    await log.clean({
      map: new OffsetMap(1 << 16),
      throttler: new Throttler(Number.POSITIVE_INFINITY, clock),
      upperBoundOffset: log.logEndOffset,
      // The swap file is in place and the old segments are about to be deleted under the lookups.
      step: (name) => {
        if (name === 'swap-renamed' && asked.length === 0)
          for (let t = 0; t <= 29; t++) asked.push(log.offsetForTimestamp(at.timestampMs + t * 10));
      },
    });
    expect(asked).toHaveLength(30);
    const answers = await Promise.all(asked);
    // Record i was written at at.timestampMs + 10 i. Each answer is the first record at or after
    // the time that the log held once that swap was done: not before the record asked for, and not
    // past what the fully cleaned log answers (later swaps only remove more).
    for (let t = 0; t <= 29; t++) {
      const answer = answers[t] as { offset: number; timestampMs: number };
      const now = (await log.offsetForTimestamp(at.timestampMs + t * 10)) as { offset: number; timestampMs: number };
      expect(answer.offset).toBeGreaterThanOrEqual(t);
      expect(answer.timestampMs).toBe(at.timestampMs + answer.offset * 10);
      expect(answer.offset).toBeLessThanOrEqual(now.offset);
    }
    await log.close();
  });

  it('is due only for compacted logs past min.cleanable.dirty.ratio, never above the upper bound or within min.compaction.lag.ms', async () => {
    const clock = new FakeClock();
    const log = await PartitionLog.open(
      dir(),
      compactConfig({ segmentBytes: 300, minCleanableDirtyRatio: 0.5, minCompactionLagMs: 10_000 }),
      { clock },
    );
    for (let i = 0; i < 20; i++)
      await log.appendAsLeader(
        buildBatch([{ key: Buffer.from('k'), value: Buffer.from(`v${i}`.padEnd(40, 'x')) }], { nowMs: clock.now }),
        0,
      );
    expect(await log.cleaningDue(log.logEndOffset)).toBeUndefined();
    clock.advance(20_000);
    expect(await log.cleaningDue(0)).toBeUndefined();
    expect((await log.cleaningDue(log.logEndOffset))?.ratio).toBe(1);
    const stats = await log.clean({
      map: new OffsetMap(1 << 12),
      throttler: new Throttler(Number.POSITIVE_INFINITY, clock),
      upperBoundOffset: log.logEndOffset,
    });
    expect(stats?.recordsKept).toBe(1);
    expect(await log.cleaningDue(log.logEndOffset)).toBeUndefined();
    log.reconfigure(compactConfig({ cleanupPolicy: { delete: true, compact: false } }));
    expect(await log.cleaningDue(log.logEndOffset)).toBeUndefined();
    await log.close();
  });

  it('a follower appends batches that start above its log end (a compacted leader) and reads across the gap', async () => {
    const log = await PartitionLog.open(dir(), testConfig());
    const b1 = buildBatch([{ key: Buffer.from('a'), value: Buffer.from('1') }]);
    const b2 = buildBatch([{ key: Buffer.from('b'), value: Buffer.from('2') }]);
    const { stampBatch } = await import('../../../libs/record/index.js');
    stampBatch(b1, 0, 0);
    stampBatch(b2, 10, 0);
    await log.appendAsFollower(Buffer.concat([b1, b2]));
    expect(log.logEndOffset).toBe(11);
    const r = await log.read(1, 1 << 20);
    expect(decodeRecordsFrom(r.bytes, 1).map((x) => x.offset)).toEqual([10]);
    expect(r.nextOffset).toBe(11);
    await expect(log.appendAsFollower(b1)).rejects.toMatchObject({ reason: 'OFFSET_OUT_OF_RANGE' });
    await log.abandon();
    const reopened = await PartitionLog.open(log.dir, testConfig());
    expect(reopened.logEndOffset).toBe(11);
    await reopened.close();
  });
});
