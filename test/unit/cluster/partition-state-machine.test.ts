/**
 * Partition leadership decisions (onBrokersChanged): who leads after brokers die and return, how
 * the ISR shrinks, how epochs move, and invariants over arbitrary sequences of live sets.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  leaderIncarnationStale,
  onBrokersChanged,
  onBrokersRestarted,
  onPreferredLeaderCheck,
  stampLeaderIncarnation,
  type PartitionState,
} from '../../../libs/cluster/index.js';

function partition(replicas: number[], overrides: Partial<PartitionState> = {}): PartitionState {
  return {
    topic: 't',
    partition: 0,
    leader: replicas[0] as number,
    leaderEpoch: 5,
    partitionEpoch: 9,
    replicas,
    isr: [...replicas],
    ...overrides,
  };
}
const live = (...ids: number[]): ReadonlySet<number> => new Set(ids);

describe('onBrokersChanged', () => {
  it('leader dies: the next live ISR member in replica order leads, both epochs go up, the ISR shrinks to the live members', () => {
    const s = partition([1, 2, 3]);
    expect(onBrokersChanged(s, live(2, 3), false)).toEqual({ ...s, leader: 2, leaderEpoch: 6, partitionEpoch: 10, isr: [2, 3] });
  });

  it('leader dies: replica order decides, not ISR order', () => {
    const s = partition([3, 1, 2], { leader: 3, isr: [2, 1, 3] });
    const next = onBrokersChanged(s, live(1, 2), false);
    expect(next?.leader).toBe(1);
    expect(next?.isr).toEqual([1, 2]);
  });

  it('leader and the preferred successor die: the one after leads', () => {
    const s = partition([1, 2, 3]);
    expect(onBrokersChanged(s, live(3), false)).toMatchObject({ leader: 3, leaderEpoch: 6, partitionEpoch: 10, isr: [3] });
  });

  it('follower dies: same leader and leader epoch, ISR shrinks, partition epoch goes up', () => {
    const s = partition([1, 2, 3]);
    expect(onBrokersChanged(s, live(1, 3), false)).toEqual({ ...s, leaderEpoch: 5, partitionEpoch: 10, isr: [1, 3] });
  });

  it('last ISR member dies: leader -1, ISR kept non-empty', () => {
    const s = partition([1, 2], { isr: [1] });
    const next = onBrokersChanged(s, live(2), false);
    expect(next).toMatchObject({ leader: -1, isr: [1], partitionEpoch: 10 });
    expect(next?.leaderEpoch).toBeGreaterThanOrEqual(s.leaderEpoch);
  });

  it('every replica dies at once: leader -1 and the ISR still names who had everything', () => {
    const s = partition([1, 2, 3]);
    const next = onBrokersChanged(s, live(), false);
    expect(next?.leader).toBe(-1);
    expect(next?.isr.length).toBeGreaterThan(0);
    for (const r of next?.isr ?? []) expect(s.isr).toContain(r);
  });

  it('the last ISR member returns: it leads again with a higher leader epoch', () => {
    const s = partition([1, 2], { isr: [1] });
    const offline = onBrokersChanged(s, live(2), false) as PartitionState;
    const back = onBrokersChanged(offline, live(1, 2), false);
    expect(back).toMatchObject({ leader: 1, isr: [1] });
    expect(back?.leaderEpoch).toBeGreaterThan(offline.leaderEpoch);
    expect(back?.leaderEpoch).toBeGreaterThan(s.leaderEpoch);
    expect(back?.partitionEpoch).toBe(offline.partitionEpoch + 1);
  });

  it('an out-of-sync replica is never chosen when unclean election is off', () => {
    const s = partition([1, 2, 3], { isr: [1] });
    const offline = onBrokersChanged(s, live(2, 3), false);
    expect(offline?.leader).toBe(-1);
    expect(offline?.isr).toEqual([1]);
    // Still offline while only out-of-sync replicas are alive: nothing to do.
    expect(onBrokersChanged(offline as PartitionState, live(2, 3), false)).toBeUndefined();
  });

  it('an out-of-sync replica is chosen when unclean election is allowed, and becomes the whole ISR', () => {
    const s = partition([1, 2, 3], { isr: [1] });
    const next = onBrokersChanged(s, live(3, 2), true);
    expect(next).toMatchObject({ leader: 2, isr: [2], leaderEpoch: 6, partitionEpoch: 10 });
    const offline = partition([1, 2, 3], { leader: -1, isr: [1] });
    expect(onBrokersChanged(offline, live(3), true)).toMatchObject({ leader: 3, isr: [3], leaderEpoch: 6 });
  });

  it('unclean election still prefers a live ISR member', () => {
    const s = partition([1, 2, 3], { isr: [1, 3] });
    expect(onBrokersChanged(s, live(2, 3), true)).toMatchObject({ leader: 3, isr: [3] });
  });

  it('no change: undefined', () => {
    const s = partition([1, 2, 3]);
    expect(onBrokersChanged(s, live(1, 2, 3), false)).toBeUndefined();
    expect(onBrokersChanged(s, live(1, 2, 3, 4, 5), false)).toBeUndefined();
    // An out-of-sync follower coming or going changes nothing.
    const shrunk = partition([1, 2, 3], { isr: [1, 2] });
    expect(onBrokersChanged(shrunk, live(1, 2), false)).toBeUndefined();
    expect(onBrokersChanged(shrunk, live(1, 2, 3), false)).toBeUndefined();
    // Offline with nobody back: nothing to write.
    const offline = partition([1, 2], { leader: -1, isr: [1] });
    expect(onBrokersChanged(offline, live(), false)).toBeUndefined();
    expect(onBrokersChanged(offline, live(), true)).toBeUndefined();
  });

  it('does not mutate its input', () => {
    const s = partition([1, 2, 3]);
    const copy = structuredClone(s);
    onBrokersChanged(s, live(3), false);
    expect(s).toEqual(copy);
  });

  describe('property: over any sequence of live sets', () => {
    const run = fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 5 }).chain((replicas) =>
      fc.record({
        replicas: fc.constant(replicas),
        unclean: fc.boolean(),
        steps: fc.array(fc.subarray([0, 1, 2, 3, 4, 5, 6, 7]), { minLength: 1, maxLength: 30 }),
      }),
    );

    it('the ISR is never empty, the leader is -1 or a replica in the ISR, and epochs never decrease', () => {
      fc.assert(
        fc.property(run, ({ replicas, unclean, steps }) => {
          let state = partition(replicas, { leaderEpoch: 0, partitionEpoch: 0 });
          for (const step of steps) {
            const liveSet = new Set(step);
            const next = onBrokersChanged(state, liveSet, unclean);
            if (next === undefined) continue;
            expect(next.isr.length).toBeGreaterThan(0);
            for (const r of next.isr) expect(replicas).toContain(r);
            if (next.leader !== -1) {
              expect(next.replicas).toContain(next.leader);
              expect(next.isr).toContain(next.leader);
              expect(liveSet.has(next.leader)).toBe(true);
            }
            expect(next.leaderEpoch).toBeGreaterThanOrEqual(state.leaderEpoch);
            expect(next.partitionEpoch).toBe(state.partitionEpoch + 1);
            if (next.leader !== state.leader) expect(next.leaderEpoch).toBe(state.leaderEpoch + 1);
            else expect(next.leaderEpoch).toBe(state.leaderEpoch);
            expect(next.replicas).toEqual(replicas);
            // Without unclean election the ISR only ever shrinks (nothing here adds members back).
            if (!unclean) for (const r of next.isr) expect(state.isr).toContain(r);
            state = next;
            // Applying the same live set again is a fixed point.
            expect(onBrokersChanged(state, liveSet, unclean)).toBeUndefined();
          }
        }),
        { numRuns: 500 },
      );
    });
  });
});

describe('onPreferredLeaderCheck', () => {
  it('moves leadership back to the preferred replica once it is alive and in sync, bumping both epochs', () => {
    const s = partition([1, 2, 3], { leader: 2 });
    expect(onPreferredLeaderCheck(s, live(1, 2, 3))).toEqual({ ...s, leader: 1, leaderEpoch: 6, partitionEpoch: 10 });
  });

  it('leaves it alone when the preferred replica leads, is dead, or is out of sync, or when the leader is dead', () => {
    expect(onPreferredLeaderCheck(partition([1, 2, 3]), live(1, 2, 3))).toBeUndefined();
    expect(onPreferredLeaderCheck(partition([1, 2, 3], { leader: 2 }), live(2, 3))).toBeUndefined();
    expect(onPreferredLeaderCheck(partition([1, 2, 3], { leader: 2, isr: [2, 3] }), live(1, 2, 3))).toBeUndefined();
    expect(onPreferredLeaderCheck(partition([1, 2, 3], { leader: 2 }), live(1, 3))).toBeUndefined();
    expect(onPreferredLeaderCheck(partition([1, 2, 3], { leader: -1 }), live(1, 2, 3))).toBeUndefined();
  });

  it('never elects a replica outside the ISR, whatever the state', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray([1, 2, 3, 4], { minLength: 1 }),
        fc.subarray([1, 2, 3, 4]),
        fc.subarray([1, 2, 3, 4]),
        (replicas, isrPick, liveIds) => {
          const isr = replicas.filter((r) => isrPick.includes(r));
          if (isr.length === 0) return;
          const s = partition(replicas, { leader: isr[0] as number, isr });
          const next = onPreferredLeaderCheck(s, new Set(liveIds));
          if (next) {
            expect(next.isr).toContain(next.leader);
            expect(next.leader).toBe(replicas[0]);
            expect(next.leaderEpoch).toBe(s.leaderEpoch + 1);
          }
        },
      ),
    );
  });
});

describe('onBrokersRestarted (a broker replaced by a new process before its old lease was seen to end)', () => {
  it('a restarted leader hands leadership to the next in-sync replica and leaves the ISR', () => {
    const s = partition([1, 2, 3]);
    expect(onBrokersRestarted(s, live(1), live(1, 2, 3), false)).toMatchObject({ leader: 2, leaderEpoch: 6, isr: [2, 3] });
  });

  it('the only in-sync replica restarted: it leads again, in a new epoch', () => {
    const s = partition([1]);
    const next = onBrokersRestarted(s, live(1), live(1), false);
    expect(next?.leader).toBe(1);
    expect(next?.isr).toEqual([1]);
    expect(next?.leaderEpoch).toBeGreaterThan(s.leaderEpoch);
    expect(next?.partitionEpoch).toBeGreaterThan(s.partitionEpoch);
  });

  it('a restarted follower leaves the ISR; leader and leader epoch stay', () => {
    const s = partition([1, 2, 3]);
    expect(onBrokersRestarted(s, live(3), live(1, 2, 3), false)).toEqual({ ...s, isr: [1, 2], partitionEpoch: 10 });
  });

  it('a restart of a broker that holds no replica, or of one already out of the ISR, changes nothing', () => {
    expect(onBrokersRestarted(partition([1, 2]), live(3), live(1, 2, 3), false)).toBeUndefined();
    expect(onBrokersRestarted(partition([1, 2, 3], { isr: [1, 2] }), live(3), live(1, 2, 3), false)).toBeUndefined();
  });

  it('never leaves the ISR empty nor a leader outside it, whatever restarts and dies', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
        fc.subarray([1, 2, 3, 4, 5]),
        fc.subarray([1, 2, 3, 4, 5]),
        (replicas, liveIds, restartedIds) => {
          const liveSet = new Set(liveIds);
          const next = onBrokersRestarted(partition(replicas), new Set(restartedIds.filter((r) => liveSet.has(r))), liveSet, false);
          if (!next) return;
          expect(next.isr.length).toBeGreaterThan(0);
          if (next.leader >= 0) {
            expect(next.isr).toContain(next.leader);
            expect(liveSet.has(next.leader)).toBe(true);
          }
        },
      ),
    );
  });
});

describe('leader incarnations (broker epochs, KIP-380)', () => {
  const epochs = new Map([
    [1, 100],
    [2, 200],
    [3, 300],
  ]);
  const epochOf = (id: number): number | undefined => epochs.get(id);

  it('a published state names the registered incarnation of its leader, and none without a leader', () => {
    expect(stampLeaderIncarnation(partition([2, 1, 3]), epochOf).leaderBrokerEpoch).toBe(200);
    expect(stampLeaderIncarnation(partition([1, 2], { leader: -1, leaderBrokerEpoch: 100 }), epochOf)).not.toHaveProperty(
      'leaderBrokerEpoch',
    );
    expect(stampLeaderIncarnation(partition([9, 1]), epochOf)).not.toHaveProperty('leaderBrokerEpoch');
  });

  it('a leader whose published incarnation is not its registered one is stale: restarted, or a record from before broker epochs', () => {
    expect(leaderIncarnationStale(partition([1, 2], { leaderBrokerEpoch: 100 }), epochOf)).toBe(false);
    expect(leaderIncarnationStale(partition([1, 2], { leaderBrokerEpoch: 99 }), epochOf)).toBe(true);
    expect(leaderIncarnationStale(partition([1, 2]), epochOf)).toBe(true);
    // Not registered (dead) or no leader: that is onBrokersChanged's business, not a restart.
    expect(leaderIncarnationStale(partition([9, 1], { leaderBrokerEpoch: 1 }), epochOf)).toBe(false);
    expect(leaderIncarnationStale(partition([1, 2], { leader: -1 }), epochOf)).toBe(false);
  });

  it('a restarted sole in-sync leader comes back in a higher leader epoch, stamped with its new incarnation', () => {
    const before = partition([1, 2, 3], { isr: [1], leaderBrokerEpoch: 50 });
    const next = onBrokersRestarted(before, new Set([1]), new Set([1, 2, 3]), false);
    expect(next?.leader).toBe(1);
    const stamped = stampLeaderIncarnation(next as PartitionState, epochOf);
    expect(stamped.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
    expect(stamped.leaderBrokerEpoch).toBe(100);
  });
});
