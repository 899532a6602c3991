/**
 * The leader's view of its followers: how far each has fetched and when it was last caught up, and
 * from that which ISR the leader should ask for. Pure (time is passed in), so the ISR rules are
 * unit-tested without processes.
 *
 * Caught up (Kafka's rule, from ReplicaManager/Partition.updateFollowerFetchState): a fetch at or
 * beyond the leader's log end offset means caught up now; a fetch that reaches the log end offset
 * the leader had at the previous fetch means caught up as of that previous fetch. A follower that
 * has not been caught up for longer than replica.lag.time.max.ms leaves the ISR, whether it is
 * slow or has stopped fetching altogether (paused, partitioned).
 *
 * Rejoining: a replica outside the ISR comes back once its log end offset reaches the high
 * watermark and the start of the current leader epoch (so it holds everything committed, and
 * nothing from an older epoch that this leader truncated away), and its broker is alive.
 */

export interface FollowerProgress {
  /** Next offset the follower wants (its LEO); undefined until it fetches under this epoch. */
  logEndOffset: number | undefined;
  lastCaughtUpMs: number;
  lastFetchLeaderEndOffset: number;
  lastFetchMs: number;
}

export interface IsrInputs {
  self: number;
  replicas: readonly number[];
  isr: readonly number[];
  highWatermark: number;
  /** LEO when this broker became leader of the current epoch. */
  epochStartOffset: number;
  nowMs: number;
  lagTimeMaxMs: number;
  isAlive: (brokerId: number) => boolean;
}

export class FollowerTracker {
  private readonly byId = new Map<number, FollowerProgress>();

  /**
   * Forgets every position (a new leader epoch: positions from before mean nothing) and starts
   * every follower's lag clock now, so none is dropped for time spent before this broker led.
   */
  reset(followers: readonly number[], nowMs: number): void {
    this.byId.clear();
    for (const id of followers) this.byId.set(id, { logEndOffset: undefined, lastCaughtUpMs: nowMs, lastFetchLeaderEndOffset: -1, lastFetchMs: nowMs });
  }

  /** Records a fetch at `fetchOffset` while the leader's LEO is `leaderEndOffset`. */
  onFetch(id: number, fetchOffset: number, leaderEndOffset: number, nowMs: number): void {
    const p = this.byId.get(id) ?? { logEndOffset: undefined, lastCaughtUpMs: nowMs, lastFetchLeaderEndOffset: -1, lastFetchMs: nowMs };
    if (fetchOffset >= leaderEndOffset) p.lastCaughtUpMs = nowMs;
    else if (fetchOffset >= p.lastFetchLeaderEndOffset) p.lastCaughtUpMs = Math.max(p.lastCaughtUpMs, p.lastFetchMs);
    p.logEndOffset = fetchOffset;
    p.lastFetchLeaderEndOffset = leaderEndOffset;
    p.lastFetchMs = nowMs;
    this.byId.set(id, p);
  }

  endOffset(id: number): number | undefined {
    return this.byId.get(id)?.logEndOffset;
  }

  progress(id: number): Readonly<FollowerProgress> | undefined {
    return this.byId.get(id);
  }

  /**
   * The ISR the leader should ask for, or undefined when the current one is right. Lagging
   * members leave and caught-up replicas join in one proposal; the leader always stays.
   */
  proposeIsr(input: IsrInputs): number[] | undefined {
    const { self, replicas, isr, nowMs, lagTimeMaxMs } = input;
    const keep = isr.filter((id) => {
      if (id === self) return true;
      const p = this.byId.get(id);
      // A member this leader has never heard of since it took over gets the lag time to show up.
      return p !== undefined && nowMs - p.lastCaughtUpMs <= lagTimeMaxMs;
    });
    const join = replicas.filter((id) => {
      if (id === self || isr.includes(id)) return false;
      const end = this.byId.get(id)?.logEndOffset;
      return end !== undefined && end >= input.highWatermark && end >= input.epochStartOffset && input.isAlive(id);
    });
    if (!keep.includes(self)) keep.push(self);
    const next = replicas.filter((id) => keep.includes(id) || join.includes(id));
    const same = next.length === isr.length && next.every((id) => isr.includes(id));
    return same ? undefined : next;
  }
}
