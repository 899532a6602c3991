/**
 * Incremental fetch sessions on a Replicate stream (Kafka's KIP-227 without session ids: the
 * stream is the session; docs/adr/0058-replicate-stream-sessions.md). Both ends hold the same map,
 * partition -> the follower's last sent position, so a request needs to carry only the positions
 * that changed and the partitions that left; at rest (nothing produced) a request carries none.
 *
 * FollowerSession (leader-fetcher.ts) turns the positions the follower wants asked this round into
 * that change, and remembers what the leader then holds. LeaderSession (the broker's Replicate
 * handler) applies a request to what it holds, so the leader checks and answers exactly the
 * positions a full request would have listed. Both are plain maps with no I/O: the property test
 * (test/unit/replica-sync/fetch-session.test.ts) runs them against full requests.
 *
 * Why this is the same protocol: after every request, LeaderSession's map equals the set of
 * positions the follower would have listed in a full request that round (same keys, same values),
 * and the leader runs every check of every held position each exchange. A stream that breaks
 * takes both maps with it: the follower's next stream starts from an empty map, so its first
 * request lists everything.
 */
import type { v1 } from '../rpc/index.js';

/** A position as both ends hold it (every field set). */
export type HeldPosition = v1.ReplicaPartitionPosition__Output;

export function positionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

interface FollowerHeld {
  position: HeldPosition;
  /** The round that last wanted it; older: forgotten at the end of this round. */
  round: number;
}

/** The request fields of one round of an incremental session. */
export interface SessionRequestFields {
  incremental: true;
  partitions: HeldPosition[];
  forgotten: v1.ReplicaPartitionRef[];
}

/**
 * The follower's half of one stream's session. Per request: begin(), want() for every position to
 * be asked this round (in any order; each partition at most once), then end() for the request's
 * fields. A partition not wanted in a round (no longer followed here, or set aside after a
 * refusal) is forgotten by the leader, and sent in full when wanted again.
 */
export class FollowerSession {
  private readonly held = new Map<string, FollowerHeld>();
  private round = 0;
  private changed: HeldPosition[] = [];
  private wanted = 0;

  /** What the leader holds after the last request made on this session: what its answer is about. */
  position(key: string): HeldPosition | undefined {
    return this.held.get(key)?.position;
  }

  get size(): number {
    return this.held.size;
  }

  begin(): void {
    this.round += 1;
    this.changed = [];
    this.wanted = 0;
  }

  want(
    key: string,
    topic: string,
    partition: number,
    fetchOffset: number,
    lastFetchedEpoch: number,
    currentLeaderEpoch: number,
    maxBytes: number,
  ): void {
    this.wanted += 1;
    const held = this.held.get(key);
    if (held) {
      held.round = this.round;
      const p = held.position;
      if (
        p.fetchOffset === fetchOffset &&
        p.lastFetchedEpoch === lastFetchedEpoch &&
        p.currentLeaderEpoch === currentLeaderEpoch &&
        p.maxBytes === maxBytes
      )
        return;
    }
    const position: HeldPosition = { topic, partition, fetchOffset, lastFetchedEpoch, currentLeaderEpoch, maxBytes };
    if (held) held.position = position;
    else this.held.set(key, { position, round: this.round });
    this.changed.push(position);
  }

  /** Partitions wanted this round (0: nothing to ask). */
  get wantedCount(): number {
    return this.wanted;
  }

  /** Ends the round: what changed since the last request, and what the leader should forget. */
  end(): SessionRequestFields {
    const forgotten: v1.ReplicaPartitionRef[] = [];
    if (this.held.size > this.wanted) {
      for (const [key, held] of this.held) {
        if (held.round === this.round) continue;
        this.held.delete(key);
        forgotten.push({ topic: held.position.topic, partition: held.position.partition });
      }
    }
    const partitions = this.changed;
    this.changed = [];
    return { incremental: true, partitions, forgotten };
  }
}

/** What the leader holds per partition of one stream, and what it found for it last time. */
export interface LeaderHeld<P> {
  position: HeldPosition;
  /** The replica this position was last checked against (reused while it stays hosted). */
  partition: P | undefined;
}

/**
 * The leader's half of one stream's session: the positions it answers about every exchange.
 * apply() takes a request (incremental or full); held() gives every held position, starting one
 * further along each call, so with a tight byte budget every partition gets to go first in turn.
 */
export class LeaderSession<P> {
  private readonly byKey = new Map<string, LeaderHeld<P>>();
  private rotation = 0;

  get size(): number {
    return this.byKey.size;
  }

  apply(request: Pick<v1.ReplicaFetchRequest__Output, 'incremental' | 'partitions' | 'forgotten'>): void {
    if (!request.incremental) this.byKey.clear();
    else for (const ref of request.forgotten) this.byKey.delete(positionKey(ref.topic, ref.partition));
    for (const position of request.partitions) {
      const key = positionKey(position.topic, position.partition);
      const held = this.byKey.get(key);
      if (held) held.position = position;
      else this.byKey.set(key, { position, partition: undefined });
    }
  }

  held(): LeaderHeld<P>[] {
    const all = [...this.byKey.values()];
    if (all.length < 2) return all;
    this.rotation = (this.rotation + 1) % all.length;
    return this.rotation === 0 ? all : [...all.slice(this.rotation), ...all.slice(0, this.rotation)];
  }

  /** The held positions by partition (tests: compared with what a full request lists). */
  positions(): Map<string, HeldPosition> {
    return new Map([...this.byKey].map(([k, h]) => [k, h.position]));
  }
}
