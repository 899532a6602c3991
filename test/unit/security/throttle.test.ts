/** Quota accounting (libs/security quota/): which quota applies, and the throttle a caller earns. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QuotaMeter, BURST_SECONDS, entityKey, resolveQuota, type Quota, type QuotaEntity } from '../../../libs/security/index.js';

const limits = (produce: number) => ({ produceBytesPerSecond: produce, fetchBytesPerSecond: 0, requestsPerSecond: 0 });
const quotas = (...qs: [QuotaEntity, number][]): Map<string, Quota> =>
  new Map(qs.map(([entity, p]) => [entityKey(entity), { entity, limits: limits(p) }]));

describe('which quota applies', () => {
  it("follows Kafka's order, most specific first", () => {
    const all = quotas(
      [{ user: 'User:a', clientId: 'c' }, 1],
      [{ user: 'User:a', clientId: '<default>' }, 2],
      [{ user: 'User:a' }, 3],
      [{ user: '<default>', clientId: 'c' }, 4],
      [{ user: '<default>', clientId: '<default>' }, 5],
      [{ user: '<default>' }, 6],
      [{ clientId: 'c' }, 7],
      [{ clientId: '<default>' }, 8],
    );
    const keys = [...all.keys()];
    for (let i = 0; i < keys.length; i++) {
      const some = new Map([...all].slice(i));
      expect(resolveQuota(some, 'User:a', 'c')?.limits.produceBytesPerSecond).toBe(i + 1);
    }
    expect(resolveQuota(quotas([{ user: 'User:b' }, 1]), 'User:a', 'c')).toBeUndefined();
  });
});

describe('throttling', () => {
  it('a caller that waits out every throttle moves at most rate * t + burst', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 1_000_000 }),
        fc.array(fc.integer({ min: 1, max: 500_000 }), { minLength: 1, maxLength: 60 }),
        (rate, sizes) => {
          let now = 0;
          const meter = new QuotaMeter(
            () => quotas([{ user: 'User:a' }, rate]),
            () => now,
          );
          let total = 0;
          let throttled = 0;
          for (const size of sizes) {
            total += size;
            const t = meter.record('produce', 'User:a', '', size).throttleMs;
            throttled += t;
            // What it moved by the end of this wait is within the bound.
            now += t;
            expect(total).toBeLessThanOrEqual((rate * now) / 1000 + rate * BURST_SECONDS + 1e-6 + rate / 1000);
            now += 1; // the next request comes a moment later
          }
          // The throttle reported accounts for every byte beyond the burst.
          expect(throttled / 1000 + sizes.length / 1000).toBeGreaterThanOrEqual(
            (total - rate * BURST_SECONDS) / rate - 0.002 * sizes.length,
          );
        },
      ),
    );
  });

  it('no quota, or a zero limit, never throttles; <default> gives each user a bucket of their own', () => {
    let now = 0;
    const none = new QuotaMeter(
      () => new Map(),
      () => now,
    );
    expect(none.record('produce', 'User:a', '', 1e12).throttleMs).toBe(0);
    const shared = new QuotaMeter(
      () => quotas([{ user: '<default>' }, 1000]),
      () => now,
    );
    expect(shared.record('produce', 'User:a', '', 2000).throttleMs).toBe(1000);
    expect(shared.record('produce', 'User:b', '', 1000).throttleMs).toBe(0);
    now += 1000;
    expect(shared.record('produce', 'User:a', '', 0).throttleMs).toBe(0);
  });
});
