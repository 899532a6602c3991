/**
 * The share-group partition state (libs/group SharePartition) without a network: leases, answers,
 * redelivery with delivery counts, dead-lettering after too many attempts or a reject, the start
 * offset, and key-ordered mode, with a clock the test moves.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SharePartition, parseShareSnapshot, type ShareConfig } from '../../../libs/group/index.js';

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

  it('a snapshot restores every record’s state on a new owner: done stays done, delivery counts go on, leases are dropped', () => {
    type Op = [kind: 'acquire' | 'ack' | 'release' | 'reject' | 'dead' | 'expire', member: number, from: number, len: number];
    const op = fc.tuple(
      fc.constantFrom<Op[0]>('acquire', 'ack', 'release', 'reject', 'dead', 'expire'),
      fc.integer({ min: 0, max: 2 }),
      fc.integer({ min: 0, max: 59 }),
      fc.integer({ min: 0, max: 5 }),
    );
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 60, maxLength: 60 }),
        (ops, gaps) => {
          let now = 1_000;
          const clock = { nowMs: () => now };
          const config = { leaseMs: 1_000, maxDeliveryAttempts: 3, keyOrdered: false };
          // Offsets with gaps (a compacted source), 60 records.
          const offsets: number[] = [];
          for (let i = 0, o = 0; i < 60; i++, o += 1 + (gaps[i] ?? 0)) offsets.push(o);
          const records = offsets.map((offset) => ({ offset, key: undefined, bytes: 10 }));
          const a = new SharePartition(0, config, clock);
          a.append(records);
          const members = ['m0', 'm1', 'm2'];
          const lettering: number[] = [];
          for (const [kind, m, i, len] of ops) {
            const member = members[m] as string;
            const from = offsets[i] as number;
            const to = offsets[Math.min(59, i + len)] as number;
            if (kind === 'acquire')
              lettering.push(...a.acquire(member, { records: len + 1, bytes: 1 << 20 }).deadLetter.map((d) => d.offset));
            else if (kind === 'ack') a.ack(member, from, to);
            else if (kind === 'release') a.release(member, from, to);
            else if (kind === 'reject') lettering.push(...a.reject(member, from, to).map((d) => d.offset));
            else if (kind === 'dead' && lettering.length > 0) a.deadLettered(lettering.shift() as number);
            else if (kind === 'expire') now += 1_001;
          }
          const snapshot = a.snapshot();
          const b = new SharePartition(a.startOffset, config, clock, JSON.parse(JSON.stringify(snapshot)) as typeof snapshot);
          const again = b.append(records.filter((r) => r.offset >= a.startOffset));
          expect(b.startOffset).toBe(a.startOffset);
          expect(again.map((d) => d.offset).sort((x, y) => x - y)).toEqual(
            offsets.filter((o) => a.stateOf(o)?.state === 'dead-lettering').sort((x, y) => x - y),
          );
          for (const o of offsets) {
            const before = a.stateOf(o);
            const after = b.stateOf(o);
            if (!before) {
              expect(after, `offset ${o}`).toBeUndefined();
              continue;
            }
            const expected = before.state === 'acquired' ? 'available' : before.state;
            expect(after?.state, `offset ${o}`).toBe(expected);
            if (expected === 'available' || expected === 'dead-lettering') expect(after?.deliveries, `offset ${o}`).toBe(before.deliveries);
          }
          // Partly read again: the runs beyond what was read stay in the next snapshot.
          const c = new SharePartition(a.startOffset, config, clock, snapshot);
          const upTo = records.filter((r) => r.offset >= a.startOffset).slice(0, 20);
          c.append(upTo);
          const tail = upTo.at(-1)?.offset ?? a.startOffset - 1;
          const clip = (s: typeof snapshot, after: number): typeof snapshot =>
            s.filter((r) => r[1] > after).map((r) => [Math.max(r[0], after + 1), r[1], r[2], r[3]] as (typeof snapshot)[number]);
          expect(clip(c.snapshot(), tail)).toEqual(clip(snapshot, tail));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('parseShareSnapshot refuses what is not a snapshot', () => {
    expect(
      parseShareSnapshot([
        [1, 2, 'a', 0],
        [4, 4, 'd', 2],
      ]),
    ).toEqual([
      [1, 2, 'a', 0],
      [4, 4, 'd', 2],
    ]);
    expect(parseShareSnapshot(undefined)).toBeUndefined();
    expect(parseShareSnapshot([[2, 1, 'a', 0]])).toBeUndefined();
    expect(
      parseShareSnapshot([
        [1, 2, 'a', 0],
        [2, 3, 'a', 0],
      ]),
    ).toBeUndefined();
    expect(parseShareSnapshot([[1, 2, 'q', 0]])).toBeUndefined();
    expect(parseShareSnapshot([[1, 2, 'd', -1]])).toBeUndefined();
  });
});
