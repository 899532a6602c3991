/**
 * Why one file (~560 lines): handing out, answers, readers, dead letters and the write-ahead of
 * durable state all act on the same members and partition table, in one event loop; the pure
 * per-partition state is share-partition.ts, the owner's writer share-groups.ts.
 *
 * One share group on its coordinator (issue 20, ADR 0049): its members, and per partition of its
 * topics a {@link SharePartition} fed by a reader that follows the partition's leader. Transport-
 * free: the ShareConsume stream (services/coordinator/share-consume.ts) adds members and hands in
 * their answers; records go out through each member's {@link ShareMemberConnection}.
 *
 * Handing out (`pump`): one pass over each partition's window per change; each record available
 * goes to the next member in turn with room for it (its records and bytes limits minus what it
 * holds), the first member changing every pass. So records spread over the members instead of
 * going to whoever joined first, and a member at its limit gets nothing more until it answers or
 * its leases run out.
 *
 * Reading: each partition's reader keeps at most WINDOW records from the start offset in memory
 * (Kafka's share-partition record-lock limit); past that it waits until the start offset moves.
 *
 * Dead letters: a rejected record, or one delivered max attempts times that comes back, is produced
 * to the dead-letter topic (acks=all, idempotent) and only then archived (counted done). A failed
 * produce is retried every second while the group lives; the record is not delivered meanwhile.
 *
 * Durability (ADR 0053): what must survive a failover (SharePartition.snapshot) is written by the
 * owner (`deps.persist`, share-groups.ts) before it is acted on outside: a delivery is sent only
 * after a write holding its delivery count has succeeded, and a member's answers are confirmed
 * (`committed(sequence)`) only after a write holding their effect has. `takeWrite()` gives the
 * owner what to write and a token; `written(token)` or `writeFailed(token)` completes it. Without
 * `persist`, deliveries go out at once and answers are confirmed at once (nothing is durable).
 *
 * Time: leases and delayed releases run on the injected Clock; one timer per group, armed at the
 * next lease expiry, delayed release or member session deadline. Single event loop; not thread-safe.
 */
import { SamsaError, toSamsaError } from '../errors/index.js';
import type { Logger } from '../telemetry/index.js';
import type { Clock } from '../runtime/index.js';
import { tpKey, type TopicPartition } from './assignors.js';
import {
  SharePartition,
  type DeadLetter,
  type DeadLetterReason,
  type ShareConfig,
  type ShareTaker,
  type StoredShareState,
} from './share-partition.js';

