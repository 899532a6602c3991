/**
 * Eligible leader replicas (KIP-966) in the partition decisions: members that leave an ISR below
 * min.insync.replicas stay eligible (ELR); a broker restarted after an unclean shutdown stops
 * being eligible while another eligible replica exists, so it is never elected while one lives,
 * and with none alive the partition stays offline unless unclean election is allowed.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { eligibleReplicas, onBrokersChanged, onBrokersRestarted, withIsr, type PartitionState } from '../../../libs/cluster/index.js';

function partition(overrides: Partial<PartitionState> = {}): PartitionState {
  return { topic: 't', partition: 0, leader: 1, leaderEpoch: 5, partitionEpoch: 9, replicas: [1, 2, 3], isr: [1, 2, 3], ...overrides };
}
const set = (...ids: number[]): ReadonlySet<number> => new Set(ids);
const minIsr2 = { minInsyncReplicas: 2 };

describe('withIsr (the ELR follows every ISR change)', () => {
  it('members leaving an ISR that falls below min.insync.replicas stay eligible; back at the minimum, the ELR empties', () => {
    const shrunk = withIsr(partition(), [1], 2);
    expect(shrunk).toMatchObject({ isr: [1], elr: [2, 3] });
    expect(eligibleReplicas(shrunk)).toEqual([1, 2, 3]);
    const grown = withIsr(shrunk, [1, 3], 2);
    expect(grown.isr).toEqual([1, 3]);
    expect(grown.elr).toBeUndefined();
  });

  it('a member that left while the ISR stayed at the minimum is not eligible', () => {
    const first = withIsr(partition(), [1, 2], 2);
    expect(first.elr).toBeUndefined();
    expect(withIsr(first, [1], 2)).toMatchObject({ isr: [1], elr: [2] });
  });

  it('the ELR never holds an ISR member and always holds only replicas (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.subarray([1, 2, 3, 4], { minLength: 1 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 4 }),
        (isrs, minIsr) => {
          let s = partition({ replicas: [1, 2, 3, 4], isr: [1, 2, 3, 4] });
          for (const isr of isrs) {
            s = withIsr(s, isr, minIsr);
            const elr = s.elr ?? [];
            expect(elr.filter((r) => s.isr.includes(r))).toEqual([]);
            expect(elr.every((r) => s.replicas.includes(r))).toBe(true);
            if (s.isr.length >= minIsr) expect(elr).toEqual([]);
          }
        },
      ),
    );
  });
});

describe('elections with eligible replicas', () => {
  it('the last ISR member dies: a live ELR member is elected, and the dead one stays eligible', () => {
    const s = partition({ isr: [1], elr: [2, 3] });
    expect(onBrokersChanged(s, set(2, 3), false, minIsr2)).toMatchObject({ leader: 2, leaderEpoch: 6, isr: [2], elr: [1, 3] });
  });

  it('the last ISR member restarts after an unclean shutdown while ELR members live: one of them leads, it does not', () => {
    const s = partition({ isr: [1], elr: [2, 3] });
    const next = onBrokersRestarted(s, set(1), set(1, 2, 3), false, { minInsyncReplicas: 2, uncleanStarts: set(1) });
    expect(next).toMatchObject({ leader: 2, leaderEpoch: 6 });
    expect(next?.isr).toEqual([2]);
    expect(next?.elr).toEqual([3]);
  });

  it('... after a clean shutdown it stays eligible (it lost nothing) while an ELR member takes over', () => {
    const s = partition({ isr: [1], elr: [2, 3] });
    const next = onBrokersRestarted(s, set(1), set(1, 2, 3), false, { minInsyncReplicas: 2, uncleanStarts: set() });
    expect(next).toMatchObject({ leader: 2, leaderEpoch: 6, isr: [2] });
    expect(next?.elr).toEqual([1, 3]);
  });

  it('unclean, with every other eligible replica dead: offline until one returns, unless unclean election is allowed', () => {
    const s = partition({ isr: [1], elr: [2, 3] });
    const offline = onBrokersRestarted(s, set(1), set(1), false, { minInsyncReplicas: 2, uncleanStarts: set(1) });
    expect(offline).toMatchObject({ leader: -1 });
    expect(eligibleReplicas(offline as PartitionState)).toEqual([2, 3]);
    expect(onBrokersChanged(offline as PartitionState, set(1), false, minIsr2)).toBeUndefined();
    expect(onBrokersChanged(offline as PartitionState, set(1, 3), false, minIsr2)).toMatchObject({ leader: 3, isr: [3] });
    expect(onBrokersRestarted(s, set(1), set(1), true, { minInsyncReplicas: 2, uncleanStarts: set(1) })).toMatchObject({ leader: 1 });
  });

  it('unclean, and the only eligible replica (replication factor 1): it leads again, its log is the best copy left', () => {
    const s = partition({ replicas: [1], isr: [1] });
    const next = onBrokersRestarted(s, set(1), set(1), false, { minInsyncReplicas: 1, uncleanStarts: set(1) });
    expect(next).toMatchObject({ leader: 1, isr: [1] });
    expect(next?.leaderEpoch).toBeGreaterThan(5);
  });

  it('an unclean restart is never elected while another eligible replica lives (property)', () => {
    fc.assert(
      fc.property(
        fc.subarray([1, 2, 3], { minLength: 1 }),
        fc.subarray([1, 2, 3]),
        fc.constantFrom(1, 2, 3),
        fc.subarray([1, 2, 3]),
        fc.integer({ min: 1, max: 3 }),
        (isr, elrRaw, restarted, othersLive, minIsr) => {
          const elr = elrRaw.filter((r) => !isr.includes(r));
          const s = partition({ leader: isr[0] as number, isr, ...(elr.length > 0 ? { elr } : {}) });
          const liveSet = new Set([restarted, ...othersLive]);
          const next =
            onBrokersRestarted(s, set(restarted), liveSet, false, { minInsyncReplicas: minIsr, uncleanStarts: set(restarted) }) ?? s;
          const otherEligibleLive = eligibleReplicas(s).some((r) => r !== restarted && liveSet.has(r));
          if (eligibleReplicas(s).includes(restarted) && otherEligibleLive) expect(next.leader).not.toBe(restarted);
          if (next.leader >= 0 && next.leader !== s.leader) expect(eligibleReplicas(s)).toContain(next.leader);
        },
      ),
    );
  });
});
