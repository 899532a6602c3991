/**
 * Replica placement (Kafka's rack-unaware assignment) as properties over random broker sets,
 * partition counts, replication factors and start indexes.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SamsaError } from '../../../libs/errors/index.js';
import { assignReplicas } from '../../../libs/cluster/index.js';

/** 1..10 distinct broker ids (not contiguous, not sorted), partitions, rf <= brokers, start index. */
const scenario = fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 10 }).chain((brokers) =>
  fc.record({
    brokers: fc.constant(brokers),
    partitions: fc.integer({ min: 1, max: 200 }),
    rf: fc.integer({ min: 1, max: brokers.length }),
    start: fc.integer({ min: -50, max: 50 }),
  }),
);

function counts(brokers: readonly number[], values: readonly number[]): number[] {
  const c = new Map<number, number>(brokers.map((b) => [b, 0]));
  for (const v of values) c.set(v, (c.get(v) ?? 0) + 1);
  return [...c.values()];
}
const spread = (xs: number[]): number => Math.max(...xs) - Math.min(...xs);

describe('assignReplicas', () => {
  it('property: every partition gets RF distinct replicas, all from the live set', () => {
    fc.assert(
      fc.property(scenario, ({ brokers, partitions, rf, start }) => {
        const out = assignReplicas(brokers, partitions, rf, start);
        expect(out).toHaveLength(partitions);
        const live = new Set(brokers);
        for (const replicas of out) {
          expect(replicas).toHaveLength(rf);
          expect(new Set(replicas).size).toBe(rf);
          for (const r of replicas) expect(live.has(r)).toBe(true);
        }
      }),
    );
  });

  it('property: leaders (first replicas) are spread evenly: counts differ by at most 1', () => {
    fc.assert(
      fc.property(scenario, ({ brokers, partitions, rf, start }) => {
        const out = assignReplicas(brokers, partitions, rf, start);
        expect(
          spread(
            counts(
              brokers,
              out.map((r) => r[0] as number),
            ),
          ),
        ).toBeLessThanOrEqual(1);
      }),
    );
  });

  // Holds for Kafka's algorithm when partitions is a multiple of the broker count: within each
  // block of n partitions every broker leads once and the follower shift is constant, so each
  // broker is the k-th follower exactly once per block. (For other partition counts the last,
  // partial block can pile followers up, so nothing is asserted there.)
  it('property: replica counts per broker differ by at most 1 when partitions is a multiple of the broker count', () => {
    const multiple = scenario.chain((s) => fc.integer({ min: 1, max: 20 }).map((k) => ({ ...s, partitions: k * s.brokers.length })));
    fc.assert(
      fc.property(multiple, ({ brokers, partitions, rf, start }) => {
        const out = assignReplicas(brokers, partitions, rf, start);
        const c = counts(brokers, out.flat());
        expect(spread(c)).toBeLessThanOrEqual(1);
        expect(c.reduce((a, b) => a + b, 0)).toBe(partitions * rf);
      }),
    );
  });

  it('does not depend on the order the live brokers are listed in', () => {
    fc.assert(
      fc.property(scenario, ({ brokers, partitions, rf, start }) => {
        const reversed = [...brokers].reverse();
        expect(assignReplicas(reversed, partitions, rf, start)).toEqual(assignReplicas(brokers, partitions, rf, start));
      }),
    );
  });

  it('spreads leaders round-robin from the start index (Kafka layout for 3 brokers, RF 2)', () => {
    expect(assignReplicas([3, 1, 2], 3, 1, 0)).toEqual([[1], [2], [3]]);
    expect(assignReplicas([1, 2, 3], 3, 1, 1).map((r) => r[0])).toEqual([2, 3, 1]);
    const six = assignReplicas([1, 2, 3], 6, 2, 0);
    expect(six.map((r) => r[0])).toEqual([1, 2, 3, 1, 2, 3]);
    // Followers shift once every n partitions, so the second block differs from the first.
    expect(six.slice(0, 3)).not.toEqual(six.slice(3, 6));
  });

  it('property: RF > live brokers is refused with NOT_ENOUGH_BROKERS naming both numbers', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 0, maxLength: 10 }),
        fc.integer({ min: 1, max: 5 }),
        (brokers, extra) => {
          const rf = brokers.length + extra;
          let error: unknown;
          try {
            assignReplicas(brokers, 3, rf);
          } catch (err) {
            error = err;
          }
          expect(error).toBeInstanceOf(SamsaError);
          const e = error as SamsaError;
          expect(e.reason).toBe('NOT_ENOUGH_BROKERS');
          expect(e.message).toMatch(new RegExp(`\\b${rf}\\b`));
          expect(e.message).toMatch(new RegExp(`\\b${brokers.length}\\b`));
        },
      ),
    );
  });

  it('refuses RF < 1 with INVALID_REPLICATION_FACTOR', () => {
    for (const rf of [0, -1]) {
      let error: unknown;
      try {
        assignReplicas([1, 2, 3], 3, rf);
      } catch (err) {
        error = err;
      }
      expect((error as SamsaError).reason).toBe('INVALID_REPLICATION_FACTOR');
    }
  });
});
