/**
 * The group state machine with a fake clock: joins and generations, cooperative revoke-before-grant,
 * session expiry, fencing of zombies and stale generations, static membership, new partitions, and
 * (as a property over random event sequences) that no partition ever has two owners.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hasReason } from '../../../libs/errors/index.js';
import { Group, tpKey, type MemberEvent, type TopicPartition } from '../../../libs/group/index.js';

class Fixture {
  now = 1_000_000;
  private seq = 0;
  readonly group = new Group('g', { nowMs: () => this.now }, () => `m${++this.seq}`);
  readonly events: MemberEvent[] = [];

  constructor(partitions = 12) {
    this.group.setPartitionCounts(new Map([['t', partitions]]));
  }

  join(options: { instanceId?: string; sessionTimeoutMs?: number; topics?: string[] } = {}): string {
    const { memberId, events } = this.group.join({
      topics: options.topics ?? ['t'],
      sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
      instanceId: options.instanceId,
    });
    this.apply(events);
    return memberId;
  }

  apply(events: MemberEvent[]): void {
    this.events.push(...events);
    this.group.checkInvariants();
  }

  /** Every member acknowledges every pending revocation, until none is left. */
  settle(): void {
    for (let i = 0; i < 10; i++) {
      const pending = this.group.describe().members.filter((m) => m.revoking.length > 0);
      if (pending.length === 0) return;
      for (const m of pending) this.apply(this.group.revoked(m.memberId, m.revoking));
    }
    throw new Error('revocations did not settle');
  }

  owned(): Map<string, TopicPartition[]> {
    return new Map(this.group.describe().members.map((m) => [m.memberId, m.partitions]));
  }

  /** The last assignment event each member got. */
  lastAssignment(memberId: string): Extract<MemberEvent, { kind: 'assignment' }> | undefined {
    return this.events
      .filter((e): e is Extract<MemberEvent, { kind: 'assignment' }> => e.kind === 'assignment' && e.memberId === memberId)
      .at(-1);
  }
}

function expectCover(owned: Map<string, TopicPartition[]>, partitions: number): void {
  const all = [...owned.values()].flat().map(tpKey).sort();
  expect(all).toEqual(Array.from({ length: partitions }, (_, p) => tpKey({ topic: 't', partition: p })).sort());
}

