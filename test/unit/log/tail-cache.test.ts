/**
 * The tail cache: a read it answers returns exactly the bytes at those file positions, it answers
 * only ranges it holds whole, and the bytes it holds stay within the budget whatever mix of
 * appends, cuts and rolls several windows see, the budget counting the memory kept alive (a view's
 * whole backing buffer, once). Plus the log's own reads with it: a tail read is
 * served from memory (a view of the appended batch) and equals what the file holds.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TailCache, type TailWindow } from '../../../libs/log/tail-cache.js';
import { DEFAULT_LOG_CONFIG, PartitionLog, segmentFileName } from '../../../libs/log/index.js';
import { buildBatch } from '../../../libs/record/index.js';

type Op = { kind: 'push'; window: number; size: number } | { kind: 'clear'; window: number } | { kind: 'gap'; window: number };
type Backed =
  | { kind: 'push'; window: number; size: number; before: number; after: number }
  | { kind: 'pair'; windows: [number, number]; sizes: [number, number]; before: number; after: number }
  | { kind: 'clear'; window: number }
  | { kind: 'gap'; window: number };

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
              end[op.window] = at + op.size;
              pushedEnd[op.window] = at + op.size;
            }
            expect(cache.bytes).toBeLessThanOrEqual(budget);
            expect(cache.bytes).toBeGreaterThanOrEqual(0);
          }
          for (const [wi, w] of windows.entries()) {
            for (const [back, length] of reads) {
              const position = Math.max(0, (end[wi] ?? 0) - back);
              const got = w.read(position, length);
              const start = w.start;
              const holds = start !== undefined && position >= start && position + length <= (pushedEnd[wi] ?? 0);
              if (!holds) {
                expect(got).toBeUndefined();
                continue;
              }
              // A window that holds a range must answer it, with the bytes written there.
              expect(got).toBeDefined();
              expect([...(got as Buffer)]).toEqual(Array.from({ length }, (_, i) => byteAt(wi, position + i)));
            }
          }
          for (const w of windows) w.clear();
          expect(cache.bytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps alive no more memory than its budget, counting every backing buffer of what it holds once (property)', () => {
    // Each chunk's memory is observed from outside: a read of exactly one held chunk is a view of
    // what the cache keeps for it, so its .buffer is the backing buffer kept alive. Fails with the
    // accounting before it, which counted view bytes (and kept small copies in Node's pool slab).
    const size = fc.integer({ min: 1, max: 300 });
    const slack = fc.integer({ min: 0, max: 300 });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('push' as const), window: fc.nat(2), size, before: slack, after: slack }),
            fc.record({
              kind: fc.constant('pair' as const),
              windows: fc.tuple(fc.nat(2), fc.nat(2)),
              sizes: fc.tuple(size, size),
              before: slack,
              after: slack,
            }),
            fc.record({ kind: fc.constant('clear' as const), window: fc.nat(2) }),
            fc.record({ kind: fc.constant('gap' as const), window: fc.nat(2) }),
          ),
          { maxLength: 60 },
        ),
        (budget, ops: Backed[]) => {
          const cache = new TailCache(budget);
          const windows = [cache.window(), cache.window(), cache.window()];
          const byteAt = (w: number, p: number): number => (p * 7 + w) & 0xff;
          const end = [0, 0, 0];
          /** The chunks each window may hold (since its last restart): position, size. */
          const chunks: { position: number; size: number }[][] = [[], [], []];
          const push = (wi: number, backing: Buffer, offset: number, n: number): void => {
            const at = end[wi] as number;
            for (let i = 0; i < n; i++) backing[offset + i] = byteAt(wi, at + i);
            const list = chunks[wi] as { position: number; size: number }[];
            const last = list[list.length - 1];
            if (budget === 0 || n > budget || (last && last.position + last.size !== at)) list.length = 0;
            (windows[wi] as TailWindow).push(at, backing.subarray(offset, offset + n));
            if (budget > 0 && n <= budget) list.push({ position: at, size: n });
            end[wi] = at + n;
          };
          for (const op of ops) {
            if (op.kind === 'clear') {
              windows[op.window]?.clear();
              (chunks[op.window] as unknown[]).length = 0;
            } else if (op.kind === 'gap') end[op.window] = (end[op.window] as number) + 13;
            else if (op.kind === 'push') {
              const backing = Buffer.alloc(op.before + op.size + op.after);
              push(op.window, backing, op.before, op.size);
            } else {
              // One response carrying two batches, of one window or of two.
              const [s1, s2] = op.sizes;
              const backing = Buffer.alloc(op.before + s1 + s2 + op.after);
              push(op.windows[0], backing, op.before, s1);
              push(op.windows[1], backing, op.before + s1, s2);
            }
            const kept = new Set<ArrayBufferLike>();
            for (const [wi, w] of windows.entries()) {
              const start = w.start;
              for (const c of chunks[wi] as { position: number; size: number }[]) {
                if (start === undefined || c.position < start) {
                  expect(w.read(c.position, c.size)).toBeUndefined();
                  continue;
                }
                const got = w.read(c.position, c.size) as Buffer;
                expect([...got]).toEqual(Array.from({ length: c.size }, (_, i) => byteAt(wi, c.position + i)));
                kept.add(got.buffer);
              }
            }
            expect(cache.bytes).toBe([...kept].reduce((sum, b) => sum + b.byteLength, 0));
            expect(cache.bytes).toBeLessThanOrEqual(budget);
          }
          for (const w of windows) w.clear();
          expect(cache.bytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts the memory it keeps alive: a view at its whole backing buffer, once however many chunks view it', () => {
    // Fails with the accounting before it (view bytes: 400, then 600, then 900).
    const cache = new TailCache(1000);
    const w = cache.window();
    const response = Buffer.alloc(600, 1);
    w.push(0, response.subarray(0, 400)); // 2/3 of its buffer: kept as a view, which keeps all 600
    expect(cache.bytes).toBe(600);
    w.push(400, response.subarray(400, 600)); // the same buffer: nothing more alive
    expect(cache.bytes).toBe(600);
    const other = cache.window();
    other.push(0, Buffer.alloc(500, 2)); // 1,100 > 1,000: both views of the response go
    expect(cache.bytes).toBe(500);
    expect(w.start).toBeUndefined();
    expect(other.read(0, 500)?.equals(Buffer.alloc(500, 2))).toBe(true);
  });

  it('copies a batch into a buffer of its own when its backing buffer would not fit the budget', () => {
    const cache = new TailCache(1000);
    const w = cache.window();
    const big = Buffer.alloc(1500, 3);
    w.push(0, big.subarray(0, 900)); // most of its buffer, but the buffer is over budget
    const got = w.read(0, 900) as Buffer;
    expect(got.buffer).not.toBe(big.buffer);
    expect(got.buffer.byteLength).toBe(900);
    expect(cache.bytes).toBe(900);
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

  it('keeps a copy, not the view, of a small slice of a large buffer', () => {
    const cache = new TailCache(1 << 20);
    const w = cache.window();
    const big = Buffer.alloc(64 * 1024, 5);
    w.push(0, big.subarray(100, 200));
    const got = w.read(0, 100) as Buffer;
    expect(got.equals(Buffer.alloc(100, 5))).toBe(true);
    expect(got.buffer).not.toBe(big.buffer);
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
