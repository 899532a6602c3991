/**
 * The in-memory window of recently appended batches: a lookup answers the batch holding the
 * offset, or nothing, exactly as a walk over the same batches would.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RecentBatches } from '../../../libs/log/recent-batches.js';
import type { BatchInfo } from '../../../libs/log/segment.js';

/** Contiguous batches of the given record counts, from offset `base` at byte `position`. */
function batches(counts: readonly number[], base = 0, position = 0): BatchInfo[] {
  const out: BatchInfo[] = [];
  for (const n of counts) {
    const size = 61 + 10 * n;
    out.push({ position, size, baseOffset: base, lastOffset: base + n - 1, maxTimestamp: 0, leaderEpoch: 0 });
    base += n;
    position += size;
  }
  return out;
}

describe('RecentBatches', () => {
  it('finds the batch holding any offset among the last `capacity` batches, nothing outside them (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 60 }),
        fc.nat(400),
        (capacity, counts, offset) => {
          const all = batches(counts, 100, 4096);
          const recent = new RecentBatches(capacity);
          for (const b of all) recent.push(b);
          const kept = all.slice(-capacity);
          const holder = kept.find((b) => b.baseOffset <= offset && offset <= b.lastOffset);
          expect(recent.size).toBe(kept.length);
          expect(recent.find(offset)).toEqual(holder);
        },
      ),
    );
  });

  it('starts over when an append does not follow the last one (a gap in offsets or bytes)', () => {
    const recent = new RecentBatches(8);
    const [a, b] = batches([2, 3]) as [BatchInfo, BatchInfo];
    recent.push(a);
    recent.push({ ...b, position: b.position + 1 });
    expect(recent.size).toBe(1);
    expect(recent.find(0)).toBeUndefined();
    expect(recent.find(3)?.baseOffset).toBe(2);
    recent.clear();
    expect(recent.find(3)).toBeUndefined();
    expect(() => new RecentBatches(0)).toThrow(RangeError);
  });
});
