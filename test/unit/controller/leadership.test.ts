/**
 * The controller's leadership pass as pure decisions (libs/controller leadership.ts): elections when
 * brokers die, restart, shut down or lose a disk, ISR shrinking, broker admission, and moving
 * leadership back to the preferred replica. The brokers are plain data; no etcd, no process.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { BrokerRegistration, PartitionState } from '../../../libs/cluster/index.js';
import {
  admittedBrokers,
  brokerFacts,
  decideLeadership,
  decidePreferredLeader,
  type BrokerStatusSource,
} from '../../../libs/controller/index.js';

interface BrokerRow {
  id: number;
  epoch: number;
  admitted?: boolean;
  shuttingDown?: boolean;
  /** Partitions ("topic-partition") whose replica on this broker is offline. */
  offline?: string[];
}

/** The cluster as the controller's view would show it, from a table of brokers. */
function cluster(...rows: BrokerRow[]): BrokerStatusSource {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const registration = (r: BrokerRow): BrokerRegistration => ({
    id: r.id,
    brokerEpoch: r.epoch,
    host: 'h',
    port: 1000 + r.id,
    rack: '',
    startedAtMs: 0,
    cleanStart: true,
  });
  return {
    brokers: () => rows.map(registration).sort((a, b) => a.id - b.id),
    broker: (id) => {
      const r = byId.get(id);
      return r ? registration(r) : undefined;
    },
    isAdmitted: (id) => byId.get(id)?.admitted ?? true,
    isShuttingDown: (id) => byId.get(id)?.shuttingDown ?? false,
    isReplicaOffline: (id, topic, partition) => byId.get(id)?.offline?.includes(`${topic}-${partition}`) ?? false,
  };
}

/** A partition of topic t whose leader's published incarnation is its registered one (epoch = 10 * id). */
function partition(replicas: number[], overrides: Partial<PartitionState> = {}): PartitionState {
  const leader = overrides.leader ?? (replicas[0] as number);
  return {
    topic: 't',
    partition: 0,
    leader,
    leaderBrokerEpoch: leader * 10,
    leaderEpoch: 5,
    partitionEpoch: 9,
    replicas,
    isr: [...replicas],
    ...overrides,
  };
}
const up = (id: number, more: Partial<BrokerRow> = {}): BrokerRow => ({ id, epoch: id * 10, ...more });