/** What a share group needs of a record. */
export interface ShareSourceRecord {
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export interface ShareRecordSource<R extends ShareSourceRecord> {
  partition(options: { topic: string; partition: number; from: { offset: number } | 'earliest' | 'latest'; follow: true }): {
    chunks(): AsyncIterable<readonly R[]>;
    close(): void;
  };
}

export interface DeadLetterSink<R> {
  /** Resolves once the record is durably in the dead-letter topic. */
  send(groupId: string, topic: string, tp: TopicPartition, record: R, reason: DeadLetterReason, deliveryCount: number): Promise<void>;
}

export interface ShareMemberConnection<R> {
  /** Records now held by the member. Written without waiting: the member's limits bound what is outstanding. */
  send(tp: TopicPartition, records: readonly { record: R; deliveryCount: number }[]): void;
  /** Every answer the member sent with a sequence up to `sequence` has taken effect durably. */
  committed(sequence: number): void;
  /** The group removed the member (session timeout, the group closing): end its stream with `reason`. */
  removed(reason: SamsaError): void;
}

export interface ShareGroupConfig extends ShareConfig {
  deadLetterTopic: string;
  reset: 'earliest' | 'latest';
}

export interface ShareMemberLimits {
  records: number;
  bytes: number;
}

export type ShareAnswer =
  | { type: 'accept'; tp: TopicPartition; from: number; to: number }
  | { type: 'release'; tp: TopicPartition; from: number; to: number; delayMs: number }
  | { type: 'reject'; tp: TopicPartition; from: number; to: number }
  | { type: 'extend'; tp: TopicPartition; from: number; to: number };

export interface ShareGroupDeps<R extends ShareSourceRecord> {
  source: ShareRecordSource<R>;
  deadLetters: DeadLetterSink<R>;
  /** Partition count of a topic; undefined when it does not exist. */
  partitionCount(topic: string): number | undefined;
  /** Where a partition starts (the stored start offset and snapshot, if any; else `reset`). */
  startOffset(tp: TopicPartition): { offset: number; stored: StoredShareState | undefined } | undefined;
  /** Durable state changed, or deliveries or confirmations wait for a write: the owner calls takeWrite() (module comment). */
  persist?: () => void;
  clock: Clock;
  logger: Logger;
}

export interface ShareGroupCounts {
  members: number;
  available: number;
  inFlight: number;
  acked: number;
  deadLettered: number;
}

/** One partition's durable state to write (share-groups.ts stores it as the group's committed offset). */
export interface SharePartitionWrite {
  tp: TopicPartition;
  startOffset: number;
  state: StoredShareState;
}

/** What a write carries out when it succeeds: the deliveries and confirmations waiting on it. */
export interface ShareWriteToken<R> {
  readonly deliveries: readonly PendingDelivery<R>[];
  readonly confirms: readonly { memberId: string; sequence: number }[];
  readonly parts: readonly string[];
}

interface PendingDelivery<R> {
  memberId: string;
  part: Part<R>;
  records: { record: R; deliveryCount: number }[];
}

/** Records a partition's reader keeps from the start offset on, at most. */
export const WINDOW = 2_000;
const RETRY_MS = 1_000;

interface Member<R> {
  id: string;
  topics: ReadonlySet<string>;
  limits: ShareMemberLimits;
  sessionTimeoutMs: number;
  lastSeenMs: number;
  /** Records it holds: key `tp\0offset` -> bytes. */
  held: Map<string, { tp: TopicPartition; offset: number; bytes: number }>;
  heldBytes: number;
  connection: ShareMemberConnection<R>;
}

interface Part<R> {
  tp: TopicPartition;
  state: SharePartition;
  records: Map<number, R>;
  stream: { close(): void } | undefined;
  /** Resolves the reader's wait for room in the window. */
  wake: (() => void) | undefined;
  /** Its durable state changed since the last write taken. */
  dirty: boolean;
}

const sizeOf = (r: ShareSourceRecord): number => (r.value?.length ?? 0) + (r.key?.length ?? 0);

export class ShareGroup<R extends ShareSourceRecord> {
  private readonly members = new Map<string, Member<R>>();
  private readonly parts = new Map<string, Part<R>>();
  private timer: NodeJS.Timeout | undefined;
  private readonly retries = new Set<NodeJS.Timeout>();
  private closed = false;
  private turn = 0;
  /** Deliveries and confirmations waiting for the next write (module comment). */
  private deliveries: PendingDelivery<R>[] = [];
  private confirms: { memberId: string; sequence: number }[] = [];

  constructor(
    readonly groupId: string,
    readonly config: ShareGroupConfig,
    private readonly deps: ShareGroupDeps<R>,
  ) {}

  get size(): number {
    return this.members.size;
  }

  /** Adds a member reading `topics` (each must exist); records start flowing to it at once. */
  join(
    memberId: string,
    topics: readonly string[],
    limits: ShareMemberLimits,
    sessionTimeoutMs: number,
    connection: ShareMemberConnection<R>,
  ): void {
    for (const topic of topics)
      if (this.deps.partitionCount(topic) === undefined)
        throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${topic}" does not exist`);
    this.members.set(memberId, {
      id: memberId,
      topics: new Set(topics),
      limits,
      sessionTimeoutMs,
      lastSeenMs: this.deps.clock.nowMs(),
      held: new Map(),
      heldBytes: 0,
      connection,
    });
    for (const topic of topics) this.ensureReaders(topic);
    this.pump();
  }

  /** The topics' partition counts may have grown: read the new partitions (from `reset`, as for any partition without state). */
  topicsChanged(): void {
    if (this.closed) return;
    const topics = new Set([...this.members.values()].flatMap((m) => [...m.topics]));
    const before = this.parts.size;
    for (const topic of topics) this.ensureReaders(topic);
    if (this.parts.size === before) return;
    this.deps.logger.info(
      { groupId: this.groupId, partitions: this.parts.size - before },
      'share group reads partitions added to its topics',
    );
    this.pump();
  }

  /** The member spoke (any message). */
  touch(memberId: string): void {
    const m = this.members.get(memberId);
    if (m) m.lastSeenMs = this.deps.clock.nowMs();
  }

  /** The member left or its stream ended: what it holds is available again. */
  leave(memberId: string): void {
    if (!this.members.delete(memberId)) return;
    for (const p of this.parts.values()) p.state.memberGone(memberId);
    this.pump();
  }

