/**
 * The tail cache: a read it answers returns exactly the bytes at those file positions, it answers
 * only ranges it holds whole, and the bytes it holds stay within the budget whatever mix of
 * appends, cuts and rolls several windows see. It keeps copies in a ring of its own (ADR 0062):
 * the buffers appended from may be reused at once, and what a read returned stays as it was
 * however often the ring is overwritten. Plus the log's own reads with it: a tail read is served
 * from memory and equals what the file holds. It counts its reads, hit or miss (the broker's
 * samsa_broker_tail_cache_reads_total).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TailCache } from '../../../libs/log/tail-cache.js';
import { DEFAULT_LOG_CONFIG, PartitionLog, segmentFileName } from '../../../libs/log/index.js';
import { buildBatch } from '../../../libs/record/index.js';

type Op = { kind: 'push'; window: number; size: number } | { kind: 'clear'; window: number } | { kind: 'gap'; window: number };
describe('TailCache', () => {
  it('answers a range only when it holds all of it, with the bytes written there, within budget (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 400 }),
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('push' as const), window: fc.nat(2), size: fc.integer({ min: 1, max: 120 }) }),
            fc.record({ kind: fc.constant('clear' as const), window: fc.nat(2) }),
            fc.record({ kind: fc.constant('gap' as const), window: fc.nat(2) }),
          ),
          { maxLength: 80 },
        ),
        // Reads as (bytes back from the end written, length): most land near the tail, as real ones do.
        fc.array(fc.tuple(fc.nat(500), fc.nat(300)), { minLength: 1, maxLength: 10 }),
        (budget, ops: Op[], reads) => {
          const cache = new TailCache(budget);
          const windows = [cache.window(), cache.window(), cache.window()];
          // What each window's "file" holds: byte at position p is (p * 7 + window) & 0xff.
          const end = [0, 0, 0];
          /** Where each window's last push ended (what it can hold up to). */
          const pushedEnd = [0, 0, 0];
          const byteAt = (w: number, p: number): number => (p * 7 + w) & 0xff;
          for (const op of ops) {
            const w = windows[op.window];
            if (!w) continue;
            if (op.kind === 'clear') w.clear();
            else if (op.kind === 'gap') end[op.window] = (end[op.window] ?? 0) + 13;
            else {
              const at = end[op.window] ?? 0;
              const bytes = Buffer.from(Array.from({ length: op.size }, (_, i) => byteAt(op.window, at + i)));
              w.push(at, bytes);
              // The appender's buffer is free again once pushed (a request buffer, dropped).
              bytes.fill(0xee);
              end[op.window] = at + op.size;
              pushedEnd[op.window] = at + op.size;
            }
            expect(cache.bytes).toBeLessThanOrEqual(budget);
            expect(cache.bytes).toBeGreaterThanOrEqual(0);
          }
          // The counters behind samsa_broker_tail_cache_reads_total: one per read, hit or miss.
          let hits = 0;
          let misses = 0;
          for (const [wi, w] of windows.entries()) {
            for (const [back, length] of reads) {
              const position = Math.max(0, (end[wi] ?? 0) - back);
              const got = w.read(position, length);
              const start = w.start;
              const holds = start !== undefined && position >= start && position + length <= (pushedEnd[wi] ?? 0);
              if (holds) hits++;
              else misses++;
              expect([cache.hits, cache.misses]).toEqual([hits, misses]);
              if (!holds) {
                expect(got).toBeUndefined();
                continue;
              }
              // A window that holds a range must answer it, with the bytes written there.
              expect(got).toBeDefined();
              expect([...(got as Buffer)]).toEqual(Array.from({ length }, (_, i) => byteAt(wi, position + i)));
            }
          }
          // What a read returned is the reader's: overwriting the whole ring leaves it as read.
          const held = windows.map((w, wi) => {
            const start = w.start;
            return start === undefined ? undefined : { wi, position: start, got: w.read(start, (pushedEnd[wi] ?? 0) - start) as Buffer };
          });
          const other = cache.window();
          for (let at = 0; at < budget * 2; at += 50) other.push(at, Buffer.alloc(Math.min(50, budget), 0xdd));
          for (const h of held) {
            if (!h) continue;
            expect([...h.got]).toEqual(Array.from({ length: h.got.length }, (_, i) => byteAt(h.wi, h.position + i)));
          }
          other.clear();
          for (const w of windows) w.clear();
          expect(cache.bytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps a copy: the buffer a batch arrived in is not kept, and may be reused at once', () => {
    // Fails with the cache before the ring (ADR 0062), which kept views of the appended buffers.
    const cache = new TailCache(1000);
    const w = cache.window();
    const request = Buffer.alloc(600, 1);
    w.push(0, request.subarray(0, 400));
    w.push(400, request.subarray(400, 600));
    request.fill(9);
    const got = w.read(0, 600) as Buffer;
    expect(got.equals(Buffer.alloc(600, 1))).toBe(true);
    expect(got.buffer).not.toBe(request.buffer);
    expect(cache.bytes).toBe(600);
  });

  it('wraps the ring: a chunk that does not fit before its end goes to its start, over the oldest bytes', () => {
    const cache = new TailCache(100);
    const a = cache.window();
    const b = cache.window();
    a.push(0, Buffer.alloc(30, 1)); // ring 0-30
    b.push(0, Buffer.alloc(30, 2)); // ring 30-60
    a.push(30, Buffer.alloc(30, 3)); // ring 60-90
    b.push(30, Buffer.alloc(30, 4)); // 90 + 30 > 100: ring 0-30, over a's first chunk
    expect(a.start).toBe(30);
    expect(b.start).toBe(0);
    expect(cache.bytes).toBe(90);
    a.push(60, Buffer.alloc(30, 5)); // ring 30-60, over b's first chunk
    expect(b.start).toBe(30);
    expect(a.read(30, 60)?.equals(Buffer.concat([Buffer.alloc(30, 3), Buffer.alloc(30, 5)]))).toBe(true);
    expect(b.read(30, 30)?.equals(Buffer.alloc(30, 4))).toBe(true);
    expect(cache.bytes).toBe(90);
  });

  it('evicts the oldest bytes of any window first', () => {
    const cache = new TailCache(100);
    const a = cache.window();
    const b = cache.window();
    a.push(0, Buffer.alloc(40, 1));
    b.push(0, Buffer.alloc(40, 2));
    a.push(40, Buffer.alloc(40, 3)); // 120 > 100: a's first chunk goes
    expect(cache.bytes).toBe(80);
    expect(a.start).toBe(40);
    expect(b.start).toBe(0);
    expect(a.read(0, 10)).toBeUndefined();
    expect(b.read(0, 40)?.equals(Buffer.alloc(40, 2))).toBe(true);
  });

  it('takes nothing larger than its budget, and starts a window over on a gap', () => {
    const cache = new TailCache(100);
    const w = cache.window();
    w.push(0, Buffer.alloc(50, 1));
    w.push(50, Buffer.alloc(101, 2)); // over budget: the window empties, reads go to the file
    expect(w.start).toBeUndefined();
    expect(cache.bytes).toBe(0);
    w.push(151, Buffer.alloc(20, 3));
    w.push(200, Buffer.alloc(20, 4)); // not contiguous: starts over
    expect(w.start).toBe(200);
    expect(w.read(151, 20)).toBeUndefined();
    expect(cache.bytes).toBe(20);
  });
});

