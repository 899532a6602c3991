/**
 * Watches a lease and calls `onExpired` once when it must be taken as gone: by its own TTL on this
 * process's clock (lease-deadline.ts), or because something that knows said so (etcd, the etcd3
 * client's 'lost', the keep-alive thread). One class for both ways of keeping a lease
 * (lease-keeping.ts); what differs is where the deadline is read from, a LeaseDeadlineSource:
 * - in-thread (watchInThread below): a LeaseDeadline fed by the etcd3 client's keep-alive events
 *   on this thread, the watch re-armed by each answered keep-alive;
 * - off-thread (lease-keeper.ts SharedLeaseDeadline): the deadline and a state word the keeper's
 *   worker writes in shared memory, read when the timer fires, so after a stall of this thread the
 *   first thing that runs sees the renewals the worker made meanwhile.
 *
 * The timer is armed at the deadline read now; when it fires the deadline is read again, and the
 * watch either expires or waits on until the deadline it reads then (the deadline never moves back).
 *
 * Owner: whoever keeps the lease calls dispose() when it gives the lease up on purpose (leave,
 * resign), which clears the timer and the listeners and tells the source (onDispose); after
 * onExpired it is disposed already. Single-threaded: call it from the thread that made it.
 */
import type { Lease } from 'etcd3';
import { systemClock, type Clock } from '../runtime/index.js';
import { LeaseDeadline } from './lease-deadline.js';
import type { KeepOptions, KeptLease } from './lease-keeping.js';

/** Where a watched lease's deadline comes from. Read on every check; never moves back. */
export interface LeaseDeadlineSource {
  /** The instant (ms, on the watch's clock) from which the lease is taken as gone. */
  expiresAtMs(): number;
  /** Why the lease is gone whatever the clock says (etcd or the keeper said so); undefined while it is not. */
  goneWhy(): string | undefined;
}

/** What of an etcd3 Lease the watch listens to: its events. */
export type LeaseEvents = Pick<Lease, 'on' | 'off'>;

export interface LeaseWatchOptions {
  ttlSeconds: number;
  /** Called at most once, with why; the watch is disposed by then. */
  onExpired: (why: string) => void;
  clock: Clock;
  /** Called once when the watch ends (dispose, or expiry): the source lets go of what it holds. */
  onDispose?: () => void;
}

export class LeaseWatch implements KeptLease {
  private timer: NodeJS.Timeout | undefined;
  private over = false;
  private readonly detach: () => void;

  constructor(
    lease: LeaseEvents,
    private readonly source: LeaseDeadlineSource,
    private readonly options: LeaseWatchOptions,
  ) {
    // The client's own give-up, or a write under the lease that etcd refused as an unknown lease.
    const onLost = (err: Error): void => this.lost(`the etcd client lost the lease: ${err.message}`);
    lease.on('lost', onLost);
    this.detach = () => lease.off('lost', onLost);
    this.check();
  }

  /** The time after which the lease is taken as gone, as read now. */
  get expiresAtMs(): number {
    return this.source.goneWhy() === undefined ? this.source.expiresAtMs() : Number.NEGATIVE_INFINITY;
  }

  get expired(): boolean {
    return this.over || this.why() !== undefined;
  }

  /** Stops watching (the lease is given up on purpose). Idempotent. */
  dispose(): void {
    if (this.over) return;
    this.over = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.detach();
    this.options.onDispose?.();
  }

  /** Something that knows says the lease is gone: expires now, with `why`. */
  lost(why: string): void {
    if (this.over) return;
    this.dispose();
    this.options.onExpired(why);
  }

  /** Reads the source: expires, or (re-)arms the timer at the deadline it reads now. */
  check(): void {
    if (this.over) return;
    const why = this.why();
    if (why !== undefined) return this.lost(why);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.check();
    }, this.source.expiresAtMs() - this.options.clock.nowMs());
  }

  private why(): string | undefined {
    const gone = this.source.goneWhy();
    if (gone !== undefined) return gone;
    if (this.options.clock.nowMs() >= this.source.expiresAtMs())
      return `no keep-alive answered in time: the lease's TTL (${this.options.ttlSeconds} s) has run out by this process's clock`;
    return undefined;
  }
}

/**
 * The etcd3 client's keep-alives on this thread, watched: a LeaseDeadline fed by the Lease's
 * keep-alive events, and the watch re-armed by each answer.
 */
export function watchInThread(lease: LeaseEvents, options: KeepOptions): LeaseWatch {
  const clock = options.clock ?? systemClock;
  const deadline = new LeaseDeadline(options.ttlSeconds, options.grantRequestedAtMs);
  const onFired = (): void => deadline.keepaliveSent(clock.nowMs());
  const onEstablished = (): void => deadline.streamRestarted();
  const onSucceeded = (res: { TTL: string }): void => {
    deadline.keepaliveAnswered(Number(res.TTL));
    watch.check();
  };
  lease.on('keepaliveFired', onFired);
  lease.on('keepaliveEstablished', onEstablished);
  lease.on('keepaliveSucceeded', onSucceeded);
  const source: LeaseDeadlineSource = {
    expiresAtMs: () => deadline.expiresAtMs,
    goneWhy: () =>
      deadline.expiresAtMs === Number.NEGATIVE_INFINITY
        ? 'etcd answered a keep-alive with TTL 0: it no longer knows the lease (expired or revoked)'
        : undefined,
  };
  const watch: LeaseWatch = new LeaseWatch(lease, source, {
    ttlSeconds: options.ttlSeconds,
    onExpired: options.onExpired,
    clock,
    onDispose: () => {
      lease.off('keepaliveFired', onFired);
      lease.off('keepaliveEstablished', onEstablished);
      lease.off('keepaliveSucceeded', onSucceeded);
    },
  });
  return watch;
}
