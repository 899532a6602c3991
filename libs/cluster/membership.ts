/**
 * A process's registration in the cluster: one key under an etcd lease kept alive in the
 * background (by a LeaseKeeping: in a service, a thread of its own that survives main-thread
 * stalls up to a limit, ADR 0057). When the process dies the lease ends after its TTL and the key disappears, which is
 * how the controller learns that a broker is gone. `leave()` revokes the lease so a clean shutdown
 * is seen at once.
 *
 * Lost means lost by the lease's own TTL on this process's clock (lease-deadline.ts): a process cut
 * off from etcd learns it before etcd expires the lease, so before anyone can take its place; not
 * 2-3 TTLs later when the etcd client gives up its keep-alive stream.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Etcd3, Lease } from 'etcd3';
import type { Logger } from '../telemetry/index.js';
import { systemClock, type Clock } from '../runtime/index.js';
import { IN_THREAD_KEEPING, type KeptLease, type LeaseKeeping } from './lease-keeping.js';

/** How often a joining process looks whether a previous registration of its key is gone. */
const REGISTRATION_POLL_MS = 250;

export interface MembershipJoinOptions {
  /** Ends a join still waiting for a previous registration of the key to expire. */
  signal?: AbortSignal;
  /** Default: the system clock. */
  clock?: Clock;
  /** Who sends the keep-alives. Default: the etcd3 client on this thread (IN_THREAD_KEEPING). */
  keeping?: LeaseKeeping;
}

export class Membership {
  private lostListeners: ((err: Error) => void)[] = [];
  private left = false;
  private lostWhy: string | undefined;

  private constructor(
    private readonly etcd: Etcd3,
    private readonly lease: Lease,
    private readonly watchdog: KeptLease,
    readonly key: string,
    /** The etcd revision that wrote the key: for a broker, its broker epoch (metadata.ts). */
    readonly revision: number,
    private readonly logger: Logger,
  ) {}

  /** The watchdog's verdict (once): tells the listeners and lets the lease go. */
  private lost(why: string): void {
    if (this.left || this.lostWhy !== undefined) return;
    this.lostWhy = why;
    this.logger.warn({ key: this.key, why }, 'cluster membership lease lost');
    // Best effort: a reachable etcd drops the key at once, so a re-join need not wait out the TTL.
    this.lease.revoke().catch(() => this.lease.release());
    const err = new Error(`cluster membership lease lost: ${why}`);
    for (const l of this.lostListeners) l(err);
  }

  /**
   * Puts `key` = value (an object is stored as JSON) under a fresh lease of `ttlSeconds` with
   * automatic keepalive. When the key is still held by another lease (a previous incarnation killed
   * without leaving, whose lease has not expired yet, or another process running with the same id)
   * it waits for that key to go away first, like Kafka's broker waiting for its old ZooKeeper
   * session to end: the controller then sees the restart as a departure and a return, moves
   * leadership and bumps epochs, instead of a new process silently inheriting the old one's place.
   */
  static async join(
    etcd: Etcd3,
    key: string,
    value: object | string,
    ttlSeconds: number,
    logger: Logger,
    options: MembershipJoinOptions = {},
  ): Promise<Membership> {
    const { signal, clock = systemClock, keeping = IN_THREAD_KEEPING } = options;
    const grantRequestedAtMs = clock.nowMs();
    const lease = etcd.lease(ttlSeconds, { autoKeepAlive: true });
    // Until the Membership exists, an expiry only ends the join (checked in the loop below).
    let membership: Membership | undefined;
    const watchdog = keeping.keep(lease, { ttlSeconds, grantRequestedAtMs, clock, onExpired: (why) => membership?.lost(why) });
    try {
      const leaseId = await lease.grant();
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      let waitingSince: number | undefined;
      let revision: number;
      for (;;) {
        signal?.throwIfAborted();
        if (watchdog.expired) throw new Error('the new lease expired (etcd unreachable?) before the registration was written');
        const res = await etcd.if(key, 'Create', '==', 0).then(etcd.put(key).value(text).lease(leaseId)).else(etcd.get(key)).commit();
        if (res.succeeded) {
          revision = Number(res.header.revision);
          break;
        }
        const holder = res.responses[0]?.response_range?.kvs[0]?.lease;
        if (waitingSince === undefined) {
          waitingSince = clock.nowMs();
          logger.warn(
            { key, heldByLease: holder, ttlSeconds },
            'this id is still registered by another lease (a previous run that did not shut down cleanly, or another process with the same id); ' +
              'waiting for it to expire before joining. If this does not end within the lease TTL, another process uses this id: stop one of them',
          );
        } else if (clock.nowMs() - waitingSince >= ttlSeconds * 2000) {
          logger.warn(
            { key, heldByLease: holder, waitedMs: clock.nowMs() - waitingSince },
            'still waiting for the previous registration of this id to go away',
          );
          waitingSince = clock.nowMs();
        }
        await delay(REGISTRATION_POLL_MS, undefined, signal ? { signal } : undefined);
      }
      if (waitingSince !== undefined) logger.info({ key, waitedMs: clock.nowMs() - waitingSince }, 'the previous registration expired');
      // Written under a lease that may have run out meanwhile: then it is no registration to act on.
      if (watchdog.expired) throw new Error('the lease expired (etcd unreachable?) while the registration was being written');
      logger.info({ key, ttlSeconds, lease: leaseId, revision }, 'joined the cluster');
      membership = new Membership(etcd, lease, watchdog, key, revision, logger);
      return membership;
    } catch (err) {
      watchdog.dispose();
      lease.release();
      throw err;
    }
  }

  /**
   * Puts another key under this membership's lease (it disappears with the registration), or
   * deletes it when `value` is undefined.
   */
  async putUnderLease(key: string, value: string | undefined): Promise<void> {
    if (value === undefined) await this.etcd.delete().key(key).exec();
    else await this.lease.put(key).value(value).exec();
  }

  /** Called once when the lease is lost: its TTL ran out on this process's clock without a renewal, or etcd said it is gone. */
  onLost(listener: (err: Error) => void): void {
    this.lostListeners.push(listener);
  }

  /** Revokes the lease, removing the key at once. Idempotent; never throws (the TTL cleans up anyway). */
  async leave(): Promise<void> {
    if (this.left) return;
    this.left = true;
    this.watchdog.dispose();
    try {
      await this.lease.revoke();
    } catch (err) {
      this.logger.warn({ err, key: this.key }, 'could not revoke the membership lease; it will expire');
      this.lease.release();
    }
  }
}
