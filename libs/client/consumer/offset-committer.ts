/**
 * Commit batching for a consumer's offsets (pure: the request is a function passed in).
 *
 * At most one commit request is in flight. Offsets asked for meanwhile are coalesced, the newest
 * per partition winning, and go in one request once the current one is answered; everyone who
 * asked is answered by the request that carried their offsets. An offset equal to the last one
 * committed for its partition (same metadata), and not superseded by a pending one, is not sent
 * again: an idle consumer's auto-commit costs nothing.
 *
 * A failed request rejects the commits it carried and forgets them (the caller decides: auto-commit
 * commits the positions again on its next tick). Not safe for concurrent use from several threads;
 * any number of callers on the event loop is fine.
 */

export interface OffsetCommit {
  topic: string;
  partition: number;
  /** The next offset to read (last processed + 1), as in Kafka. */
  offset: number;
  metadata: string;
}

const keyOf = (c: { topic: string; partition: number }): string => `${c.topic}\u0000${c.partition}`;

export class OffsetCommitter {
  private readonly pending = new Map<string, OffsetCommit>();
  private readonly acked = new Map<string, OffsetCommit>();
  private inFlight: Promise<void> | undefined;
  /** The request that will carry what is pending now; created by the first commit after a send starts. */
  private queued: Promise<void> | undefined;
  private requests = 0;

  constructor(private readonly send: (offsets: OffsetCommit[]) => Promise<void>) {}

  /** Resolves when `offsets` (or newer offsets of the same partitions) are committed. */
  commit(offsets: readonly OffsetCommit[]): Promise<void> {
    for (const o of offsets) {
      const key = keyOf(o);
      const done = this.acked.get(key);
      if (!this.pending.has(key) && done && done.offset === o.offset && done.metadata === o.metadata) continue;
      this.pending.set(key, { topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata });
    }
    if (this.pending.size === 0) return this.inFlight?.catch(() => undefined) ?? Promise.resolve();
    return (this.queued ??= this.sendAfterCurrent());
  }

  /** The last offset acknowledged for each partition. */
  committed(): OffsetCommit[] {
    return [...this.acked.values()];
  }

  /** How many requests were sent. */
  get requestCount(): number {
    return this.requests;
  }

  private async sendAfterCurrent(): Promise<void> {
    // Always yields once, so commits asked for in the same tick share this request.
    await this.inFlight?.catch(() => undefined);
    this.queued = undefined;
    const batch = [...this.pending.values()];
    this.pending.clear();
    if (batch.length === 0) return;
    this.requests++;
    const request = this.send(batch).then(() => {
      for (const o of batch) this.acked.set(keyOf(o), o);
    });
    this.inFlight = request;
    try {
      await request;
    } finally {
      if (this.inFlight === request) this.inFlight = undefined;
    }
  }
}
