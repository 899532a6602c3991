/**
 * The share-group partition state (libs/group SharePartition) without a network: leases, answers,
 * redelivery with delivery counts, dead-lettering after too many attempts or a reject, the start
 * offset, and key-ordered mode, with a clock the test moves.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SharePartition, type ShareConfig } from '../../../libs/group/index.js';

function partition(config: Partial<ShareConfig> = {}, records = 10, keys?: (i: number) => string | undefined) {
  let now = 1_000;
  const p = new SharePartition(0, { leaseMs: 30_000, maxDeliveryAttempts: 3, keyOrdered: false, ...config }, { nowMs: () => now });
  p.append(Array.from({ length: records }, (_, i) => ({ offset: i, key: keys?.(i), bytes: 100 })));
  return { p, tick: (ms: number) => (now += ms) };
}

const all = { records: 1_000, bytes: 1 << 30 };

describe('SharePartition', () => {
  it('leases records to any number of members, up to each one’s record and byte limits', () => {
    const { p } = partition();
    expect(p.acquire('a', { records: 3, bytes: 1 << 20 }).acquired.map((d) => d.offset)).toEqual([0, 1, 2]);
    expect(p.acquire('b', { records: 100, bytes: 250 }).acquired.map((d) => d.offset)).toEqual([3, 4]);
    // At least one record for a member with room for any, even when it is larger than the byte limit.
    expect(p.acquire('c', { records: 100, bytes: 10 }).acquired.map((d) => d.offset)).toEqual([5]);
    expect(p.counts()).toMatchObject({ inFlight: 6, available: 4 });
  });

  it('an expired lease makes its records available again, with their delivery count; a late ack counts for nothing', () => {
    const { p, tick } = partition();
    p.acquire('a', { records: 2, bytes: 1 << 20 });
    tick(30_001);
    expect(p.ack('a', 0, 1)).toBe(0);
    expect(p.acquire('b', { records: 2, bytes: 1 << 20 }).acquired).toEqual([
      { offset: 0, deliveryCount: 2 },
      { offset: 1, deliveryCount: 2 },
    ]);
    expect(p.ack('b', 0, 1)).toBe(2);
    expect(p.startOffset).toBe(2);
  });

  it('extend keeps a lease; release gives records back at once or after a delay; leaving gives back all', () => {
    const { p, tick } = partition();
    p.acquire('a', { records: 4, bytes: 1 << 20 });
    tick(20_000);
    expect(p.extend('a', 0, 0)).toBe(1);
    tick(20_000);
    // 1..3 ran out, 0 was extended.
    expect(p.expire()).toBe(3);
    expect(p.stateOf(0)?.state).toBe('acquired');
    expect(p.stateOf(1)?.state).toBe('available');
    expect(p.release('a', 0, 0, 5_000)).toBe(1);
    expect(p.acquire('b', { records: 10, bytes: 1 << 20 }).acquired.map((d) => d.offset)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    tick(5_000);
    expect(p.acquire('c', all).acquired).toEqual([{ offset: 0, deliveryCount: 2 }]);
    expect(p.memberGone('b')).toBe(9);
    expect(p.counts()).toMatchObject({ inFlight: 1, available: 9 });
  });

  it('a rejected record and one past its delivery attempts go to dead-lettering once, then are archived', () => {
    const { p, tick } = partition({ maxDeliveryAttempts: 2 }, 3);
    p.acquire('a', all);
    expect(p.ack('a', 2, 2)).toBe(1);
    expect(p.reject('a', 1, 1)).toEqual([{ offset: 1, reason: 'rejected', deliveryCount: 1 }]);
    expect(p.reject('a', 1, 1)).toEqual([]);
    expect(p.release('a', 0, 0)).toBe(1);
    expect(p.acquire('b', all).acquired).toEqual([{ offset: 0, deliveryCount: 2 }]);
    tick(30_001);
    const third = p.acquire('c', all);
    expect(third.acquired).toEqual([]);
    expect(third.deadLetter).toEqual([{ offset: 0, reason: 'max-delivery-attempts', deliveryCount: 2 }]);
    expect(p.acquire('c', all).deadLetter).toEqual([]);
    p.deadLettered(0);
    p.deadLettered(1);
    p.deadLettered(1);
    expect(p.startOffset).toBe(3);
    expect(p.counts()).toMatchObject({ deadLettered: 2, acked: 1, inFlight: 0, available: 0 });
  });

  it('key-ordered: a key is never at two members at once and its records go out in offset order; keyless records go anywhere', () => {
    const { p } = partition({ keyOrdered: true }, 6, (i) => (i === 5 ? undefined : `k${i % 2}`));
    // k0: 0, 2, 4; k1: 1, 3; keyless: 5.
    expect(p.acquire('a', all).acquired.map((d) => d.offset)).toEqual([0, 1, 5]);
    expect(p.acquire('b', all).acquired).toEqual([]);
    p.ack('a', 0, 0);
    expect(p.acquire('b', all).acquired.map((d) => d.offset)).toEqual([2]);
    p.release('a', 1, 1);
    expect(p.acquire('b', all).acquired.map((d) => d.offset)).toEqual([1]);
  });

  it('property: whatever members do, no key is held by two members, each key goes out in offset order, nothing exceeds its attempts, and acking everything empties the window', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('acquire' as const), member: fc.integer({ min: 0, max: 2 }), records: fc.integer({ min: 1, max: 5 }) }),
      fc.record({
        kind: fc.constantFrom('ack' as const, 'release' as const, 'reject' as const, 'extend' as const),
        member: fc.integer({ min: 0, max: 2 }),
        from: fc.integer({ min: 0, max: 29 }),
        span: fc.integer({ min: 0, max: 4 }),
      }),
      fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 40_000 }) }),
      fc.record({ kind: fc.constant('gone' as const), member: fc.integer({ min: 0, max: 2 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.boolean(), (ops, keyOrdered) => {
        const keyOf = (i: number): string | undefined => (i % 7 === 6 ? undefined : `k${i % 3}`);
        const { p, tick } = partition({ keyOrdered, maxDeliveryAttempts: 3 }, 30, keyOf);
        const deadLettered = new Set<number>();
        const settle = (dead: { offset: number }[]): void => {
          for (const d of dead) {
            expect(deadLettered.has(d.offset)).toBe(false);
            deadLettered.add(d.offset);
            p.deadLettered(d.offset);
          }
        };
        for (const o of ops) {
          if (o.kind === 'acquire') {
            const got = p.acquire(`m${o.member}`, { records: o.records, bytes: 1 << 20 });
            settle(got.deadLetter);
            for (const d of got.acquired) {
              expect(d.deliveryCount).toBeLessThanOrEqual(3);
              const key = keyOf(d.offset);
              if (keyOrdered && key !== undefined) {
                // Offset order per key: nothing of the key below it is still to do.
                const before = Array.from({ length: d.offset }, (_, q) => q).filter((q) => {
                  const s = p.stateOf(q);
                  return keyOf(q) === key && s !== undefined && s.state !== 'acked' && s.state !== 'archived';
                });
                expect(before).toEqual([]);
              }
            }
          } else if (o.kind === 'tick') tick(o.ms);
          else if (o.kind === 'gone') p.memberGone(`m${o.member}`);
          else if (o.kind === 'reject') settle(p.reject(`m${o.member}`, o.from, o.from + o.span));
          else p[o.kind](`m${o.member}`, o.from, o.from + o.span);
          if (keyOrdered) {
            const holders = new Map<string, string>();
            for (let q = p.startOffset; q < 30; q++) {
              const s = p.stateOf(q);
              const key = keyOf(q);
              if (!s || s.state !== 'acquired' || key === undefined) continue;
              expect(holders.get(key) ?? s.member).toBe(s.member);
              holders.set(key, s.member as string);
            }
          }
        }
        // Drain: one member takes and acks everything that is left.
        tick(31_000);
        for (let round = 0; round < 200 && p.startOffset < 30; round++) {
          const got = p.acquire('drain', { records: 30, bytes: 1 << 20 });
          settle(got.deadLetter);
          for (const d of got.acquired) p.ack('drain', d.offset, d.offset);
          tick(31_000);
        }
        expect(p.startOffset).toBe(30);
        expect(p.size).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
