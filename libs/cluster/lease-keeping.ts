/**
 * Who sends an etcd lease's keep-alives, behind one interface, so Membership, ControllerElection
 * and the coordinator's PartitionOwnership do not care: IN_THREAD_KEEPING is the etcd3 client's own
 * keep-alive on this thread's event loop, LeaseKeeper (lease-keeper.ts) a worker thread that keeps
 * going while this thread stalls (ADR 0057). Either way one LeaseWatch (lease-watch.ts) watches the
 * lease, over a deadline read on this thread or from the worker's shared memory: the owner learns
 * the lease is lost, once, by the lease's own TTL on this process's clock (lease-deadline.ts) or
 * because etcd said so, and calls dispose() when it gives the lease up on purpose.
 */
import type { Lease } from 'etcd3';
import type { Clock } from '../runtime/index.js';
import { watchInThread } from './lease-watch.js';

export interface KeepOptions {
  ttlSeconds: number;
  /** When the lease's grant was asked for (just before the Lease object was made). */
  grantRequestedAtMs: number;
  /** Called at most once, with why; the lease is no longer kept then. */
  onExpired: (why: string) => void;
  /** Default: the system clock. */
  clock?: Clock;
}

/** A lease being kept alive. */
export interface KeptLease {
  /** True once the lease must be taken as gone (or after dispose()). */
  readonly expired: boolean;
  /** Stops keeping it and watching it (the owner revokes or lets it go). Idempotent. */
  dispose(): void;
}

export interface LeaseKeeping {
  /**
   * Keeps `lease` alive from now on. The Lease must come from the etcd3 client with its automatic
   * keep-alive on (the default): a keeper that sends them elsewhere turns it off once granted.
   */
  keep(lease: Lease, options: KeepOptions): KeptLease;
}

/** The etcd3 client's keep-alives on this thread: a stall of this event loop past the TTL loses the lease. */
export const IN_THREAD_KEEPING: LeaseKeeping = {
  keep: (lease, options) => watchInThread(lease, options),
};
