/**
 * Quota accounting: how long to hold back an answer so a caller's rate stays within its quota.
 *
 * One token bucket per (applied quota entity, kind): it holds at most BURST_SECONDS of the quota
 * and refills at the quota's rate. Each request takes what it moved (bytes, or 1 for the request
 * rate) — the bucket may go negative, and the throttle time is how long the refill takes to bring
 * it back to zero: a caller that waits out every throttle (as Kafka clients do with
 * throttle_time_ms, and as a delayed answer forces on a client with one request in flight) moves at
 * most `rate * t + burst` in any t seconds. Kafka measures over sampled windows instead; a bucket
 * gives the same long-run bound with less state and no window edge effects.
 *
 * A quota set on `<default>` gives each user (or client id) its own bucket, a quota on a named
 * user is shared by all its client ids (Kafka's semantics): the bucket key is the applied entity
 * with `<default>` replaced by the caller's own value.
 *
 * Pure: the clock is passed in. Buckets untouched for IDLE_MS are dropped (a full bucket carries no
 * information), so the map stays as small as the set of active callers.
 */
import { DEFAULT_ENTITY, entityKey, limitOf, resolveQuota, type Quota, type QuotaKind } from './quota.js';

export const BURST_SECONDS = 1;
const IDLE_MS = 60_000;
const SWEEP_EVERY = 1_000;

interface Bucket {
  tokens: number;
  atMs: number;
}

export interface Throttle {
  /** How long to hold the answer back (ms, integer); 0 when within the quota. */
  throttleMs: number;
  /** The applied quota's entity key, when a quota applies. */
  entity?: string;
}

export class QuotaMeter {
  private readonly buckets = new Map<string, Bucket>();
  private recorded = 0;

  constructor(
    private readonly quotas: () => ReadonlyMap<string, Quota>,
    private readonly nowMs: () => number = () => performance.timeOrigin + performance.now(),
  ) {}

  /** Records `amount` of `kind` for (user, clientId) and answers the throttle it earns. */
  record(kind: QuotaKind, user: string, clientId: string, amount: number): Throttle {
    const quota = resolveQuota(this.quotas(), user, clientId);
    if (!quota) return { throttleMs: 0 };
    const rate = limitOf(quota.limits, kind);
    if (!(rate > 0)) return { throttleMs: 0 };
    const applied = entityKey({
      ...(quota.entity.user !== undefined ? { user: quota.entity.user === DEFAULT_ENTITY ? user : quota.entity.user } : {}),
      ...(quota.entity.clientId !== undefined
        ? { clientId: quota.entity.clientId === DEFAULT_ENTITY ? clientId : quota.entity.clientId }
        : {}),
    });
    const key = `${kind}|${applied}`;
    const now = this.nowMs();
    const capacity = rate * BURST_SECONDS;
    const bucket = this.buckets.get(key) ?? { tokens: capacity, atMs: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + (rate * Math.max(0, now - bucket.atMs)) / 1000) - amount;
    bucket.atMs = now;
    this.buckets.set(key, bucket);
    if (++this.recorded % SWEEP_EVERY === 0) this.sweep(now);
    return { throttleMs: bucket.tokens < 0 ? Math.ceil((-bucket.tokens / rate) * 1000) : 0, entity: applied };
  }

  /** Buckets held (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number): void {
    for (const [key, b] of this.buckets) if (now - b.atMs > IDLE_MS) this.buckets.delete(key);
  }
}