describe('Group', () => {
  it('refuses session timeouts outside the allowed range, and no topics', () => {
    const f = new Fixture();
    for (const sessionTimeoutMs of [5_999, 300_001, -1]) {
      expect(() => f.join({ sessionTimeoutMs }), String(sessionTimeoutMs)).toThrowError(
        expect.objectContaining({ reason: 'INVALID_SESSION_TIMEOUT' }),
      );
    }
    expect(() => f.join({ topics: [] })).toThrowError(expect.objectContaining({ reason: 'INVALID_REQUEST' }));
    expect(f.group.size).toBe(0);
  });

  it('three members joining one by one end with disjoint shares covering every partition, each join a new generation', () => {
    const f = new Fixture();
    const a = f.join();
    expect(f.lastAssignment(a)?.partitions).toHaveLength(12);
    expect(f.group.currentState).toBe('Stable');
    const b = f.join();
    expect(f.group.generation).toBe(2);
    // b gets nothing until a gives its share up: revoke before grant.
    expect(f.lastAssignment(b)?.partitions).toEqual([]);
    expect(f.group.currentState).toBe('Rebalancing');
    expect(f.events.filter((e) => e.kind === 'revoke' && e.memberId === a)).toHaveLength(1);
    f.settle();
    expect(f.lastAssignment(b)?.partitions).toHaveLength(6);
    const c = f.join();
    f.settle();
    expect(f.group.generation).toBe(3);
    expect(f.group.currentState).toBe('Stable');
    const owned = f.owned();
    for (const id of [a, b, c]) expect(owned.get(id)).toHaveLength(4);
    expectCover(owned, 12);
  });

  it('a member that stops heartbeating is removed after its session timeout, and its partitions move', () => {
    const f = new Fixture();
    const a = f.join({ sessionTimeoutMs: 6_000 });
    const b = f.join({ sessionTimeoutMs: 6_000 });
    f.settle();
    f.now += 5_000;
    f.group.heartbeat(a);
    f.apply(f.group.expire());
    expect(f.group.size).toBe(2);
    expect(f.group.nextExpiry()).toBe(f.now - 5_000 + 6_000 + 1);
    f.now += 1_001;
    const events = f.group.expire();
    f.apply(events);
    expect(events.find((e) => e.kind === 'removed')?.memberId).toBe(b);
    expect(f.owned().get(a)).toHaveLength(12);
    expect(f.lastAssignment(a)?.partitions).toHaveLength(12);
  });

  it('fences a zombie and stale generations; refuses commits for partitions a member does not own', () => {
    const f = new Fixture();
    const a = f.join({ sessionTimeoutMs: 6_000 });
    const genA = f.group.generation;
    const b = f.join({ sessionTimeoutMs: 6_000 });
    f.settle();
    const mine = f.owned().get(b) ?? [];
    const theirs = f.owned().get(a) ?? [];
    expect(() => f.group.checkCommit(b, f.group.generation, mine)).not.toThrow();
    expect(() => f.group.checkCommit(a, genA, theirs)).toThrowError(expect.objectContaining({ reason: 'ILLEGAL_GENERATION' }));
    expect(() => f.group.checkCommit(b, f.group.generation, theirs)).toThrowError(
      expect.objectContaining({ reason: 'PARTITION_NOT_ASSIGNED' }),
    );
    // b goes silent and is expired; later it wakes up and commits: refused.
    f.now += 6_001;
    f.group.heartbeat(a);
    f.apply(f.group.expire());
    expect(() => f.group.checkCommit(b, f.group.generation, mine)).toThrowError(expect.objectContaining({ reason: 'UNKNOWN_MEMBER_ID' }));
    expect(() => f.group.heartbeat(b)).toThrowError(expect.objectContaining({ reason: 'UNKNOWN_MEMBER_ID' }));
    // Outside commits only while the group is empty.
    expect(() => f.group.checkCommit('', -1, mine)).toThrowError(expect.objectContaining({ reason: 'GROUP_NOT_EMPTY', retriable: false }));
    f.apply(f.group.leave(a));
    expect(f.group.currentState).toBe('Empty');
    expect(() => f.group.checkCommit('', -1, mine)).not.toThrow();
  });

  it('a member revoking partitions may still commit them until it acknowledges', () => {
    const f = new Fixture();
    const a = f.join();
    f.join();
    const revoking = f.group.describe().members.find((m) => m.memberId === a)?.revoking ?? [];
    expect(revoking).toHaveLength(6);
    expect(() => f.group.checkCommit(a, f.group.generation, revoking)).not.toThrow();
    f.apply(f.group.revoked(a, revoking));
    expect(() => f.group.checkCommit(a, f.group.generation, revoking)).toThrowError(
      expect.objectContaining({ reason: 'PARTITION_NOT_ASSIGNED' }),
    );
  });

  it('a member that never gives up revoked partitions is removed after its session timeout', () => {
    const f = new Fixture();
    const a = f.join({ sessionTimeoutMs: 6_000 });
    const b = f.join({ sessionTimeoutMs: 6_000 });
    f.now += 6_001;
    f.group.heartbeat(a);
    f.group.heartbeat(b);
    const events = f.group.expire();
    f.apply(events);
    expect(events.find((e) => e.kind === 'removed')?.memberId).toBe(a);
    expect(f.owned().get(b)).toHaveLength(12);
  });

  it('static membership: a restart with the same instance id keeps its partitions without a rebalance', () => {
    const f = new Fixture();
    const a = f.join({ instanceId: 'worker-1' });
    f.join({ instanceId: 'worker-2' });
    f.settle();
    const before = f.owned().get(a);
    const generation = f.group.generation;
    const a2 = f.join({ instanceId: 'worker-1' });
    expect(f.group.generation).toBe(generation);
    expect(f.owned().get(a2)).toEqual(before);
    expect(f.lastAssignment(a2)?.partitions).toEqual(before);
    expect(f.events.find((e) => e.kind === 'removed' && e.memberId === a)).toBeDefined();
    expect(() => f.group.checkCommit(a, generation, before ?? [])).toThrowError(expect.objectContaining({ reason: 'UNKNOWN_MEMBER_ID' }));
    expect(f.group.isStatic(a2)).toBe(true);
  });

  it('new partitions of a subscribed topic are assigned; a deleted topic drops its partitions', () => {
    const f = new Fixture(4);
    const a = f.join();
    const b = f.join();
    f.settle();
    expect(f.group.setPartitionCounts(new Map([['t', 4]]))).toEqual([]);
    f.apply(f.group.setPartitionCounts(new Map([['t', 8]])));
    f.settle();
    expectCover(f.owned(), 8);
    expect(f.owned().get(a)).toHaveLength(4);
    expect(f.owned().get(b)).toHaveLength(4);
    f.apply(f.group.setPartitionCounts(new Map()));
    expect([...f.owned().values()].flat()).toEqual([]);
  });

  it('a deleted group refuses joins; a group with members cannot be deleted', () => {
    const f = new Fixture();
    const a = f.join();
    expect(() => f.group.markDead()).toThrowError(expect.objectContaining({ reason: 'GROUP_NOT_EMPTY' }));
    f.apply(f.group.leave(a));
    f.group.markDead();
    let err: unknown;
    try {
      f.join();
    } catch (e) {
      err = e;
    }
    expect(hasReason(err, 'GROUP_ID_NOT_FOUND')).toBe(true);
  });

  it('property: whatever happens, no partition has two owners, and once revocations settle every partition is owned', () => {
    type Op =
      | { op: 'join'; instance: number | null }
      | { op: 'leave'; who: number }
      | { op: 'ack'; who: number }
      | { op: 'tick'; ms: number; beat: number }
      | { op: 'partitions'; n: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ op: fc.constant('join' as const), instance: fc.option(fc.integer({ min: 0, max: 3 })) }),
      fc.record({ op: fc.constant('leave' as const), who: fc.nat() }),
      fc.record({ op: fc.constant('ack' as const), who: fc.nat() }),
      fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 8_000 }), beat: fc.nat() }),
      fc.record({ op: fc.constant('partitions' as const), n: fc.integer({ min: 0, max: 16 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const f = new Fixture();
        let partitions = 12;
        const pick = (i: number): string | undefined => {
          const ids = f.group.describe().members.map((m) => m.memberId);
          return ids.length ? ids[i % ids.length] : undefined;
        };
        for (const o of ops) {
          if (o.op === 'join') f.join({ sessionTimeoutMs: 6_000, ...(o.instance === null ? {} : { instanceId: `i${o.instance}` }) });
          else if (o.op === 'leave') {
            const id = pick(o.who);
            if (id) f.apply(f.group.leave(id));
          } else if (o.op === 'ack') {
            const m = f.group.describe().members[o.who % Math.max(1, f.group.size)];
            if (m) f.apply(f.group.revoked(m.memberId, m.revoking));
          } else if (o.op === 'tick') {
            f.now += o.ms;
            const id = pick(o.beat);
            if (id) f.group.heartbeat(id);
            f.apply(f.group.expire());
          } else {
            partitions = o.n;
            f.apply(f.group.setPartitionCounts(new Map([['t', o.n]])));
          }
        }
        f.settle();
        if (f.group.size > 0) {
          expect(f.group.currentState).toBe('Stable');
          expectCover(f.owned(), partitions);
          // What each member was last told is what it owns.
          for (const [id, tps] of f.owned()) expect(f.lastAssignment(id)?.partitions).toEqual(tps);
        }
      }),
      { numRuns: 300 },
    );
  });
});
