import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HISTOGRAM_MAX_VALUE, LatencyHistogram } from '../../../tools/perf/index.js';

/** The exact percentile of sorted values, by the same rank rule as the histogram. */
function exact(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length - 1e-9));
  return sorted[rank - 1] as number;
}

describe('LatencyHistogram', () => {
  it('is empty until something is recorded', () => {
    const h = new LatencyHistogram();
    expect([h.count, h.min, h.max, h.mean, h.percentile(99)]).toEqual([0, 0, 0, 0, 0]);
  });

  it('keeps values below 2,048 exactly', () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 1000; v++) h.record(v);
    expect(h.percentile(50)).toBe(500);
    expect(h.percentile(99)).toBe(990);
    expect(h.percentile(99.9)).toBe(999);
    expect(h.percentile(100)).toBe(1000);
    expect(h.mean).toBe(500.5);
  });

  it('reports every percentile at or above the exact one and within 0.1% of it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(0, 1, 50, 90, 95, 99, 99.9, 100),
        (values, p) => {
          const h = new LatencyHistogram();
          for (const v of values) h.record(v);
          const truth = exact(
            [...values].sort((a, b) => a - b),
            p,
          );
          const got = h.percentile(p);
          expect(got).toBeGreaterThanOrEqual(truth);
          expect(got).toBeLessThanOrEqual(Math.max(truth, truth * 1.001 + 1));
        },
      ),
    );
  });

  it('counts a sample several times, adds histograms, and clamps out-of-range values', () => {
    const a = new LatencyHistogram();
    a.record(10, 99);
    const b = new LatencyHistogram();
    b.record(5_000_000);
    b.record(-3);
    b.record(HISTOGRAM_MAX_VALUE * 4);
    a.add(b);
    expect(a.count).toBe(102);
    expect(a.min).toBe(0);
    expect(a.max).toBe(HISTOGRAM_MAX_VALUE);
    expect(a.percentile(50)).toBe(10);
    expect(a.percentile(98)).toBe(10);
    const p99 = a.percentile(99);
    expect(p99).toBeGreaterThanOrEqual(5_000_000);
    expect(p99).toBeLessThanOrEqual(5_005_000);
  });
});
