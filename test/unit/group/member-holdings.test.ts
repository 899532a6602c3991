/**
 * What a relay-mode member holds against its declared limits (libs/group MemberHoldings): how much
 * of a chunk fits, what a processed offset releases, a dropped partition, and the one record over
 * max_bytes that still goes to a member holding nothing.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MemberHoldings } from '../../../libs/group/index.js';

describe('MemberHoldings', () => {
  it('fits a chunk up to the record and byte limits; processed offsets and dropped partitions make room', async () => {
    const h = new MemberHoldings(5, 300);
    expect(h.fit([100, 100, 100, 100])).toBe(3);
    h.hold(
      'a',
      [0, 1, 2].map((offset) => ({ offset, bytes: 100 })),
    );
    expect(h.fit([1])).toBe(0);
    const room = h.room();
    h.processed('a', 2);
    await room;
    expect([h.heldRecords, h.heldBytes]).toEqual([1, 100]);
    expect(h.fit([50, 50, 50, 50, 50])).toBe(4);
    h.hold(
      'b',
      [7, 8].map((offset) => ({ offset, bytes: 10 })),
    );
    h.drop('a');
    expect([h.heldRecords, h.heldBytes]).toEqual([2, 20]);
  });

  it('one record larger than max_bytes goes alone to a member holding nothing', () => {
    const h = new MemberHoldings(0, 100);
    expect(h.fit([500, 1])).toBe(1);
    h.hold('a', [{ offset: 0, bytes: 500 }]);
    expect(h.fit([1])).toBe(0);
  });

  it('whatever is sent and processed, what is held never passes the limits (beyond one oversized record alone)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.oneof(fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 30 }), fc.integer({ min: 0, max: 3 })), {
          maxLength: 60,
        }),
        (maxRecords, maxBytes, steps) => {
          const h = new MemberHoldings(maxRecords, maxBytes);
          const next = [0, 0, 0, 0];
          const done = [0, 0, 0, 0];
          for (const step of steps) {
            if (Array.isArray(step)) {
              const p = step.length % 4;
              const n = h.fit(step);
              h.hold(
                `p${p}`,
                step.slice(0, n).map((bytes) => ({ offset: (next[p] = (next[p] ?? 0) + 1) - 1, bytes })),
              );
            } else {
              done[step] = Math.min(next[step] as number, (done[step] as number) + 2);
              h.processed(`p${step}`, done[step] as number);
            }
            expect(h.heldRecords).toBeLessThanOrEqual(maxRecords);
            if (h.heldRecords > 1) expect(h.heldBytes).toBeLessThanOrEqual(maxBytes);
            expect(h.heldRecords).toBe(next.reduce((a, n, i) => a + n - (done[i] as number), 0));
          }
        },
      ),
    );
  });
});