  /**
   * The member's answers, applied in order; answers for records it does not hold are ignored. With
   * a `sequence` (> 0), the member is told `committed(sequence)` once their effect is durable.
   */
  answer(memberId: string, answers: readonly ShareAnswer[], sequence = 0): void {
    const m = this.members.get(memberId);
    if (!m) return;
    m.lastSeenMs = this.deps.clock.nowMs();
    for (const a of answers) {
      const p = this.parts.get(tpKey(a.tp));
      if (!p) continue;
      const to = a.to < a.from ? a.from : a.to;
      if (a.type === 'accept') {
        if (p.state.ack(memberId, a.from, to) > 0) p.dirty = true;
      } else if (a.type === 'release') p.state.release(memberId, a.from, to, a.delayMs);
      else if (a.type === 'extend') p.state.extend(memberId, a.from, to);
      else {
        const letters = p.state.reject(memberId, a.from, to);
        if (letters.length > 0) p.dirty = true;
        this.deadLetter(p, letters);
      }
    }
    if (sequence > 0) {
      if (this.deps.persist) this.confirms.push({ memberId, sequence });
      else m.connection.committed(sequence);
    }
    this.afterChange();
  }

  /**
   * What the next write holds: the durable state of every partition changed since the last write
   * taken, and the token of the deliveries and confirmations that wait for it. undefined when
   * there is nothing to write and nothing waits.
   */
  takeWrite(): { writes: SharePartitionWrite[]; token: ShareWriteToken<R> } | undefined {
    const writes: SharePartitionWrite[] = [];
    const parts: string[] = [];
    for (const [key, p] of this.parts) {
      if (!p.dirty) continue;
      p.dirty = false;
      parts.push(key);
      const { acked, deadLettered } = p.state.counts();
      writes.push({ tp: p.tp, startOffset: p.state.startOffset, state: { runs: p.state.snapshot(), acked, deadLettered } });
    }
    if (writes.length === 0 && this.deliveries.length === 0 && this.confirms.length === 0) return undefined;
    const token: ShareWriteToken<R> = { deliveries: this.deliveries, confirms: this.confirms, parts };
    this.deliveries = [];
    this.confirms = [];
    return { writes, token };
  }

  /** The write of `token` succeeded: its deliveries go out (those still held) and its confirmations too. */
  written(token: ShareWriteToken<R>): void {
    if (this.closed) return;
    for (const d of token.deliveries) {
      const m = this.members.get(d.memberId);
      if (!m) continue;
      // Still this member's (not expired, the member did not leave and come back meanwhile).
      const held = d.records.filter((r) => {
        const s = d.part.state.stateOf(r.record.offset);
        return s?.state === 'acquired' && s.member === m.id;
      });
      if (held.length > 0) m.connection.send(d.part.tp, held);
    }
    for (const c of token.confirms) this.members.get(c.memberId)?.connection.committed(c.sequence);
  }

  /** The write of `token` failed: its partitions are to be written again, and what waited on it waits for that write. */
  writeFailed(token: ShareWriteToken<R>): void {
    if (this.closed) return;
    for (const key of token.parts) {
      const p = this.parts.get(key);
      if (p) p.dirty = true;
    }
    this.deliveries = [...token.deliveries, ...this.deliveries];
    this.confirms = [...token.confirms, ...this.confirms];
  }

  counts(): ShareGroupCounts {
    const out: ShareGroupCounts = { members: this.members.size, available: 0, inFlight: 0, acked: 0, deadLettered: 0 };
    for (const p of this.parts.values()) {
      const c = p.state.counts();
      out.available += c.available;
      out.inFlight += c.inFlight;
      out.acked += c.acked;
      out.deadLettered += c.deadLettered;
    }
    return out;
  }

  /** Acked, dead-lettered and leases run out since this group was made here (for metrics). */
  activity(): { acked: number; deadLettered: number; leaseExpiries: number } {
    const out = { acked: 0, deadLettered: 0, leaseExpiries: 0 };
    for (const p of this.parts.values()) {
      const a = p.state.activity();
      out.acked += a.acked;
      out.deadLettered += a.deadLettered;
      out.leaseExpiries += a.leaseExpiries;
    }
    return out;
  }

