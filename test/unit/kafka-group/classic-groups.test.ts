/**
 * A Kafka gateway's set of classic groups (libs/kafka-group classic-groups.ts) without processes:
 * a ManualClock for sessions, vitest's fake timers for the sweep timer. Groups are made on first
 * use and forgotten (reported to onEmptied, which releases the hold) once without members; the
 * sweep expires sessions; close answers every waiting request and stops the timer. A fast-check
 * property drives joins, syncs, leaves and clock moves over two groups, settling after each as
 * the gateway does, and checks that every group kept has members and each emptying is reported once.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../libs/runtime/index.js';
import { ERROR_CODES } from '../../../libs/kafka-protocol/index.js';
import { ClassicGroups } from '../../../libs/kafka-group/classic-groups.js';
import type { JoinResult } from '../../../libs/kafka-group/index.js';
import { joinOptions, settled } from './fixtures.js';

const { NONE, COORDINATOR_NOT_AVAILABLE, INCONSISTENT_GROUP_PROTOCOL } = ERROR_CODES;

const opts = joinOptions;

function setup(): { groups: ClassicGroups; clock: ManualClock; emptied: string[] } {
  const clock = new ManualClock(1_000_000);
  const emptied: string[] = [];
  const groups = new ClassicGroups({ clock, sweepMs: 1_000, onEmptied: (id) => emptied.push(id) });
  return { groups, clock, emptied };
}

afterEach(() => vi.useRealTimers());

describe('ClassicGroups', () => {
  it('makes a group on first use and gives the same one after; member ids start with the client id', async () => {
    const { groups } = setup();
    expect(groups.get('g')).toBeUndefined();
    const g = groups.getOrCreate('g');
    expect(groups.getOrCreate('g')).toBe(g);
    const a = (await settled(g.join(opts())))!;
    expect(a.memberId).toMatch(/^kcat-[0-9a-f-]{36}$/);
    const b = g.join(opts('', { clientId: '' }));
    groups.close();
    expect((await settled(b))?.memberId).toMatch(/^member-[0-9a-f-]{36}$/);
  });

  it('the last member leaving: settle forgets the group and reports it once; a group with members stays', async () => {
    const { groups, emptied } = setup();
    const g = groups.getOrCreate('g');
    const other = groups.getOrCreate('other');
    const a = (await settled(g.join(opts())))!;
    await settled(other.join(opts()));
    groups.settle(g);
    expect(groups.get('g')).toBe(g);
    g.leave(a.memberId);
    groups.settle(g);
    groups.settle(g);
    expect(emptied).toEqual(['g']);
    expect(groups.get('g')).toBeUndefined();
    expect(groups.all()).toEqual([other]);
    // The next JoinGroup starts a new group: generation 1 again.
    expect((await settled(groups.getOrCreate('g').join(opts())))?.generationId).toBe(1);
    groups.close();
  });

  it('a group whose first JoinGroup failed is forgotten and reported (its hold, made before the join, is released)', async () => {
    const { groups, emptied } = setup();
    const g = groups.getOrCreate('g');
    expect((await settled(g.join(opts('', { protocols: [] }))))?.errorCode).toBe(INCONSISTENT_GROUP_PROTOCOL);
    groups.settle(g);
    expect(emptied).toEqual(['g']);
    expect(groups.all()).toEqual([]);
    groups.close();
  });

  it('settling a group object that was already replaced leaves the new one alone', async () => {
    const { groups, emptied } = setup();
    const old = groups.getOrCreate('g');
    groups.settle(old);
    const current = groups.getOrCreate('g');
    await settled(current.join(opts()));
    groups.settle(old);
    expect(groups.get('g')).toBe(current);
    expect(emptied).toEqual(['g']);
    groups.close();
  });

  it('the sweep timer expires sessions: a silent member is removed and its emptied group reported; one that heartbeats stays', async () => {
    vi.useFakeTimers();
    const { groups, clock, emptied } = setup();
    const quiet = groups.getOrCreate('quiet');
    const busy = groups.getOrCreate('busy');
    await settled(quiet.join(opts()));
    const b = (await settled(busy.join(opts())))!;
    for (let s = 0; s < 12; s++) {
      clock.advance(1_000);
      expect(busy.heartbeat(b.memberId, b.generationId)).toBe(NONE);
      vi.advanceTimersByTime(1_000);
    }
    expect(emptied).toEqual(['quiet']);
    expect(groups.all()).toEqual([busy]);
    groups.close();
  });

  it('close answers every waiting JoinGroup COORDINATOR_NOT_AVAILABLE, forgets every group and stops the timer', async () => {
    vi.useFakeTimers();
    const { groups, emptied } = setup();
    const g = groups.getOrCreate('g');
    const a = (await settled(g.join(opts())))!;
    const waiting = g.join(opts()); // a rebalance: waits for a to rejoin
    expect(await settled(waiting)).toBeUndefined();
    expect(vi.getTimerCount()).toBe(1);
    groups.close();
    expect((await settled(waiting))?.errorCode).toBe(COORDINATOR_NOT_AVAILABLE);
    expect(g.state).toBe('Dead');
    expect(g.heartbeat(a.memberId, a.generationId)).toBe(COORDINATOR_NOT_AVAILABLE);
    expect(groups.all()).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    // Closing is not emptying: no hold is released by it (the holds lapse by themselves).
    expect(emptied).toEqual([]);
  });

  it('property: after each request and sweep, every group kept has members, and each group that lost its last member is reported once', async () => {
    type Op =
      | { kind: 'join'; group: number; client: number }
      | { kind: 'sync'; group: number; client: number }
      | { kind: 'leave'; group: number; client: number }
      | { kind: 'time'; ms: number };
    const group = fc.integer({ min: 0, max: 1 });
    const client = fc.integer({ min: 0, max: 2 });
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('join' as const), group, client }),
      fc.record({ kind: fc.constant('sync' as const), group, client }),
      fc.record({ kind: fc.constant('leave' as const), group, client }),
      fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 25_000 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const { groups, clock, emptied } = setup();
        const ids = ['g0', 'g1'];
        const memberOf = new Map<string, JoinResult>(); // `${group}/${client}` -> its last good join
        const pending: Promise<unknown>[] = [];
        for (const o of ops) {
          const before = new Map(ids.map((id) => [id, groups.get(id)]));
          const reportsBefore = emptied.length;
          if (o.kind === 'time') {
            clock.advance(o.ms);
            groups.sweep();
          } else {
            const id = ids[o.group] as string;
            const key = `${id}/${o.client}`;
            const known = memberOf.get(key);
            if (o.kind === 'join') {
              const g = groups.getOrCreate(id);
              pending.push(
                g.join(opts(known?.memberId ?? '')).then((r) => {
                  if (r.errorCode === NONE) memberOf.set(key, r);
                  else memberOf.delete(key);
                  groups.settle(g); // as the gateway does once JoinGroup is answered
                }),
              );
            } else {
              const g = groups.get(id);
              if (!g || !known) continue;
              if (o.kind === 'sync') pending.push(g.sync(known.memberId, known.generationId, []));
              else {
                g.leave(known.memberId);
                memberOf.delete(key);
                groups.settle(g);
              }
            }
          }
          await new Promise((r) => setImmediate(r));
          for (const g of groups.all()) expect(g.members.size, `group ${g.groupId} kept without members`).toBeGreaterThan(0);
          const reports = emptied.slice(reportsBefore);
          for (const id of ids) {
            const count = reports.filter((r) => r === id).length;
            const was = before.get(id);
            const now = groups.get(id);
            // Forgotten: reported once. Kept (the same object): not reported. Made and forgotten in this step: once.
            if (was && now !== was) expect(count, `${id} forgotten`).toBe(1);
            else if (was) expect(count, `${id} kept`).toBe(0);
            else expect(count, `${id} new`).toBeLessThanOrEqual(1);
          }
        }
        groups.close();
        await Promise.all(pending);
      }),
      { numRuns: 200 },
    );
  });
});
