/**
 * LeaseWatch (libs/cluster/lease-watch.ts): one watch over both deadline sources, the in-thread
 * keep-alives (watchInThread) and the keep-alive thread's shared memory (SharedLeaseDeadline, as
 * the worker writes it). Time is a ManualClock moved in 1 ms steps together with vitest's fake
 * timers, so a timer fires at the instant the clock says.
 */
import { EventEmitter } from 'node:events';
import type { Lease } from 'etcd3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LeaseDeadline } from '../../../libs/cluster/lease-deadline.js';
import { LeaseState } from '../../../libs/cluster/lease-keeper-protocol.js';
import { SharedLeaseDeadline } from '../../../libs/cluster/lease-keeper.js';
import { LeaseWatch, watchInThread } from '../../../libs/cluster/lease-watch.js';
import { ManualClock } from '../../../libs/runtime/index.js';

const TTL = 3;
/** Granted at 0: the deadline before any answer is 3 000 - 500 (the margin). */
const FIRST_DEADLINE = 2_500;

/** The Lease events the watch and the in-thread source listen to. */
const EVENTS = ['lost', 'keepaliveFired', 'keepaliveEstablished', 'keepaliveSucceeded'] as const;

interface Watched {
  watch: LeaseWatch;
  /** A keep-alive is sent now. */
  sent(): void;
  /** The oldest unanswered keep-alive is answered with `ttl` (0: etcd no longer knows the lease). */
  answered(ttl?: number): void;
  /** Off-thread only: the worker let the lease go because the main thread stalled. */
  stalled?: () => void;
  /** The source let go of what it holds (in-thread: its listeners; off-thread: onDispose, once, which drops the lease in the worker). */
  sourceReleased(): boolean;
}

interface Source {
  name: string;
  watch(lease: EventEmitter, clock: ManualClock, onExpired: (why: string) => void): Watched;
}

const asLease = (lease: EventEmitter): Lease => lease as unknown as Lease;

const sources: Source[] = [
  {
    name: 'in-thread (the etcd3 client keep-alive events)',
    watch(lease, clock, onExpired) {
      const watch = watchInThread(asLease(lease), { ttlSeconds: TTL, grantRequestedAtMs: 0, onExpired, clock });
      return {
        watch,
        sent: () => lease.emit('keepaliveFired'),
        answered: (ttl = TTL) => lease.emit('keepaliveSucceeded', { TTL: String(ttl) }),
        sourceReleased: () => ['keepaliveFired', 'keepaliveEstablished', 'keepaliveSucceeded'].every((e) => lease.listenerCount(e) === 0),
      };
    },
  },
  {
    name: 'off-thread (the shared memory the keep-alive thread writes)',
    watch(lease, clock, onExpired) {
      let disposed = 0;
      const source = new SharedLeaseDeadline(TTL, 0);
      // What the worker does (lease-keeper-worker.ts): its own LeaseDeadline, published on each answer.
      const worker = new LeaseDeadline(TTL, 0);
      const deadline = new BigInt64Array(source.shared, 0, 1);
      const state = new Int32Array(source.shared, 8, 1);
      const watch = new LeaseWatch(asLease(lease), source, { ttlSeconds: TTL, onExpired, clock, onDispose: () => disposed++ });
      return {
        watch,
        sent: () => worker.keepaliveSent(clock.nowMs()),
        answered: (ttl = TTL) => {
          worker.keepaliveAnswered(ttl);
          if (worker.expiresAtMs === Number.NEGATIVE_INFINITY) Atomics.store(state, 0, LeaseState.GONE);
          else Atomics.store(deadline, 0, BigInt(worker.expiresAtMs));
        },
        stalled: () => Atomics.store(state, 0, LeaseState.STALLED),
        sourceReleased: () => disposed === 1,
      };
    },
  },
];

let clock: ManualClock;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  clock = new ManualClock(0);
});
afterEach(() => {
  vi.useRealTimers();
});

/** Moves the clock and the timers together, 1 ms at a time. */
function pass(ms: number): void {
  for (let i = 0; i < ms; i++) {
    clock.advance(1);
    vi.advanceTimersByTime(1);
  }
}

function listeners(lease: EventEmitter): number {
  return EVENTS.reduce((n, e) => n + lease.listenerCount(e), 0);
}