  /** Per partition: the start offset (everything below it is acked or dead-lettered). */
  startOffsets(): { tp: TopicPartition; offset: number }[] {
    return [...this.parts.values()].map((p) => ({ tp: p.tp, offset: p.state.startOffset }));
  }

  /** Ends every member's stream with `reason` and stops reading. */
  close(reason: SamsaError): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    for (const t of this.retries) clearTimeout(t);
    this.retries.clear();
    for (const p of this.parts.values()) {
      p.stream?.close();
      p.wake?.();
    }
    const members = [...this.members.values()];
    this.members.clear();
    for (const m of members) m.connection.removed(reason);
  }

  private ensureReaders(topic: string): void {
    const n = this.deps.partitionCount(topic) ?? 0;
    for (let partition = 0; partition < n; partition++) {
      const tp = { topic, partition };
      if (this.parts.has(tpKey(tp))) continue;
      const start = this.deps.startOffset(tp);
      const part: Part<R> = {
        tp,
        state: new SharePartition(start?.offset ?? 0, this.config, this.deps.clock, start?.stored?.runs, start?.stored),
        records: new Map(),
        stream: undefined,
        wake: undefined,
        dirty: false,
      };
      this.parts.set(tpKey(tp), part);
      this.read(part, start === undefined ? this.config.reset : { offset: start.offset });
    }
  }

  /** Follows the partition, appending to its state while the window has room; restarts after a failure. */
  private read(part: Part<R>, from: { offset: number } | 'earliest' | 'latest'): void {
    if (this.closed) return;
    const stream = this.deps.source.partition({ topic: part.tp.topic, partition: part.tp.partition, from, follow: true });
    part.stream = stream;
    const run = async (): Promise<void> => {
      let first = true;
      for await (const chunk of stream.chunks()) {
        if (this.closed) return;
        const head = chunk[0];
        // The log's first offset when the group started at earliest/latest (nothing was appended yet).
        if (first && head !== undefined && part.state.size === 0 && part.state.endOffset < head.offset && typeof from === 'string')
          part.state = new SharePartition(head.offset, this.config, this.deps.clock);
        first = false;
        for (const r of chunk) if (r.offset >= part.state.endOffset) part.records.set(r.offset, r);
        const before = part.state.startOffset;
        const again = part.state.append(
          chunk.map((r) => ({ offset: r.offset, key: r.key ? r.key.toString('latin1') : undefined, bytes: sizeOf(r) })),
        );
        // A restored snapshot: records done before the failover move the start; dead letters not yet sent go again.
        if (part.state.startOffset !== before) part.dirty = true;
        this.deadLetter(part, again);
        if (part.dirty) this.afterChange();
        else this.pump();
        while (!this.closed && part.state.size >= WINDOW) await new Promise<void>((resolve) => (part.wake = resolve));
        part.wake = undefined;
      }
    };
    run().catch((err: unknown) => {
      if (this.closed || part.stream !== stream) return;
      this.deps.logger.warn(
        { err, groupId: this.groupId, topic: part.tp.topic, partition: part.tp.partition },
        'reading a share-group partition failed; reading again in a second',
      );
      stream.close();
      this.later(() => this.read(part, { offset: part.state.endOffset }));
    });
  }