describe('PartitionLog with a tail cache', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('serves a read of the latest batches from memory and the rest from the file, the same bytes either way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tail-cache-'));
    dirs.push(dir);
    const batch = (n: number): Buffer =>
      buildBatch(Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`value-${i}`), headers: [] })));
    const cache = new TailCache(4096);
    const log = await PartitionLog.open(dir, DEFAULT_LOG_CONFIG, { tailCache: cache });
    const file = join(dir, segmentFileName(0, 'log'));
    try {
      const appended: Buffer[] = [];
      for (let i = 0; i < 5; i++) {
        const b = batch(3);
        await log.appendAsLeader(b, 1);
        appended.push(b);
      }
      const stored = readFileSync(file);
      expect(stored.equals(Buffer.concat(appended))).toBe(true);
      // With the file's bytes spoiled, reads still give the appended ones: they come from memory.
      writeFileSync(file, Buffer.alloc(stored.length));
      expect((await log.read(12, 1 << 20)).bytes.equals(appended[4] as Buffer)).toBe(true);
      expect((await log.read(0, 1 << 20)).bytes.equals(stored)).toBe(true);
      writeFileSync(file, stored);
      // Over budget: the oldest go, and reads of them come from the file, byte for byte the same.
      const more: Buffer[] = [];
      while (cache.bytes + (appended[0] as Buffer).length <= 4096) {
        const b = batch(3);
        await log.appendAsLeader(b, 1);
        more.push(b);
      }
      const b = batch(3);
      await log.appendAsLeader(b, 1);
      more.push(b);
      expect(cache.bytes).toBeLessThanOrEqual(4096);
      expect((await log.read(0, 1 << 20)).bytes.equals(Buffer.concat([...appended, ...more]))).toBe(true);
      await log.truncateTo(6);
      expect((await log.read(3, 1 << 20)).bytes.equals(appended[1] as Buffer)).toBe(true);
    } finally {
      await log.close();
    }
    expect(cache.bytes).toBe(0);
  });
});
