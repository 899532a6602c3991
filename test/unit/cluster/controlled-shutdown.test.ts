/**
 * Controlled shutdown as pure decisions: what the controller writes for a broker that announced
 * its shutdown (onBrokersShuttingDown), and when the broker may stop (handedOver).
 */
import { describe, expect, it } from 'vitest';
import { handedOver, onBrokersShuttingDown, type PartitionState } from '../../../libs/cluster/index.js';

const state = (leader: number, isr: number[], replicas = [1, 2, 3]): PartitionState => ({
  topic: 't',
  partition: 0,
  leader,
  leaderEpoch: 5,
  partitionEpoch: 9,
  replicas,
  isr,
});
const live = new Set([1, 2, 3]);

describe('onBrokersShuttingDown', () => {
  it('moves leadership to the first other live in-sync replica and takes the stopping broker out of the ISR, in a new leader epoch', () => {
    const next = onBrokersShuttingDown(state(1, [1, 2, 3]), new Set([1]), live);
    expect(next).toMatchObject({ leader: 2, isr: [2, 3], leaderEpoch: 6, partitionEpoch: 10 });
  });

  it('takes a stopping follower out of the ISR and keeps the leader and its epoch', () => {
    const next = onBrokersShuttingDown(state(1, [1, 2, 3]), new Set([3]), live);
    expect(next).toMatchObject({ leader: 1, isr: [1, 2], leaderEpoch: 5, partitionEpoch: 10 });
  });

  it('keeps a stopping broker that is the only in-sync replica as leader (no early offline partition)', () => {
    expect(onBrokersShuttingDown(state(1, [1]), new Set([1]), live)).toBeUndefined();
    // Its in-sync peers are dead: nobody to hand over to either.
    expect(onBrokersShuttingDown(state(1, [1, 2]), new Set([1]), new Set([1, 3]))).toBeUndefined();
  });

  it('changes nothing for a partition the stopping broker is not in sync for, and never elects an out-of-sync replica', () => {
    expect(onBrokersShuttingDown(state(2, [2, 3]), new Set([1]), live)).toBeUndefined();
    expect(onBrokersShuttingDown(state(1, [1, 2]), new Set([1, 2]), live)).toBeUndefined();
  });
});

describe('handedOver (the broker may stop)', () => {
  const alive = (id: number): boolean => live.has(id);
  it('not while it leads a partition with another live in-sync replica, nor while it is in the ISR of one led elsewhere', () => {
    expect(handedOver(state(1, [1, 2]), 1, alive)).toBe(false);
    expect(handedOver(state(2, [2, 1]), 1, alive)).toBe(false);
  });

  it('once it leads only where nobody else is in sync, and follows only outside the ISR', () => {
    expect(handedOver(state(1, [1]), 1, alive)).toBe(true);
    expect(handedOver(state(1, [1, 2]), 1, (id) => id === 1)).toBe(true);
    expect(handedOver(state(2, [2, 3]), 1, alive)).toBe(true);
    expect(handedOver(state(-1, [1]), 1, alive)).toBe(true);
    expect(handedOver(state(2, [2, 3], [2, 3, 4]), 1, alive)).toBe(true);
    // The leader is stopping too (the whole cluster stops): nothing to wait for as its follower.
    expect(handedOver(state(2, [2, 1]), 1, (id) => id !== 2)).toBe(true);
  });
});