  private later(f: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.retries.delete(t);
      if (!this.closed) f();
    }, RETRY_MS);
    this.retries.add(t);
  }

  /** After answers or time passing: drop what is done from memory, wake readers, hand out more. */
  private afterChange(): void {
    for (const p of this.parts.values()) {
      for (const offset of p.records.keys()) {
        if (offset >= p.state.startOffset) break;
        p.records.delete(offset);
      }
      if (p.state.size < WINDOW) p.wake?.();
    }
    this.pump();
    if (this.deps.persist && [...this.parts.values()].some((p) => p.dirty)) this.deps.persist();
  }

  /** Hands available records to members with room, in turns (module comment); then re-arms the timer. */
  private pump(): void {
    if (this.closed) return;
    this.reconcile();
    const members = [...this.members.values()];
    const parts = [...this.parts.values()];
    const out = new Map<Member<R>, Map<Part<R>, { record: R; deliveryCount: number }[]>>();
    if (members.length > 0) {
      for (let j = 0; j < parts.length; j++) {
        const p = parts[(this.turn + j) % parts.length] as Part<R>;
        const takers: ShareTaker[] = [];
        const byId = new Map<string, Member<R>>();
        for (let i = 0; i < members.length; i++) {
          const m = members[(this.turn + i) % members.length] as Member<R>;
          const records = m.limits.records - m.held.size;
          const bytes = m.limits.bytes - m.heldBytes;
          if (!m.topics.has(p.tp.topic) || records <= 0 || (bytes <= 0 && m.held.size > 0)) continue;
          // One record larger than the byte limit still goes to a member that holds nothing.
          takers.push({ member: m.id, records, bytes: Math.max(1, bytes), strictBytes: m.held.size > 0 });
          byId.set(m.id, m);
        }
        if (takers.length === 0) continue;
        const { acquired, deadLetter } = p.state.acquireFor(takers);
        if (acquired.length > 0 || deadLetter.length > 0) p.dirty = true;
        this.deadLetter(p, deadLetter);
        for (const d of acquired) {
          const m = byId.get(d.member) as Member<R>;
          const record = p.records.get(d.offset) as R;
          const size = sizeOf(record);
          m.held.set(`${tpKey(p.tp)}\u0000${d.offset}`, { tp: p.tp, offset: d.offset, bytes: size });
          m.heldBytes += size;
          let forMember = out.get(m);
          if (!forMember) out.set(m, (forMember = new Map()));
          const list = forMember.get(p) ?? [];
          forMember.set(p, list);
          list.push({ record, deliveryCount: d.deliveryCount });
        }
      }
      this.turn++;
    }
    for (const [m, byPart] of out)
      for (const [p, list] of byPart) {
        // Durable first (module comment): the delivery counts are written before the records go out.
        if (this.deps.persist) this.deliveries.push({ memberId: m.id, part: p, records: list });
        else m.connection.send(p.tp, list);
      }
    if (this.deps.persist && (this.deliveries.length > 0 || this.confirms.length > 0)) this.deps.persist();
    this.arm();
  }

  /** Drops from each member's held set what it no longer holds (answered, expired, dead-lettered). */
  private reconcile(): void {
    for (const p of this.parts.values()) p.state.expire();
    for (const m of this.members.values()) {
      for (const [key, h] of m.held) {
        const s = this.parts.get(tpKey(h.tp))?.state.stateOf(h.offset);
        if (s?.state === 'acquired' && s.member === m.id) continue;
        m.held.delete(key);
        m.heldBytes -= h.bytes;
      }
    }
  }

  private deadLetter(p: Part<R>, letters: readonly DeadLetter[]): void {
    for (const d of letters) this.sendDeadLetter(p, d);
  }

  private sendDeadLetter(p: Part<R>, d: DeadLetter): void {
    const record = p.records.get(d.offset);
    if (!record || this.closed) return;
    this.deps.deadLetters.send(this.groupId, this.config.deadLetterTopic, p.tp, record, d.reason, d.deliveryCount).then(
      () => {
        if (this.closed) return;
        p.state.deadLettered(d.offset);
        p.dirty = true;
        this.afterChange();
      },
      (err: unknown) => {
        this.deps.logger.warn(
          { err: toSamsaError(err), groupId: this.groupId, topic: p.tp.topic, partition: p.tp.partition, offset: d.offset },
          'producing to the dead-letter topic failed; trying again in a second',
        );
        this.later(() => this.sendDeadLetter(p, d));
      },
    );
  }

  /** One timer: the next lease expiry, delayed release, or member session deadline. */
  private arm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed) return;
    let next: number | undefined;
    for (const p of this.parts.values()) {
      const at = p.state.nextChange();
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    for (const m of this.members.values()) {
      const at = m.lastSeenMs + m.sessionTimeoutMs;
      if (next === undefined || at < next) next = at;
    }
    if (next === undefined) return;
    this.timer = setTimeout(() => this.tick(), Math.max(1, next - this.deps.clock.nowMs() + 1));
  }

  private tick(): void {
    this.timer = undefined;
    if (this.closed) return;
    const now = this.deps.clock.nowMs();
    for (const m of [...this.members.values()]) {
      if (now - m.lastSeenMs < m.sessionTimeoutMs) continue;
      this.members.delete(m.id);
      for (const p of this.parts.values()) p.state.memberGone(m.id);
      m.connection.removed(
        new SamsaError(
          'UNKNOWN_MEMBER_ID',
          `member "${m.id}" of share group "${this.groupId}" sent nothing for its session timeout (${m.sessionTimeoutMs} ms) and was removed; its records are available again`,
        ),
      );
    }
    this.afterChange();
  }
}
