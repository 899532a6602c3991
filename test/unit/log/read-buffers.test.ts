/**
 * Reused read buffers (libs/log/read-buffers.ts): a lease's buffers are its own until released
 * and then serve the next lease; the pool keeps no more than its budget; and the log's reads with
 * a lease give the same bytes as without, from the file or from the tail cache into the lease's
 * buffer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_LOG_CONFIG, PartitionLog, ReadBufferPool, TailCache } from '../../../libs/log/index.js';
import { buildBatch } from '../../../libs/record/index.js';

describe('ReadBufferPool', () => {
  it('gives a lease buffers of the asked length, reused only after release', () => {
    const pool = new ReadBufferPool(4 << 20);
    const a = pool.lease();
    const first = a.into(1000);
    expect(first.length).toBe(1000);
    const b = pool.lease();
    const second = b.into(1000);
    expect(second.buffer).not.toBe(first.buffer); // a's buffer is still a's
    a.release();
    a.release(); // idempotent: given back once
    const c = pool.lease();
    expect(c.into(50_000).buffer).toBe(first.buffer);
    expect(pool.lease().into(1000).buffer).not.toBe(first.buffer);
    expect(pool.stats).toEqual({ made: 3, reused: 1 });
  });

  it('keeps free buffers by size and within its budget (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 300_000 }), fc.boolean()), { maxLength: 40 }), (ops) => {
        const pool = new ReadBufferPool(1 << 20);
        const open: { lease: ReturnType<ReadBufferPool['lease']>; bufs: Buffer[] }[] = [];
        for (const [length, release] of ops) {
          const lease = pool.lease();
          const buf = lease.into(length);
          expect(buf.length).toBe(length);
          // No live buffer is handed out twice.
          for (const o of open) for (const other of o.bufs) expect(other.buffer).not.toBe(buf.buffer);
          if (release) lease.release();
          else open.push({ lease, bufs: [buf] });
          expect(pool.keptBytes).toBeLessThanOrEqual(1 << 20);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('keeps nothing with a budget of 0', () => {
    const pool = new ReadBufferPool(0);
    const lease = pool.lease();
    lease.into(10);
    lease.release();
    expect(pool.keptBytes).toBe(0);
  });
});

describe('PartitionLog.read into a lease', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('reads the same bytes into the lease from the file and from the tail cache, a copy into the lease either way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'read-buffers-'));
    dirs.push(dir);
    const batch = (n: number): Buffer =>
      buildBatch(Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.alloc(100, i), headers: [] })));
    const cache = new TailCache(3000);
    const log = await PartitionLog.open(dir, DEFAULT_LOG_CONFIG, { tailCache: cache });
    const pool = new ReadBufferPool();
    try {
      const appended: Buffer[] = [];
      for (let i = 0; i < 20; i++) {
        const b = batch(3);
        await log.appendAsLeader(b, 1);
        appended.push(b);
      }
      const all = Buffer.concat(appended);
      // From the file (the cache holds only the newest batches): into the lease's buffer.
      const fromFile = pool.lease();
      const whole = await log.read(0, 1 << 20, undefined, fromFile.into);
      expect(whole.bytes.equals(all)).toBe(true);
      expect(pool.stats.made).toBe(1);
      const fileBuffer = whole.bytes.buffer;
      fromFile.release();
      // One cached batch: copied into the lease's buffer (the one released above), never a view of
      // the cache's ring, which later appends overwrite.
      const tail = pool.lease();
      const last = await log.read(57, 1, undefined, tail.into);
      expect(last.bytes.equals(appended[19] as Buffer)).toBe(true);
      expect(last.bytes.buffer).toBe(fileBuffer);
      expect(pool.stats).toEqual({ made: 1, reused: 1 });
      tail.release();
      // Several cached batches: one copy into the lease's buffer.
      const again = pool.lease();
      const two = await log.read(54, 1 << 20, undefined, again.into);
      expect(two.bytes.equals(Buffer.concat([appended[18] as Buffer, appended[19] as Buffer]))).toBe(true);
      expect(two.bytes.buffer).toBe(fileBuffer);
      expect(pool.stats).toEqual({ made: 1, reused: 2 });
      // The copy outlives the ring's reuse: appends that wrap the ring leave it as read.
      for (let i = 0; i < 20; i++) await log.appendAsLeader(batch(3), 1);
      expect(two.bytes.equals(Buffer.concat([appended[18] as Buffer, appended[19] as Buffer]))).toBe(true);
      again.release();
    } finally {
      await log.close();
    }
  });
});