describe('a leadership pass over one partition', () => {
  it('changes nothing while every replica is live, admitted and in its published incarnation', () => {
    expect(decideLeadership(partition([1, 2, 3]), false, brokerFacts(cluster(up(1), up(2), up(3))))).toBeUndefined();
  });

  it("a dead leader: the next live ISR member leads in a new leader epoch, the dead one leaves the ISR, and the new leader's incarnation is stamped", () => {
    const d = decideLeadership(partition([1, 2, 3]), false, brokerFacts(cluster(up(2), up(3))));
    expect(d?.next).toMatchObject({ leader: 2, leaderBrokerEpoch: 20, leaderEpoch: 6, partitionEpoch: 10, isr: [2, 3] });
    expect(d?.restarted).toEqual([]);
  });

  it('a dead follower leaves the ISR; leader and leader epoch stay', () => {
    const d = decideLeadership(partition([1, 2, 3]), false, brokerFacts(cluster(up(1), up(2))));
    expect(d?.next).toMatchObject({ leader: 1, leaderEpoch: 5, partitionEpoch: 10, isr: [1, 2] });
  });

  it('no live in-sync replica: offline (leader -1, ISR kept) unless the topic allows unclean election', () => {
    const state = partition([1, 2], { isr: [1] });
    const facts = brokerFacts(cluster(up(2)));
    expect(decideLeadership(state, false, facts)?.next).toMatchObject({ leader: -1, isr: [1] });
    expect(decideLeadership(state, false, facts)?.next.leaderBrokerEpoch).toBeUndefined();
    expect(decideLeadership(state, true, facts)?.next).toMatchObject({ leader: 2, isr: [2] });
  });

  it('a restarted follower (registered, not admitted yet) leaves the ISR and is named as restarted, so it is admitted only once this is written', () => {
    const d = decideLeadership(partition([1, 2, 3]), false, brokerFacts(cluster(up(1), up(2, { admitted: false }), up(3))));
    expect(d?.next).toMatchObject({ leader: 1, isr: [1, 3] });
    expect(d?.restarted).toEqual([2]);
  });

  it('a restarted sole in-sync leader leads again in a new leader epoch, stamped with its new incarnation', () => {
    const state = partition([1, 2], { isr: [1] });
    const d = decideLeadership(state, false, brokerFacts(cluster(up(1, { epoch: 11, admitted: false }), up(2))));
    expect(d?.next).toMatchObject({ leader: 1, leaderBrokerEpoch: 11, isr: [1] });
    // Through offline and back: the old process's epoch never carries over to the new one.
    expect(d?.next.leaderEpoch).toBeGreaterThan(state.leaderEpoch);
  });

  it('a leader published for an older incarnation counts as restarted even once admitted', () => {
    const d = decideLeadership(partition([1, 2, 3]), false, brokerFacts(cluster(up(1, { epoch: 12 }), up(2), up(3))));
    expect(d?.next).toMatchObject({ leader: 2, leaderEpoch: 6, isr: [2, 3] });
    expect(d?.restarted).toEqual([1]);
  });

  it('controlled shutdown: the stopping leader hands over to an in-sync peer and leaves the ISR', () => {
    const d = decideLeadership(partition([1, 2, 3]), false, brokerFacts(cluster(up(1, { shuttingDown: true }), up(2), up(3))));
    expect(d?.next).toMatchObject({ leader: 2, leaderEpoch: 6, isr: [2, 3] });
  });

  it('controlled shutdown of the only in-sync replica keeps it leading (no early offline partition)', () => {
    expect(
      decideLeadership(partition([1, 2], { isr: [1] }), false, brokerFacts(cluster(up(1, { shuttingDown: true }), up(2)))),
    ).toBeUndefined();
  });

  it('an offline replica (failed disk) counts as dead for its partition only', () => {
    const facts = brokerFacts(cluster(up(1, { offline: ['t-0'] }), up(2), up(3)));
    expect(decideLeadership(partition([1, 2, 3]), false, facts)?.next).toMatchObject({ leader: 2, isr: [2, 3] });
    expect(decideLeadership(partition([1, 2, 3], { partition: 1 }), false, facts)).toBeUndefined();
  });

  it('never elects a replica outside the ISR on a clean election, and every decision names a live leader or none', () => {
    const ids = [1, 2, 3, 4];
    fc.assert(
      fc.property(fc.subarray(ids), fc.subarray(ids, { minLength: 1 }), fc.subarray(ids), (liveIds, isrPick, pendingIds) => {
        const replicas = [1, 2, 3];
        const isr = replicas.filter((r) => isrPick.includes(r));
        if (isr.length === 0) return;
        const state = partition(replicas, { leader: isr[0] as number, leaderBrokerEpoch: (isr[0] as number) * 10, isr });
        const facts = brokerFacts(cluster(...liveIds.map((id) => up(id, { admitted: !pendingIds.includes(id) }))));
        const next = decideLeadership(state, false, facts)?.next ?? state;
        if (next.leader >= 0) {
          expect(facts.live.has(next.leader)).toBe(true);
          expect(isr).toContain(next.leader);
          expect(next.leaderBrokerEpoch).toBe(next.leader * 10);
        }
        for (const m of next.isr) expect(next.leader < 0 || facts.live.has(m)).toBe(true);
      }),
    );
  });
});

describe('broker admission and placement', () => {
  it('places new replicas only on admitted live brokers, in id order', () => {
    expect(admittedBrokers(brokerFacts(cluster(up(3), up(1), up(2, { admitted: false }))))).toEqual([1, 3]);
  });
});

describe('preferred leader', () => {
  const state = partition([1, 2, 3], { leader: 2, leaderBrokerEpoch: 20, isr: [1, 2, 3] });

  it('moves leadership back to the first replica when it is admitted, in sync and online', () => {
    expect(decidePreferredLeader(state, brokerFacts(cluster(up(1), up(2), up(3))))).toMatchObject({
      leader: 1,
      leaderBrokerEpoch: 10,
      leaderEpoch: 6,
    });
  });

  it('not to a preferred replica that is not admitted yet, shutting down, offline here, or out of the ISR', () => {
    expect(decidePreferredLeader(state, brokerFacts(cluster(up(1, { admitted: false }), up(2), up(3))))).toBeUndefined();
    expect(decidePreferredLeader(state, brokerFacts(cluster(up(1, { shuttingDown: true }), up(2), up(3))))).toBeUndefined();
    expect(decidePreferredLeader(state, brokerFacts(cluster(up(1, { offline: ['t-0'] }), up(2), up(3))))).toBeUndefined();
    expect(decidePreferredLeader({ ...state, isr: [2, 3] }, brokerFacts(cluster(up(1), up(2), up(3))))).toBeUndefined();
  });
});
