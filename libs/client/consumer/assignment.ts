/**
 * The bookkeeping of a consumer's assigned partitions (pure: no I/O, no timers): for each one the
 * position (the next offset to deliver), where it starts while the position is not known yet,
 * whether it is paused, and a token.
 *
 * The token is how records fetched for an old position are kept from being delivered: every
 * fetcher (and every chunk it fetched) carries the token of its partition at the time it was
 * opened, and seek, pause and unassign give the partition a new token. A chunk is deliverable only
 * while its token is the partition's current one; tokens are never reused, also across a partition
 * being unassigned and assigned again.
 */
import { SamsaError } from '../../errors/index.js';
import { MAX_OFFSET } from '../../rpc/index.js';
import type { OffsetSpec } from './offset-spec.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** An offset, the oldest retained record, the end of the log (only new records), or the first record at or after a time. */
export type SeekTarget = number | 'earliest' | 'latest' | { timestampMs: number };

/**
 * Where a partition starts while its position is unknown: the group's committed offset (the
 * `reset` spec when there is none, or it is out of range), or a spec resolved on the leader.
 */
export type StartPoint =
  | { kind: 'committed'; reset: OffsetSpec }
  | { kind: 'spec'; spec: OffsetSpec }
  /** An offset known already (a group member's committed offset), or `reset` when it is no longer in the log. */
  | { kind: 'offset'; offset: number; reset: OffsetSpec };

export interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  /** The next offset to deliver; undefined until `start` is resolved. */
  position: number | undefined;
  /** Meaningful while `position` is undefined. */
  start: StartPoint;
  paused: boolean;
  token: number;
}

export const tpKey = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

export function checkTopicPartition(tp: TopicPartition): void {
  if (typeof tp.topic !== 'string' || tp.topic === '' || !Number.isInteger(tp.partition) || tp.partition < 0) {
    throw new SamsaError('INVALID_REQUEST', `not a topic partition: ${JSON.stringify(tp)} (a topic name and a partition number from 0)`);
  }
}

export function checkOffset(offset: number, what: string): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > MAX_OFFSET) {
    throw new SamsaError('INVALID_REQUEST', `${what}: offset must be an integer from 0 to 2^53-1, got ${offset}`);
  }
}

export class Assignment {
  private readonly states = new Map<string, PartitionState>();
  private lastToken = 0;

  /**
   * Replaces the assignment with `tps` (as Kafka's assign()): partitions that stay keep their
   * position and pause; new ones start at `start` (or at what it says for each). Returns the keys of
   * the partitions removed.
   */
  assign(tps: readonly TopicPartition[], start: StartPoint | ((tp: TopicPartition) => StartPoint)): string[] {
    for (const tp of tps) checkTopicPartition(tp);
    const wanted = new Map(tps.map((tp) => [tpKey(tp), tp]));
    const removed: string[] = [];
    for (const key of [...this.states.keys()]) {
      if (wanted.has(key)) continue;
      this.states.delete(key);
      removed.push(key);
    }
    for (const [key, tp] of wanted) {
      if (this.states.has(key)) continue;
      this.states.set(key, {
        topic: tp.topic,
        partition: tp.partition,
        key,
        position: undefined,
        start: typeof start === 'function' ? start(tp) : start,
        paused: false,
        token: ++this.lastToken,
      });
    }
    return removed;
  }

  /** The state of an assigned partition; INVALID_REQUEST when it is not assigned. */
  require(tp: TopicPartition): PartitionState {
    const state = this.states.get(tpKey(tp));
    if (!state) throw new SamsaError('INVALID_REQUEST', `${tp.topic}/${tp.partition} is not assigned to this consumer; assign() it first`);
    return state;
  }

  get(key: string): PartitionState | undefined {
    return this.states.get(key);
  }

  /** The next records delivered for the partition start at `target`. */
  seek(tp: TopicPartition, target: SeekTarget): PartitionState {
    const state = this.require(tp);
    if (typeof target === 'number') {
      checkOffset(target, `seek ${tp.topic}/${tp.partition}`);
      state.position = target;
    } else {
      if (typeof target === 'object' && (!Number.isSafeInteger(target.timestampMs) || target.timestampMs < 0)) {
        throw new SamsaError(
          'INVALID_REQUEST',
          `seek ${tp.topic}/${tp.partition}: timestamp must be ms since the epoch, got ${target.timestampMs}`,
        );
      }
      state.position = undefined;
      state.start = { kind: 'spec', spec: target };
    }
    state.token = ++this.lastToken;
    return state;
  }

  /** Returns the states that were not paused before. */
  pause(tps: readonly TopicPartition[]): PartitionState[] {
    const states = tps.map((tp) => this.require(tp));
    const changed = states.filter((s) => !s.paused);
    for (const s of changed) {
      s.paused = true;
      s.token = ++this.lastToken;
    }
    return changed;
  }

  resume(tps: readonly TopicPartition[]): void {
    for (const s of tps.map((tp) => this.require(tp))) s.paused = false;
  }

  /** Whether a record fetched under `token` may still be delivered. */
  deliverable(key: string, token: number): boolean {
    const state = this.states.get(key);
    return state !== undefined && state.token === token;
  }

  /** Records that `offset` was delivered: the position moves past it. False (and nothing changes) for a stale token. */
  delivered(key: string, token: number, offset: number): boolean {
    const state = this.states.get(key);
    if (!state || state.token !== token) return false;
    state.position = offset + 1;
    return true;
  }

  /** The start of the partition was resolved to `offset`; ignored when the partition was sought, paused or removed meanwhile. */
  resolved(key: string, token: number, offset: number): void {
    const state = this.states.get(key);
    if (state && state.token === token && state.position === undefined) state.position = offset;
  }

  /** Every assigned partition, in topic and partition order. */
  all(): PartitionState[] {
    return [...this.states.values()].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
  }

  /** Partitions that should be fetching: not paused, position known. */
  fetchable(): PartitionState[] {
    return this.all().filter((s) => !s.paused && s.position !== undefined);
  }

  /** Partitions whose start must be resolved before they can fetch. */
  unresolved(): PartitionState[] {
    return this.all().filter((s) => !s.paused && s.position === undefined);
  }

  /** The known positions, as offsets to commit. */
  positions(): { topic: string; partition: number; offset: number }[] {
    return this.all().flatMap((s) => (s.position === undefined ? [] : [{ topic: s.topic, partition: s.partition, offset: s.position }]));
  }
}