describe.each(sources)('LeaseWatch, $name', (source) => {
  function start(): { lease: EventEmitter; w: Watched; expiries: string[] } {
    const lease = new EventEmitter();
    // Someone else's listener on the same Lease: the watch must leave it alone.
    lease.on('lost', () => undefined);
    const expiries: string[] = [];
    const w = source.watch(lease, clock, (why) => expiries.push(why));
    return { lease, w, expiries };
  }

  it('with no keep-alive answered, expires at the deadline (grant + TTL - margin), not a millisecond before', () => {
    const { w, expiries } = start();
    expect(w.watch.expiresAtMs).toBe(FIRST_DEADLINE);
    pass(FIRST_DEADLINE - 1);
    expect(w.watch.expired).toBe(false);
    expect(expiries).toEqual([]);
    pass(1);
    expect(w.watch.expired).toBe(true);
    expect(expiries).toEqual([`no keep-alive answered in time: the lease's TTL (${TTL} s) has run out by this process's clock`]);
  });

  it('an answered keep-alive re-arms it: the lease then ends TTL - margin after that keep-alive was sent', () => {
    const { w, expiries } = start();
    pass(1_000);
    w.sent();
    pass(200);
    w.answered();
    expect(w.watch.expiresAtMs).toBe(3_500);
    pass(FIRST_DEADLINE - 1_200); // the old deadline passes
    expect(expiries).toEqual([]);
    expect(w.watch.expired).toBe(false);
    pass(3_500 - FIRST_DEADLINE - 1);
    expect(expiries).toEqual([]);
    pass(1);
    expect(expiries).toHaveLength(1);
    expect(clock.nowMs()).toBe(3_500);
  });

  it('keeps being re-armed while keep-alives are answered, and only then expires', () => {
    const { w, expiries } = start();
    for (let i = 0; i < 10; i++) {
      pass(1_000);
      w.sent();
      pass(50);
      w.answered();
    }
    // Last sent at 10 000 + 9 x 50 = 10 450.
    expect(expiries).toEqual([]);
    expect(w.watch.expiresAtMs).toBe(10_450 + 2_500);
    pass(10_450 + 2_500 - clock.nowMs());
    expect(expiries).toHaveLength(1);
  });

  it("passes the etcd client's 'lost' on at once, and only once", () => {
    const { lease, w, expiries } = start();
    pass(100);
    lease.emit('lost', new Error('lease expired'));
    expect(expiries).toEqual(['the etcd client lost the lease: lease expired']);
    expect(w.watch.expired).toBe(true);
    lease.emit('lost', new Error('again'));
    pass(5_000);
    expect(expiries).toHaveLength(1);
  });

  it('a keep-alive answered with TTL 0 (etcd no longer knows the lease) ends it by the deadline at the latest', () => {
    const { w, expiries } = start();
    pass(100);
    w.sent();
    w.answered(0);
    expect(w.watch.expired).toBe(true);
    pass(FIRST_DEADLINE - 100);
    expect(expiries).toHaveLength(1);
    expect(expiries[0]).toMatch(/no longer knows the lease/);
  });

  it('dispose clears its timer and every listener it added, tells the source, and nothing expires after', () => {
    const { lease, w, expiries } = start();
    expect(vi.getTimerCount()).toBe(1);
    expect(w.sourceReleased()).toBe(false);
    pass(100);
    w.watch.dispose();
    w.watch.dispose();
    expect(vi.getTimerCount()).toBe(0);
    expect(listeners(lease)).toBe(1); // the other listener
    expect(w.sourceReleased()).toBe(true);
    expect(w.watch.expired).toBe(true);
    lease.emit('lost', new Error('late'));
    w.answered();
    pass(10_000);
    expect(expiries).toEqual([]);
  });

  it('after expiring it is disposed: no timer, no listener left, onExpired called once', () => {
    const { lease, w, expiries } = start();
    pass(FIRST_DEADLINE);
    expect(expiries).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(listeners(lease)).toBe(1);
    expect(w.sourceReleased()).toBe(true);
    w.watch.lost('and then the keeper says so too');
    lease.emit('lost', new Error('late'));
    pass(10_000);
    expect(expiries).toHaveLength(1);
  });
});

describe('LeaseWatch over the shared memory only', () => {
  it('a stall past the limit (the worker wrote STALLED) ends it when the timer next reads, even with a later deadline published', () => {
    const expiries: string[] = [];
    const lease = new EventEmitter();
    const source = new SharedLeaseDeadline(TTL, 0);
    const watch = new LeaseWatch(asLease(lease), source, { ttlSeconds: TTL, onExpired: (why) => expiries.push(why), clock });
    // The worker renewed it meanwhile (deadline 9 500), then let it go.
    Atomics.store(new BigInt64Array(source.shared, 0, 1), 0, 9_500n);
    Atomics.store(new Int32Array(source.shared, 8, 1), 0, LeaseState.STALLED);
    expect(watch.expired).toBe(true);
    pass(FIRST_DEADLINE);
    expect(expiries).toEqual(['the main thread stalled past the lease stall limit: the keep-alive thread let the lease go']);
  });

  it('a timer that fires at the old deadline reads the one the worker published meanwhile and waits on', () => {
    const expiries: string[] = [];
    const source = new SharedLeaseDeadline(TTL, 0);
    new LeaseWatch(asLease(new EventEmitter()), source, { ttlSeconds: TTL, onExpired: (why) => expiries.push(why), clock });
    Atomics.store(new BigInt64Array(source.shared, 0, 1), 0, 6_000n);
    pass(FIRST_DEADLINE);
    expect(expiries).toEqual([]);
    expect(vi.getTimerCount()).toBe(1);
    pass(6_000 - FIRST_DEADLINE);
    expect(expiries).toHaveLength(1);
  });
});

describe('LeaseWatch over the in-thread keep-alives only', () => {
  it('an answer with TTL 0 ends it at once: the answer itself re-arms the watch, no timer needed', () => {
    const expiries: string[] = [];
    const lease = new EventEmitter();
    watchInThread(asLease(lease), { ttlSeconds: TTL, grantRequestedAtMs: 0, onExpired: (why) => expiries.push(why), clock });
    pass(100);
    lease.emit('keepaliveFired');
    lease.emit('keepaliveSucceeded', { TTL: '0' });
    expect(expiries).toEqual(['etcd answered a keep-alive with TTL 0: it no longer knows the lease (expired or revoked)']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a new keep-alive stream forgets what was sent on the old one: its late answer extends nothing', () => {
    const expiries: string[] = [];
    const lease = new EventEmitter();
    const watch = watchInThread(asLease(lease), { ttlSeconds: TTL, grantRequestedAtMs: 0, onExpired: (why) => expiries.push(why), clock });
    pass(1_000);
    lease.emit('keepaliveFired');
    lease.emit('keepaliveEstablished');
    lease.emit('keepaliveSucceeded', { TTL: String(TTL) });
    expect(watch.expiresAtMs).toBe(FIRST_DEADLINE);
    pass(FIRST_DEADLINE - 1_000);
    expect(expiries).toHaveLength(1);
  });
});
