/**
 * The Kafka gateway's classic consumer group (libs/kafka-group classic-group.ts) as
 * pure state with a hand-driven clock: join/sync/heartbeat/leave and the generations they make,
 * session expiry and the rebalance timeout, Kafka's commit rules per state, and a fast-check
 * property over random sequences of client requests and clock ticks (every transition is one of
 * Kafka's, generations only grow, a decided group's leader is a member, every waiting request is
 * answered in the end).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../libs/runtime/index.js';
import { ERROR_CODES } from '../../../libs/kafka-protocol/index.js';
import { ClassicGroup, type JoinOptions, type JoinResult, type SyncResult } from '../../../libs/kafka-group/classic-group.js';
import { joinOptions, settled } from './fixtures.js';

const { NONE, REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, INCONSISTENT_GROUP_PROTOCOL, COORDINATOR_NOT_AVAILABLE } =
  ERROR_CODES;

function newGroup(clock = new ManualClock(1_000_000)): { g: ClassicGroup; clock: ManualClock } {
  let n = 0;
  return { g: new ClassicGroup('g', clock, (clientId) => `${clientId}-${++n}`), clock };
}

const opts = (memberId = '', over: Partial<JoinOptions> = {}): JoinOptions =>
  joinOptions(memberId, { clientId: 'c', rebalanceTimeoutMs: 20_000, ...over });

const assignment = (s: string): Buffer => Buffer.from(s);

describe('ClassicGroup (Kafka classic protocol in the gateway)', () => {
  it('a lone member joins (generation 1, its own leader), syncs its assignment and is Stable', async () => {
    const { g } = newGroup();
    const j = (await settled(g.join(opts()))) as JoinResult;
    expect(j).toMatchObject({ errorCode: NONE, generationId: 1, protocolName: 'range', protocolType: 'consumer' });
    expect(j.leader).toBe(j.memberId);
    expect(j.members.map((m) => m.memberId)).toEqual([j.memberId]);
    expect(g.state).toBe('CompletingRebalance');
    expect(g.heartbeat(j.memberId, 1)).toBe(NONE);
    const s = (await settled(g.sync(j.memberId, 1, [{ memberId: j.memberId, assignment: assignment('all') }]))) as SyncResult;
    expect(s).toEqual({ errorCode: NONE, assignment: assignment('all') });
    expect(g.state).toBe('Stable');
    expect(g.heartbeat(j.memberId, 0)).toBe(ILLEGAL_GENERATION);
    expect(g.heartbeat('nobody', 1)).toBe(UNKNOWN_MEMBER_ID);
  });

  it('a second member rebalances the group: the first learns it from its heartbeat, both rejoin at generation 2, the follower waits for the leader', async () => {
    const { g } = newGroup();
    const a = (await settled(g.join(opts())))!;
    await g.sync(a.memberId, 1, [{ memberId: a.memberId, assignment: assignment('a') }]);
    const bJoin = g.join(opts());
    expect(await settled(bJoin)).toBeUndefined();
    expect(g.state).toBe('PreparingRebalance');
    expect(g.heartbeat(a.memberId, 1)).toBe(REBALANCE_IN_PROGRESS);
    // Kafka lets a member commit what it read before it rejoins.
    expect(g.commitCheck(a.memberId, 1)).toBe(NONE);
    const aJoin = (await settled(g.join(opts(a.memberId))))!;
    const b = (await settled(bJoin))!;
    expect([aJoin.generationId, b.generationId]).toEqual([2, 2]);
    expect(aJoin.leader).toBe(a.memberId);
    expect(aJoin.members.map((m) => m.memberId).sort()).toEqual([a.memberId, b.memberId].sort());
    expect(b.members).toEqual([]);
    expect(g.commitCheck(b.memberId, 2)).toBe(REBALANCE_IN_PROGRESS);
    const bSync = g.sync(b.memberId, 2, []);
    expect(await settled(bSync)).toBeUndefined();
    const aSync = g.sync(a.memberId, 2, [
      { memberId: a.memberId, assignment: assignment('p0') },
      { memberId: b.memberId, assignment: assignment('p1') },
    ]);
    expect((await settled(aSync))?.assignment).toEqual(assignment('p0'));
    expect((await settled(bSync))?.assignment).toEqual(assignment('p1'));
    expect(g.state).toBe('Stable');
    expect(g.commitCheck(b.memberId, 2)).toBe(NONE);
    expect(g.commitCheck(b.memberId, 1)).toBe(ILLEGAL_GENERATION);
    expect(g.commitCheck('', -1)).toBe(ILLEGAL_GENERATION);
  });

  it('a member that does not rejoin within the rebalance timeout is removed and the others complete without it', async () => {
    const { g, clock } = newGroup();
    const a = (await settled(g.join(opts())))!;
    await g.sync(a.memberId, 1, [{ memberId: a.memberId, assignment: assignment('a') }]);
    const bJoin = g.join(opts('', { rebalanceTimeoutMs: 5_000 }));
    clock.advance(19_000);
    g.heartbeat(a.memberId, 1); // alive, but never rejoins
    g.tick(clock.nowMs());
    expect(await settled(bJoin)).toBeUndefined();
    clock.advance(1_000);
    g.tick(clock.nowMs());
    const b = (await settled(bJoin))!;
    expect(b).toMatchObject({ errorCode: NONE, generationId: 2 });
    expect(b.leader).toBe(b.memberId);
    expect([...g.members.keys()]).toEqual([b.memberId]);
    expect(g.heartbeat(a.memberId, 2)).toBe(UNKNOWN_MEMBER_ID);
  });

  it('a member whose session expires is removed; a member waiting in JoinGroup or SyncGroup is alive', async () => {
    const { g, clock } = newGroup();
    const a = (await settled(g.join(opts())))!;
    const aSync = g.sync(a.memberId, 1, [{ memberId: a.memberId, assignment: assignment('a') }]);
    await settled(aSync);
    const b = g.join(opts());
    clock.advance(10_001);
    g.tick(clock.nowMs()); // a's session (10 s) expired: it is removed, and b completes alone
    expect(await settled(b)).toMatchObject({ errorCode: NONE, generationId: 2 });
    expect(g.members.size).toBe(1);
  });

  it('the last member leaving empties the group (generation bumped); a commit from outside is then allowed', async () => {
    const { g } = newGroup();
    const a = (await settled(g.join(opts())))!;
    expect(g.leave(a.memberId)).toBe(NONE);
    expect(g.leave(a.memberId)).toBe(UNKNOWN_MEMBER_ID);
    expect(g.state).toBe('Empty');
    expect(g.generation).toBe(2);
    expect(g.commitCheck('', -1)).toBe(NONE);
  });

  it('a different protocol type is refused; members with no protocol in common are all refused', async () => {
    const { g } = newGroup();
    const a = (await settled(g.join(opts())))!;
    expect((await settled(g.join(opts('', { protocolType: 'connect' }))))?.errorCode).toBe(INCONSISTENT_GROUP_PROTOCOL);
    expect((await settled(g.join(opts('', { protocols: [] }))))?.errorCode).toBe(INCONSISTENT_GROUP_PROTOCOL);
    expect((await settled(g.join(opts('nobody'))))?.errorCode).toBe(UNKNOWN_MEMBER_ID);
    const b = g.join(opts('', { protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] }));
    const aAgain = g.join(opts(a.memberId));
    expect((await settled(b))?.errorCode).toBe(INCONSISTENT_GROUP_PROTOCOL);
    expect((await settled(aAgain))?.errorCode).toBe(INCONSISTENT_GROUP_PROTOCOL);
    expect(g.state).toBe('Empty');
  });

  it('close answers every waiting JoinGroup and SyncGroup COORDINATOR_NOT_AVAILABLE and the group is Dead', async () => {
    const { g } = newGroup();
    const a = (await settled(g.join(opts())))!;
    const bJoin = g.join(opts());
    await settled(g.join(opts(a.memberId)));
    const b = (await settled(bJoin))!;
    const bSync = g.sync(b.memberId, 2, []); // the follower waits for the leader's sync
    const cJoin = g.join(opts()); // a rebalance: b's sync is told to rejoin
    expect((await settled(bSync))?.errorCode).toBe(REBALANCE_IN_PROGRESS);
    const bAgain = g.join(opts(b.memberId));
    expect(await settled(cJoin)).toBeUndefined();
    g.close();
    expect((await settled(cJoin))?.errorCode).toBe(COORDINATOR_NOT_AVAILABLE);
    expect((await settled(bAgain))?.errorCode).toBe(COORDINATOR_NOT_AVAILABLE);
    expect(g.state).toBe('Dead');
    expect(g.heartbeat(a.memberId, 2)).toBe(COORDINATOR_NOT_AVAILABLE);
    expect((await settled(g.join(opts())))?.errorCode).toBe(COORDINATOR_NOT_AVAILABLE);
  });

  it("property: any sequence of requests and ticks makes only transitions of Kafka's table (an illegal one throws), growing generations, a member leader, and answers everything", async () => {
    type Op =
      | { kind: 'join'; client: number; fresh: boolean }
      | { kind: 'sync'; client: number }
      | { kind: 'heartbeat'; client: number }
      | { kind: 'leave'; client: number }
      | { kind: 'tick'; ms: number };
    const client = fc.integer({ min: 0, max: 2 });
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('join' as const), client, fresh: fc.boolean() }),
      fc.record({ kind: fc.constant('sync' as const), client }),
      fc.record({ kind: fc.constant('heartbeat' as const), client }),
      fc.record({ kind: fc.constant('leave' as const), client }),
      fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 25_000 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const { g, clock } = newGroup();
        const ids: string[] = ['', '', ''];
        const gens = [-1, -1, -1];
        const answers: { done: boolean }[] = [];
        const problems: string[] = [];
        const track = <T>(p: Promise<T>, then: (v: T) => void): void => {
          const a = { done: false };
          answers.push(a);
          void p.then((v) => {
            a.done = true;
            then(v);
          });
        };
        let lastGeneration = g.generation;
        for (const o of ops) {
          if (o.kind === 'join')
            track(g.join(opts(o.fresh ? '' : (ids[o.client] as string))), (r) => {
              if (r.errorCode !== NONE) return;
              ids[o.client] = r.memberId;
              gens[o.client] = r.generationId;
              if (r.memberId === r.leader && !r.members.some((m) => m.memberId === r.memberId))
                problems.push(`leader ${r.memberId} is not among the members it was given`);
            });
          else if (o.kind === 'sync') {
            const members = [...g.members.keys()];
            const me = ids[o.client] as string;
            track(
              g.sync(
                me,
                gens[o.client] as number,
                members.map((m) => ({ memberId: m, assignment: assignment(m) })),
              ),
              (r) => {
                // The leader gives each member its own id as its assignment.
                if (r.errorCode === NONE && r.assignment.length > 0 && !r.assignment.equals(assignment(me)))
                  problems.push(`${me} got the assignment ${r.assignment.toString()}`);
              },
            );
          } else if (o.kind === 'heartbeat') g.heartbeat(ids[o.client] as string, gens[o.client] as number);
          else if (o.kind === 'leave') g.leave(ids[o.client] as string);
          else {
            clock.advance(o.ms);
            g.tick(clock.nowMs());
          }
          await new Promise((r) => setImmediate(r));
          expect(problems).toEqual([]);
          expect(g.generation).toBeGreaterThanOrEqual(lastGeneration);
          lastGeneration = g.generation;
          if (g.state === 'Empty') expect(g.members.size).toBe(0);
          if (g.state === 'CompletingRebalance' || g.state === 'Stable') expect(g.members.has(g.leader)).toBe(true);
          if (g.state === 'Stable') for (const m of g.members.values()) expect(m.syncing).toBeUndefined();
        }
        g.close();
        await new Promise((r) => setImmediate(r));
        expect(answers.every((a) => a.done)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
