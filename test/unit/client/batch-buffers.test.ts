/**
 * The producer's batch buffers (libs/client/producer/batch-buffers.ts): a buffer given back is used
 * again for a batch that fits, small batches are not pooled, and the free list is bounded.
 */
import { describe, expect, it } from 'vitest';
import { BatchBuffers } from '../../../libs/client/producer/batch-buffers.js';

describe('BatchBuffers', () => {
  it('gives a view of exactly the size asked, and uses a given-back buffer again for a batch that fits', () => {
    const pool = new BatchBuffers();
    const first = pool.take(900_000);
    expect(first.length).toBe(900_000);
    expect(first.buffer.byteLength).toBe(1024 * 1024);
    pool.give(first);
    const second = pool.take(700_000);
    expect(second.buffer).toBe(first.buffer);
    expect(second.length).toBe(700_000);
    // Taken, so not handed out twice.
    expect(pool.take(700_000).buffer).not.toBe(first.buffer);
  });

  it('takes the smallest free buffer that fits, and a fresh one when none does', () => {
    const pool = new BatchBuffers();
    const big = pool.take(2_000_000);
    const small = pool.take(100_000);
    pool.give(big);
    pool.give(small);
    expect(pool.take(90_000).buffer).toBe(small.buffer);
    expect(pool.take(3_000_000).buffer).not.toBe(big.buffer);
    expect(pool.take(1_500_000).buffer).toBe(big.buffer);
  });

  it('does not pool small batches, keeps each buffer once, and keeps at most 8', () => {
    const pool = new BatchBuffers();
    const tiny = pool.take(1000);
    expect(tiny.buffer.byteLength).toBeLessThan(64 * 1024); // Node's own allocation, not a pooled buffer
    pool.give(tiny);
    expect(pool.take(64 * 1024).buffer).not.toBe(tiny.buffer);
    const taken = Array.from({ length: 10 }, () => pool.take(100_000));
    for (const b of taken) pool.give(b);
    pool.give(taken[0] as Buffer);
    const again = new Set(Array.from({ length: 10 }, () => pool.take(100_000).buffer));
    const reused = taken.filter((b) => again.has(b.buffer)).length;
    expect(reused).toBe(8);
  });
});
