/**
 * Leader elections on request and the automatic rebalance (libs/controller elections.ts), and
 * partition reassignment's transitions (reassignments.ts), as pure decisions over plain data.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { BrokerRegistration, PartitionState, TopicRecord } from '../../../libs/cluster/index.js';
import { DEFAULT_TOPIC_CONFIG } from '../../../libs/cluster/index.js';
import {
  advanceReassignment,
  brokerFacts,
  cancelReassignment,
  checkTarget,
  decideElection,
  leaderImbalance,
  rebalanceMoves,
  startReassignment,
  type BrokerStatusSource,
} from '../../../libs/controller/index.js';

interface BrokerRow {
  id: number;
  admitted?: boolean;
  shuttingDown?: boolean;
  offline?: boolean;
}

function cluster(...rows: BrokerRow[]): BrokerStatusSource {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const reg = (r: BrokerRow): BrokerRegistration => ({
    id: r.id,
    brokerEpoch: r.id * 10,
    host: 'h',
    port: 1000 + r.id,
    rack: '',
    startedAtMs: 0,
    cleanStart: true,
  });
  return {
    brokers: () => rows.map(reg).sort((a, b) => a.id - b.id),
    broker: (id) => {
      const r = byId.get(id);
      return r ? reg(r) : undefined;
    },
    isAdmitted: (id) => byId.get(id)?.admitted ?? true,
    isShuttingDown: (id) => byId.get(id)?.shuttingDown ?? false,
    isReplicaOffline: (id) => byId.get(id)?.offline ?? false,
  };
}
const up = (id: number, more: Partial<BrokerRow> = {}): BrokerRow => ({ id, ...more });
const facts = (...rows: BrokerRow[]) => brokerFacts(cluster(...rows));

function partition(replicas: number[], o: Partial<PartitionState> = {}): PartitionState {
  const leader = o.leader ?? (replicas[0] as number);
  return {
    topic: 't',
    partition: 0,
    leader,
    leaderBrokerEpoch: leader * 10,
    leaderEpoch: 5,
    partitionEpoch: 9,
    replicas,
    isr: [...replicas],
    ...o,
  };
}

const topic = (minIsr = 1): TopicRecord => ({
  name: 't',
  topicId: 'id',
  partitions: 1,
  replicationFactor: 3,
  config: { ...DEFAULT_TOPIC_CONFIG, minInsyncReplicas: minIsr },
  createdAtMs: 0,
});

describe('preferred leader election on request', () => {
  it('moves leadership to the first replica when it is alive and in sync: new leader epoch, same ISR', () => {
    const d = decideElection(partition([1, 2, 3], { leader: 2 }), 'preferred', facts(up(1), up(2), up(3)));
    expect(d).toMatchObject({ kind: 'elected', next: { leader: 1, leaderEpoch: 6, leaderBrokerEpoch: 10, isr: [1, 2, 3] } });
  });

  it('is not needed when the preferred replica leads', () => {
    expect(decideElection(partition([1, 2, 3]), 'preferred', facts(up(1), up(2), up(3)))).toEqual({ kind: 'not-needed', leader: 1 });
  });

  it('is not available, with the reason, when the preferred replica is dead, not admitted, shutting down, offline or out of the ISR', () => {
    const state = partition([1, 2, 3], { leader: 2 });
    expect(decideElection(state, 'preferred', facts(up(2), up(3)))).toMatchObject({ kind: 'not-available', why: /not alive/ });
    expect(decideElection(state, 'preferred', facts(up(1, { admitted: false }), up(2), up(3)))).toMatchObject({ why: /not admitted/ });
    expect(decideElection(state, 'preferred', facts(up(1, { shuttingDown: true }), up(2), up(3)))).toMatchObject({ why: /shutting down/ });
    expect(decideElection(state, 'preferred', facts(up(1, { offline: true }), up(2), up(3)))).toMatchObject({ why: /offline/ });
    expect(decideElection(partition([1, 2, 3], { leader: 2, isr: [2, 3] }), 'preferred', facts(up(1), up(2), up(3)))).toMatchObject({
      why: /not in the ISR/,
    });
  });

  it('never elects outside the ISR nor an ineligible broker, and never changes the ISR (property)', () => {
    const ids = [1, 2, 3, 4];
    fc.assert(
      fc.property(
        fc.shuffledSubarray(ids, { minLength: 1 }),
        fc.subarray(ids, { minLength: 1 }),
        fc.array(fc.record({ id: fc.constantFrom(...ids), admitted: fc.boolean(), shuttingDown: fc.boolean(), offline: fc.boolean() }), {
          maxLength: 4,
        }),
        fc.nat(3),
        (replicas, isrPick, rows, leaderIdx) => {
          const isr = replicas.filter((r) => isrPick.includes(r));
          if (isr.length === 0) return;
          const leader = isr[leaderIdx % isr.length] as number;
          const unique = [...new Map(rows.map((r) => [r.id, r])).values()];
          const f = brokerFacts(cluster(...unique));
          const state = partition(replicas, { leader, isr });
          for (const type of ['preferred', 'unclean'] as const) {
            const d = decideElection(state, type, f);
            if (d.kind !== 'elected') continue;
            const l = d.next.leader;
            expect(f.leadable.has(l)).toBe(true);
            expect(f.isReplicaOffline(l, 't', 0)).toBe(false);
            expect(d.next.replicas).toContain(l);
            if (type === 'preferred') {
              expect(isr).toContain(l);
              expect(d.next.isr).toEqual(isr);
            }
          }
        },
      ),
    );
  });
});

describe('unclean election on request', () => {
  it('elects a live out-of-sync replica only for a partition whose in-sync replicas are all dead', () => {
    const offline = partition([1, 2, 3], { leader: -1, isr: [1] });
    expect(decideElection(offline, 'unclean', facts(up(2), up(3)))).toMatchObject({ kind: 'elected', next: { leader: 2, isr: [2] } });
    expect(decideElection(partition([1, 2, 3]), 'unclean', facts(up(1), up(2)))).toEqual({ kind: 'not-needed', leader: 1 });
    expect(decideElection(offline, 'unclean', facts())).toMatchObject({ kind: 'not-available' });
  });

  it('prefers a live in-sync replica when there is one (a clean election)', () => {
    const d = decideElection(partition([1, 2, 3], { leader: -1, isr: [1, 3] }), 'unclean', facts(up(2), up(3)));
    expect(d).toMatchObject({ kind: 'elected', next: { leader: 3 } });
  });
});

describe('automatic rebalance by leader imbalance', () => {
  const states = (leaders: number[]) => leaders.map((leader, i) => ({ ...partition([1, 2, 3], { leader }), partition: i }));

  it('counts, per preferred broker, the partitions it does not lead', () => {
    expect(leaderImbalance(states([1, 2, 1, 3])).get(1)).toEqual({ broker: 1, preferred: 4, notLeading: 2 });
  });

  it('moves nothing at or under the threshold, and every movable partition of a broker over it', () => {
    const f = facts(up(1), up(2), up(3));
    const tenLed = states([...Array(9).fill(1), 2]); // 1 of 10 not led: 10%, not over
    expect(rebalanceMoves(tenLed, f, 10)).toEqual([]);
    const moves = rebalanceMoves(states([...Array(8).fill(1), 2, 3]), f, 10); // 20%
    expect(moves.map((m) => [m.partition, m.leader])).toEqual([
      [8, 1],
      [9, 1],
    ]);
    expect(rebalanceMoves(states([2, 2]), facts(up(2), up(3)), 10)).toEqual([]); // preferred dead
  });
});

describe('partition reassignment', () => {
  const all = facts(up(1), up(2), up(3), up(4));

  it('start: replicas become target then leaving ones; ISR and leader stay; original recorded', () => {
    const next = startReassignment(partition([1, 2, 3]), [2, 3, 4], 1000, 42);
    expect(next).toMatchObject({
      replicas: [2, 3, 4, 1],
      isr: [1, 2, 3],
      leader: 1,
      leaderEpoch: 5,
      partitionEpoch: 10,
      reassignment: { target: [2, 3, 4], original: [1, 2, 3], throttleBytesPerSecond: 1000, startedAtMs: 42 },
    });
  });

  it('waits while a target replica is out of the ISR, then completes: leadership leaves the removed leader, ISR cut to the target', () => {
    const moving = startReassignment(partition([1, 2, 3]), [2, 3, 4], 1000, 0) as PartitionState;
    expect(advanceReassignment(moving, all)).toBeUndefined();
    const caughtUp = { ...moving, isr: [1, 2, 3, 4] };
    const done = advanceReassignment(caughtUp, all);
    expect(done).toMatchObject({ replicas: [2, 3, 4], isr: [2, 3, 4], leader: 2, leaderEpoch: 6, leaderBrokerEpoch: 20 });
    expect(done?.reassignment).toBeUndefined();
  });

  it('keeps the leader (and its epoch) when it stays', () => {
    const moving = { ...(startReassignment(partition([1, 2, 3]), [1, 2, 4], 1, 0) as PartitionState), isr: [1, 2, 3, 4] };
    expect(advanceReassignment(moving, all)).toMatchObject({ replicas: [1, 2, 4], leader: 1, leaderEpoch: 5 });
  });

  it('a reorder of the same brokers moves no data; the same list is no change', () => {
    expect(startReassignment(partition([1, 2, 3]), [3, 1, 2], 1, 0)).toMatchObject({ replicas: [3, 1, 2] });
    expect(startReassignment(partition([1, 2, 3]), [3, 1, 2], 1, 0)?.reassignment).toBeUndefined();
    expect(startReassignment(partition([1, 2, 3]), [1, 2, 3], 1, 0)).toBeUndefined();
  });

  it('cancel goes back to the original replicas, leadership back to one of them', () => {
    const moving = { ...(startReassignment(partition([1, 2, 3]), [4, 2, 3], 1, 0) as PartitionState), isr: [1, 2, 3, 4], leader: 4 };
    expect(cancelReassignment(moving, all, 2)).toMatchObject({ replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 6 });
    expect(() => cancelReassignment(partition([1, 2, 3]), all, 1)).toThrow(/no reassignment in progress/);
  });

  it('refuses a cancel that would leave fewer in-sync replicas than min.insync.replicas', () => {
    const moving = { ...(startReassignment(partition([1, 2, 3]), [2, 3, 4], 1, 0) as PartitionState), isr: [2, 4] };
    expect(() => cancelReassignment(moving, all, 2)).toThrow(/below min.insync.replicas/);
  });

  it('checks targets: repeats, too few for min.insync.replicas, brokers not live', () => {
    const live = new Set([1, 2, 3]);
    expect(() => checkTarget(partition([1, 2, 3]), [2, 2], topic(), live)).toThrow(/twice/);
    expect(() => checkTarget(partition([1, 2, 3]), [2], topic(2), live)).toThrow(/min.insync.replicas 2/);
    expect(() => checkTarget(partition([1, 2, 3]), [2, 3, 9], topic(), live)).toThrow(/broker\(s\) 9: not live/);
    expect(() => checkTarget(partition([1, 2, 3]), [2, 3], topic(2), live)).not.toThrow();
  });

  it('refuses to add a replica on a draining broker, but keeps one already there', () => {
    const live = new Set([1, 2, 3, 4]);
    const draining = new Set([4]);
    const err = captureError(() => checkTarget(partition([1, 2, 3]), [2, 3, 4], topic(), live, draining));
    expect(err).toMatchObject({ reason: 'POLICY_VIOLATION' });
    expect(String(err)).toMatch(/broker\(s\) 4: being drained/);
    expect(() => checkTarget(partition([1, 2, 4]), [2, 4, 1], topic(), live, draining)).not.toThrow();
  });

  it('any sequence of ISR changes and steps never leaves the ISR below min(minIsr, target size), nor a leader outside it (property)', () => {
    const ids = [1, 2, 3, 4, 5];
    fc.assert(
      fc.property(
        fc.shuffledSubarray(ids, { minLength: 2, maxLength: 3 }),
        fc.shuffledSubarray(ids, { minLength: 2, maxLength: 3 }),
        fc.array(fc.subarray(ids), { maxLength: 6 }),
        fc.subarray(ids),
        (from, to, isrSteps, liveIds) => {
          const f = brokerFacts(cluster(...liveIds.map((id) => up(id))));
          let s = startReassignment(partition(from), to, 1, 0) ?? partition(from);
          for (const pick of isrSteps) {
            // The leader keeps itself in any ISR it writes (validateIsr).
            const isr = s.replicas.filter((r) => pick.includes(r) || r === s.leader);
            s = { ...s, isr };
            const next = advanceReassignment(s, f);
            if (next) {
              expect(next.replicas).toEqual(to);
              expect(next.isr.length).toBe(to.length);
              expect(next.isr).toContain(next.leader);
              expect(next.reassignment).toBeUndefined();
              return;
            }
          }
        },
      ),
    );
  });
});

function captureError(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}
