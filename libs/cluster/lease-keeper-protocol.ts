/** What LeaseKeeper (lease-keeper.ts) and its worker (lease-keeper-worker.ts) share: messages and memory layout. */

/** How often the main thread proves it runs. */
export const TICK_MS = 100;

/** A lease's state word in shared memory (KEPT until the worker gives it up). */
export const LeaseState = { KEPT: 0, GONE: 1, STALLED: 2, UNANSWERED: 3 } as const;

/** Shared memory of one lease: the deadline (BigInt64 at 0), the state (Int32 at 8). */
export const LEASE_SHARED_BYTES = 16;

export interface LeaseKeeperInit {
  endpoints: readonly string[];
  stallLimitMs: number;
  /** Int32 at 0: the main thread's tick counter. */
  heartbeat: SharedArrayBuffer;
}

export type ToKeeper =
  { t: 'keep'; id: string; ttlSeconds: number; grantRequestedAtMs: number; shared: SharedArrayBuffer } | { t: 'drop'; id: string };

/** `stalled`: revoked because the main thread stalled past the limit (the rest: etcd or the deadline ended it). */
export type FromKeeper = { t: 'ready' } | { t: 'lost'; id: string; why: string; stalled: boolean };
