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
 * Rejoining: a replica outside the ISR comes back once (a) its log end offset reaches the high
 * watermark and the start of the current leader epoch (so it holds everything committed, and
 * nothing from an older epoch that this leader truncated away), (b) it has actually fetched up to
 * the leader's log end in this epoch, recently (within replica.lag.time.max.ms: a follower cut off
 * after its last fetch is not "caught up" merely because an idle leader's end has not moved), and
 * (c) those fetches came from the incarnation of its broker that the controller has admitted (a
 * restarted process starts from nothing; its predecessor's position says nothing about its log).
 */

export interface FollowerProgress {
  /** The follower process's broker epoch these positions came from. */
  brokerEpoch: number | undefined;
  /** Next offset the follower wants (its LEO); undefined until it fetches under this epoch. */
  logEndOffset: number | undefined;
  /** Last time it was caught up; starts at the leader's takeover (grace for keeping members). */
  lastCaughtUpMs: number;
  /** Last time a real fetch of it reached the leader's log end (now or as of its previous fetch). */
  caughtUpFetchMs: number | undefined;
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
  /** The admitted incarnation of a live broker (see BrokerAdmission), undefined when it is not live and admitted. */
  admittedEpochOf: (brokerId: number) => number | undefined;
}

export class FollowerTracker {
  private readonly byId = new Map<number, FollowerProgress>();

  /**
   * Forgets every position (a new leader epoch: positions from before mean nothing) and starts
   * every follower's lag clock now, so none is dropped for time spent before this broker led.
   */
  reset(followers: readonly number[], nowMs: number): void {
    this.byId.clear();
    for (const id of followers) this.byId.set(id, fresh(undefined, nowMs));
  }

  /**
   * Records a fetch at `fetchOffset` by incarnation `brokerEpoch` of follower `id` while the
   * leader's LEO is `leaderEndOffset`. A fetch from another incarnation than the last one starts
   * the follower's record over (its lag clock keeps running: a restart is not "caught up").
   */
  onFetch(id: number, brokerEpoch: number, fetchOffset: number, leaderEndOffset: number, nowMs: number): void {
    let p = this.byId.get(id);
    if (!p || p.brokerEpoch !== brokerEpoch) {
      const since = p?.lastCaughtUpMs ?? nowMs;
      p = fresh(brokerEpoch, since);
      p.lastFetchMs = nowMs;
    }
    if (fetchOffset >= leaderEndOffset) {
      p.lastCaughtUpMs = nowMs;
      p.caughtUpFetchMs = nowMs;
    } else if (p.lastFetchLeaderEndOffset >= 0 && fetchOffset >= p.lastFetchLeaderEndOffset) {
      p.lastCaughtUpMs = Math.max(p.lastCaughtUpMs, p.lastFetchMs);
      p.caughtUpFetchMs = Math.max(p.caughtUpFetchMs ?? 0, p.lastFetchMs);
    }
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
      const p = this.byId.get(id);
      if (!p || p.logEndOffset === undefined || p.caughtUpFetchMs === undefined) return false;
      if (p.brokerEpoch === undefined || p.brokerEpoch !== input.admittedEpochOf(id)) return false;
      return nowMs - p.caughtUpFetchMs <= lagTimeMaxMs && p.logEndOffset >= input.highWatermark && p.logEndOffset >= input.epochStartOffset;
    });
    if (!keep.includes(self)) keep.push(self);
    const next = replicas.filter((id) => keep.includes(id) || join.includes(id));
    const same = next.length === isr.length && next.every((id) => isr.includes(id));
    return same ? undefined : next;
  }
}

function fresh(brokerEpoch: number | undefined, sinceMs: number): FollowerProgress {
  return {
    brokerEpoch,
    logEndOffset: undefined,
    lastCaughtUpMs: sinceMs,
    caughtUpFetchMs: undefined,
    lastFetchLeaderEndOffset: -1,
    lastFetchMs: sinceMs,
  };
}
