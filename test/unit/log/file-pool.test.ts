import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { FilePool, PartitionLog } from '../../../libs/log/index.js';
import { hasReason } from '../../../libs/errors/index.js';
import { batchOf, readAllOffsets, tempDirsPerTest, testConfig } from './helpers.js';

const dir = tempDirsPerTest();

/** Descriptors this process has open on files under `root` (read from /proc/self/fd). */
function fdsUnder(root: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(root)) n++;
    } catch {
      // The descriptor closed while we looked.
    }
  }
  return n;
}

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('FilePool', () => {
  it('never holds more descriptors than its budget, never closes a handle in use, and loses no write (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.record({ file: fc.nat({ max: 7 }), holdMs: fc.nat({ max: 3 }), closeAfter: fc.boolean() }), {
          minLength: 1,
          maxLength: 40,
        }),
        async (budget, ops) => {
          const root = dir();
          const pool = new FilePool(budget);
          const files = Array.from({ length: 8 }, (_, i) => pool.file(join(root, `f${i}`), 'w+', 'r+'));
          const written = Array.from({ length: 8 }, () => [] as number[]);
          const closed = new Set<number>();
          let maxOpen = 0;
          let closedUnderUse = 0;
          // Every op starts at once: they contend for the slots.
          await Promise.all(
            ops.map(async (op, i) => {
              const f = files[op.file];
              if (!f || closed.has(op.file)) return;
              try {
                await f.use(async (h: FileHandle) => {
                  maxOpen = Math.max(maxOpen, pool.stats.open);
                  const at = written[op.file]?.length ?? 0;
                  written[op.file]?.push(i);
                  const buf = Buffer.alloc(4);
                  buf.writeUInt32BE(i);
                  await h.write(buf, 0, 4, at * 4);
                  await tick(op.holdMs);
                  if (h.fd === -1) closedUnderUse++;
                });
              } catch (err) {
                // A use that starts after its file's close() is refused, nothing else may fail.
                expect(hasReason(err, 'NOT_READY')).toBe(true);
                return;
              }
              if (op.closeAfter && !closed.has(op.file)) {
                closed.add(op.file);
                await f.close();
              }
            }),
          );
          expect(closedUnderUse).toBe(0);
          expect(maxOpen).toBeLessThanOrEqual(budget);
          expect(pool.stats.open).toBeLessThanOrEqual(budget);
          expect(pool.stats.waiting).toBe(0);
          for (const f of files) await f.close();
          expect(pool.stats.open).toBe(0);
          expect(fdsUnder(root)).toBe(0);
          // Reopens used 'r+': every write is still there, in order.
          for (let i = 0; i < 8; i++) {
            const want = written[i] ?? [];
            if (want.length === 0) continue;
            const buf = readFileSync(join(root, `f${i}`));
            const got = Array.from({ length: buf.length / 4 }, (_, k) => buf.readUInt32BE(k * 4));
            expect(got).toEqual(want);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('closes the least recently used idle handle first and reopens it on demand', async () => {
    const root = dir();
    const pool = new FilePool(2);
    const [a, b, c] = ['a', 'b', 'c'].map((n) => pool.file(join(root, n), 'w+', 'r+')) as [
      ReturnType<FilePool['file']>,
      ReturnType<FilePool['file']>,
      ReturnType<FilePool['file']>,
    ];
    await a.use((h) => h.write('A', 0));
    await b.use((h) => h.write('B', 0));
    await a.use(async () => undefined); // a is now the most recently used
    await c.use((h) => h.write('C', 0));
    expect([a.isOpen, b.isOpen, c.isOpen]).toEqual([true, false, true]);
    expect(pool.stats.evictions).toBe(1);
    const got = await b.use(async (h) => {
      const buf = Buffer.alloc(1);
      await h.read(buf, 0, 1, 0);
      return buf.toString();
    });
    expect(got).toBe('B');
    expect([a.isOpen, b.isOpen, c.isOpen]).toEqual([false, true, true]);
    for (const f of [a, b, c]) await f.close();
    expect(fdsUnder(root)).toBe(0);
  });

  it('makes a use wait, first come first served, while every slot is held, and close() wait for uses in flight', async () => {
    const root = dir();
    const pool = new FilePool(1);
    const a = pool.file(join(root, 'a'), 'w+', 'r+');
    const b = pool.file(join(root, 'b'), 'w+', 'r+');
    const order: string[] = [];
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const aStarted = new Promise<void>((resolve) => (started = resolve));
    const held = a.use(async (h) => {
      order.push('a start');
      started();
      await new Promise<void>((resolve) => (release = resolve));
      expect(h.fd).not.toBe(-1);
      order.push('a end');
    });
    // Conditions, not delays: on a loaded machine the open of `a` (a libuv thread) took longer than
    // the 5 ms this once waited, and the test released `a` before it had started.
    await aStarted;
    const waiting = b.use(async () => void order.push('b'));
    const closing = a.close().then(() => void order.push('a closed'));
    while (pool.stats.waiting === 0) await tick(1);
    expect(pool.stats.waiting).toBe(1);
    expect(order).toEqual(['a start']);
    release();
    await Promise.all([held, waiting, closing]);
    expect(order.slice(0, 2)).toEqual(['a start', 'a end']);
    expect(order).toContain('b');
    expect(order).toContain('a closed');
    await expect(a.use(async () => undefined)).rejects.toMatchObject({ reason: 'NOT_READY' });
    await b.close();
    expect(pool.stats.open).toBe(0);
  });

  it('counts a transient file against the budget', async () => {
    const root = dir();
    const pool = new FilePool(1);
    const a = pool.file(join(root, 'a'), 'w+', 'r+');
    let during = -1;
    await a.use(async () => undefined);
    await pool.transient(join(root, 't'), 'w', async (h) => {
      await h.writeFile('x');
      during = pool.stats.open;
      expect(a.isOpen).toBe(false); // evicted to make room
    });
    expect(during).toBe(1);
    expect(pool.stats.open).toBe(0);
    await a.close();
  });
});

describe('PartitionLog through a shared FilePool', () => {
  it('30 logs behind a pool of 6 descriptors: every record reads back, and no more than 6 files are ever open', async () => {
    const root = dir();
    const pool = new FilePool(6);
    // Small segments so that logs roll and old segments are read too.
    const config = testConfig({ segmentBytes: 1024 * 1024 });
    const logs = await Promise.all(Array.from({ length: 30 }, (_, i) => PartitionLog.open(join(root, `p${i}`), config, { files: pool })));
    let maxOpen = 0;
    let maxFds = 0;
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        logs.map(async (log, i) => {
          await log.appendAsLeader(batchOf(`p${i}-b${round}`, 3), round);
          maxOpen = Math.max(maxOpen, pool.stats.open);
        }),
      );
      maxFds = Math.max(maxFds, fdsUnder(root));
      // Reads of every log at once, beside the appends' leftovers.
      const reads = await Promise.all(logs.map((log) => readAllOffsets(log)));
      for (const offsets of reads) expect(offsets).toEqual(Array.from({ length: (round + 1) * 3 }, (_, k) => k));
      maxFds = Math.max(maxFds, fdsUnder(root));
    }
    expect(maxOpen).toBeLessThanOrEqual(6);
    expect(maxFds).toBeLessThanOrEqual(6);
    expect(pool.stats.evictions).toBeGreaterThan(0);
    await Promise.all(logs.map((log) => log.close()));
    expect(fdsUnder(root)).toBe(0);
    // Reopened (clean) through the same small pool: the epochs and every record are there.
    const again = await Promise.all(Array.from({ length: 30 }, (_, i) => PartitionLog.open(join(root, `p${i}`), config, { files: pool })));
    for (const log of again) {
      expect(log.recoveryReport.clean).toBe(true);
      expect(await readAllOffsets(log)).toHaveLength(15);
      expect(log.latestEpoch).toBe(4);
    }
    await Promise.all(again.map((log) => log.close()));
    expect(pool.stats.open).toBe(0);
  });

  it('opens a brand-new partition directory as clean, not as recovered after an unclean shutdown', async () => {
    const d = dir();
    // The replica manager writes its topic-id file before the log opens the directory.
    writeFileSync(join(d, 'topic-id'), 'abc');
    const infos: string[] = [];
    const log = await PartitionLog.open(d, testConfig(), {
      logger: { info: (_o, msg) => void infos.push(msg), warn: (_o, msg) => void infos.push(msg) },
    });
    expect(log.recoveryReport.clean).toBe(true);
    expect(infos).not.toContain('recovered log after unclean shutdown');
    await log.close();
  });
});

describe('FilePool.listDir', () => {
  const tempDir = tempDirsPerTest();

  it('takes a slot of the budget: a listing waits while every slot is held', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a'), 'x');
    const pool = new FilePool(1);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holding = pool.transient(join(dir, 'a'), 'r', () => held);
    let listed: string[] | undefined;
    const listing = pool.listDir(dir).then((names) => (listed = names));
    await tick(20);
    expect(pool.stats.waiting, 'the listing waits for the only slot').toBe(1);
    expect(listed, 'listed while the only slot was held').toBeUndefined();
    release();
    await holding;
    await listing;
    expect(listed).toEqual(['a']);
    expect(pool.stats.open).toBe(0);
  });
});
