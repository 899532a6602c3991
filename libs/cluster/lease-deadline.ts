/**
 * When a process must take its own etcd lease as gone, by the lease's own TTL on this process's
 * clock, not by the etcd3 client's 'lost' event (which fires only after a keep-alive stream has
 * failed and 2 x TTL have passed since the last answer: 2-3 TTLs after the last renewal, by which
 * time a successor may have held the role for a whole TTL). Pure: time is passed in;
 * lease-watch.ts wires it to a Lease and a timer (in-thread), the keep-alive thread to shared memory.
 *
 * The rule. etcd renews a lease for TTL from the moment it handles a keep-alive, which is no
 * earlier than when this process sent it. So a keep-alive sent at `s` and answered keeps the lease
 * until at least `s + TTL`, and no later can this process be sure of it. The deadline is the latest
 * `s + TTL - margin` over answered keep-alives (before any answer: the grant's request time + TTL -
 * margin). The margin covers this process's own reaction: a timer that fires late on a busy event
 * loop. etcd's lessor checks expiries every 500 ms and the successor's election comes after that,
 * so with the margin this process steps down before anyone can be elected in its place.
 *
 * Keep-alives are answered in order on one stream, so an answer belongs to the oldest one not yet
 * answered; when the client opens a new stream, what was sent on the old one is forgotten (never
 * answered). An answer with nothing to pair with extends nothing: not knowing when it was sent, it
 * proves nothing. The TTL an answer carries is the one etcd renewed for (the smaller of it and the
 * TTL asked is used); 0 means etcd no longer knows the lease, which ends it at once.
 */

/** Margin below the TTL: a sixth of it, at most 1 s (3 s TTL: 500 ms; 10 s TTL: 1 s). */
export function leaseMarginMs(ttlSeconds: number): number {
  return Math.min(1_000, Math.floor((ttlSeconds * 1_000) / 6));
}

export class LeaseDeadline {
  /** Send times of keep-alives on the current stream not answered yet, oldest first. */
  private unanswered: number[] = [];
  private deadlineMs: number;
  private gone = false;

  constructor(
    private readonly ttlSeconds: number,
    /** When the grant was asked for: the lease cannot be counted on past that + TTL unless renewed. */
    grantRequestedAtMs: number,
    private readonly marginMs = leaseMarginMs(ttlSeconds),
  ) {
    this.deadlineMs = grantRequestedAtMs + ttlSeconds * 1_000 - marginMs;
  }

  /** The instant (ms, the clock passed in) from which the lease is taken as gone. */
  get expiresAtMs(): number {
    return this.gone ? Number.NEGATIVE_INFINITY : this.deadlineMs;
  }

  /** True once `nowMs` has reached the deadline, or etcd said the lease is gone. */
  expired(nowMs: number): boolean {
    return this.gone || nowMs >= this.deadlineMs;
  }

  /** A keep-alive was sent at `nowMs`. */
  keepaliveSent(nowMs: number): void {
    this.unanswered.push(nowMs);
  }

  /** The client opened a new keep-alive stream: nothing sent on the old one will be answered. */
  streamRestarted(): void {
    this.unanswered = [];
  }

  /** The oldest unanswered keep-alive was answered with `ttlSeconds` (etcd's answer; 0: no such lease). */
  keepaliveAnswered(ttlSeconds: number): void {
    const sentAt = this.unanswered.shift();
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
      this.gone = true;
      return;
    }
    if (sentAt === undefined) return;
    const until = sentAt + Math.min(ttlSeconds, this.ttlSeconds) * 1_000 - this.marginMs;
    // Never moves back (an answer to an older keep-alive after a newer one cannot shorten it).
    if (until > this.deadlineMs) this.deadlineMs = until;
  }
}
