/**
 * Watches an etcd3 client Lease and calls `onExpired` once when, by the lease's own TTL
 * (lease-deadline.ts), the lease must be taken as gone: a local timer armed at the deadline and
 * moved on by each answered keep-alive. It also passes on the client's own 'lost' (a keep-alive
 * answered "no such lease", or its late give-up), whichever comes first.
 *
 * Owner: whoever creates it calls dispose() when the lease is given up on purpose (leave, resign),
 * which clears the timer and the listeners; after onExpired it is disposed already.
 */
import type { Lease } from 'etcd3';
import { systemClock, type Clock } from '../runtime/index.js';
import { LeaseDeadline } from './lease-deadline.js';

export interface LeaseWatchdogOptions {
  ttlSeconds: number;
  /** When the lease's grant was asked for (just before the Lease object was made). */
  grantRequestedAtMs: number;
  /** Called at most once, with why. */
  onExpired: (why: string) => void;
  /** Default: the system clock. */
  clock?: Clock;
}

export class LeaseWatchdog {
  private readonly deadline: LeaseDeadline;
  private readonly clock: Clock;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly detach: () => void;

  constructor(
    lease: Lease,
    private readonly options: LeaseWatchdogOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.deadline = new LeaseDeadline(options.ttlSeconds, options.grantRequestedAtMs);
    const onFired = (): void => this.deadline.keepaliveSent(this.clock.nowMs());
    const onEstablished = (): void => this.deadline.streamRestarted();
    const onSucceeded = (res: { TTL: string }): void => {
      this.deadline.keepaliveAnswered(Number(res.TTL));
      this.arm();
    };
    const onLost = (err: Error): void => this.expire(`the etcd client lost the lease: ${err.message}`);
    lease.on('keepaliveFired', onFired);
    lease.on('keepaliveEstablished', onEstablished);
    lease.on('keepaliveSucceeded', onSucceeded);
    lease.on('lost', onLost);
    this.detach = () => {
      lease.off('keepaliveFired', onFired);
      lease.off('keepaliveEstablished', onEstablished);
      lease.off('keepaliveSucceeded', onSucceeded);
      lease.off('lost', onLost);
    };
    this.arm();
  }

  /** The time after which the lease is taken as gone. */
  get expiresAtMs(): number {
    return this.deadline.expiresAtMs;
  }

  get expired(): boolean {
    return this.disposed ? true : this.deadline.expired(this.clock.nowMs());
  }

  /** Stops watching (the lease is given up on purpose). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.detach();
  }

  private arm(): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    const left = this.deadline.expiresAtMs - this.clock.nowMs();
    if (left <= 0) {
      this.timer = undefined;
      this.expire(`no keep-alive answered in time: the lease's TTL (${this.options.ttlSeconds} s) has run out by this process's clock`);
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.arm();
    }, left);
  }

  private expire(why: string): void {
    if (this.disposed) return;
    this.dispose();
    this.options.onExpired(why);
  }
}
