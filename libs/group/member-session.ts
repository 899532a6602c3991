/**
 * One group member's session on the coordinator, for as long as its connection lasts (the
 * GroupConsume stream in services/coordinator; this file knows no proto):
 *
 *   join                           the member joins; the coordinator assigns partitions
 *   -> assignment                  what the member reads now (on join and on every change)
 *   -> records                     records of its partitions, read from the partition leaders
 *   processed                      "done up to here"; the session commits it (acks=all)
 *   pause / resume                 stop / restart sending records of some partitions
 *   leave / end of the connection  the member leaves (a static member stays until its session times out)
 *
 * Flow control: each assigned partition has one reader that takes the next chunk from its source
 * only after the previous one was sent (MemberConnection resolves once written with backpressure),
 * so a slow member slows every reader instead of making the coordinator buffer (at most one chunk
 * per partition is held). A partition the member paused has its reader wait before sending its
 * next chunk, so its source is held back by flow control while the other partitions go on. A member
 * that joined with `maxChunksAhead` N also gets per-partition credit: at most N chunks of a
 * partition are sent and not yet reported `taken`, so what a member buffers per partition is
 * bounded by chunks, not by the stream's window (a pause only stops what comes after it arrives).
 * A member that joined with `maxRecords` / `maxBytes` holds at most that many records and bytes
 * sent and not reported processed, over all its partitions (member-holdings.ts): chunks go out in
 * parts that fit, and readers wait for `processed` reports to make room.
 *
 * Rebalance: when a partition is taken away its reader is stopped first, the member is sent its new
 * assignment, the session waits (at most half the session timeout) until the member has reported
 * every record sent from it as processed, commits, and only then gives it up to the group, which
 * hands it to its next owner. So a partition is never read by two sessions at once, and a record
 * the member processed before it heard of the change is not delivered again.
 *
 * Liveness: any request is a heartbeat, and while every record sent has been reported processed the
 * open connection itself keeps the member alive. A member that holds unprocessed records and says
 * nothing for its session timeout (counted from its last message, or from when it began to hold,
 * whichever is later) is removed (the session ends with UNKNOWN_MEMBER_ID).
 *
 * Assign-only members (`assignOnly` in the join) read their partitions themselves from the leaders:
 * the session starts no readers and sends no records, only assignments (with the committed offset
 * of each partition, where a new owner starts). Revocation then needs the member's word: the
 * session waits for `revoked` (sent after the member stopped fetching the partition and reported
 * its processed offset), commits, and only then gives the partition up; a member that does not say
 * it within its session timeout is removed by the group (and the partition handed on then). The
 * session keeps no such member alive on its behalf: the member must speak every session timeout.
 *
 * Commits are coalesced: while one is being written, newer processed offsets accumulate and go in
 * the next write, so a fast member costs one __consumer_offsets write per round trip, not per record.
 * Each write, once durable, is acknowledged to the member (`committed`), so it can wait for it.
 *
 * Why one file (~650 lines): readers, credit, rebalance waits, coalesced commits and liveness all
 * act on the same per-partition reader table and one event loop (processEvents); the rebalance
 * rule above ("stop the reader, wait for processed, commit, then give up") spans all of them. The
 * group state machine (group.ts) and the offsets (offsets-log.ts) are already separate; the
 * interfaces at the top are the session's ports, kept with it so the unit test reads one file.
 */
import { SamsaError, toSamsaError } from '../errors/index.js';
import { ATTR, outsideTrace, withLinkedRoot, type Logger } from '../telemetry/index.js';
import type { SpanContext } from '@opentelemetry/api';
import { systemClock, type Clock } from '../runtime/index.js';
import { tpKey, type AssignorName, type TopicPartition } from './assignors.js';
import type { GroupCoordinator } from './coordinator.js';
import type { MemberEvent } from './group.js';
import { MemberHoldings } from './member-holdings.js';

/** A record as the session handles it: only its offset matters here; the connection sends the rest. */
export interface SessionRecord {
  readonly offset: number;
}

/** Reads one partition from a position, following new records (libs/client's Consumer is one). */
export interface RecordSource<R extends SessionRecord> {
  partition(options: { topic: string; partition: number; from: { offset: number } | 'earliest' | 'latest'; follow: true }): {
    chunks(): AsyncIterable<readonly R[]>;
    close(): void;
  };
}

/** The member's side of the connection. Each send resolves once written (false: the connection is gone). */
export interface MemberConnection<R extends SessionRecord> {
  /** `committed`: for assign-only members, the committed offsets of the partitions that have one. */
  sendAssignment(assignment: {
    memberId: string;
    generation: number;
    partitions: readonly TopicPartition[];
    committed: readonly { tp: TopicPartition; offset: number }[];
  }): Promise<boolean>;
  sendRecords(tp: TopicPartition, records: readonly R[]): Promise<boolean>;
  /** These offsets are committed (durable). */
  sendCommitted(offsets: readonly { tp: TopicPartition; offset: number }[]): Promise<boolean>;
  /** True once the member's side has gone away (cancelled): a read error is then no failure of ours. */
  gone(): boolean;
}

export interface MemberJoin {
  groupId: string;
  topics: readonly string[];
  /** 0: the default (45 s). */
  sessionTimeoutMs: number;
  instanceId?: string | undefined;
  assignor?: AssignorName | undefined;
  /** Where to start a partition without a committed offset. */
  reset: 'earliest' | 'latest';
  clientHost?: string;
  /** Per-partition credit in chunks (0 or absent: none). */
  maxChunksAhead?: number;
  /** Records, and bytes of keys and values, the member may hold unprocessed over all its partitions (0 or absent: no limit; member-holdings.ts). */
  maxRecords?: number;
  maxBytes?: number;
  /** The member fetches its partitions itself; the session only assigns, commits and judges liveness. */
  assignOnly?: boolean;
}

/** What the member says after joining; every request is also a heartbeat. A second join is refused (INVALID_REQUEST). */
export type MemberRequest =
  | { kind: 'processed'; tp: TopicPartition; offset: number }
  | { kind: 'pause'; partitions: readonly TopicPartition[] }
  | { kind: 'resume'; partitions: readonly TopicPartition[] }
  | { kind: 'taken'; partitions: readonly TopicPartition[] }
  | { kind: 'revoked'; partitions: readonly TopicPartition[] }
  | { kind: 'heartbeat' }
  | { kind: 'leave' }
  | { kind: 'join' };

export interface MemberSessionDeps<R extends SessionRecord> {
  coordinator: GroupCoordinator;
  records: RecordSource<R>;
  logger: Logger;
  /** Aborted when the coordinator shuts down: the session ends with NOT_READY. */
  shutdown: AbortSignal;
  /**
   * The span of the member's connection: its commits are traces of their own linked to it, not
   * children (one member would otherwise be one trace without end).
   */
  traceLink?: SpanContext | undefined;
  clock?: Clock;
  /** A record's size against the member's maxBytes (keys and values); without it records count 0 bytes. */
  recordBytes?: (record: R) => number;
}

/** How many times a batch of commits is retried after a generation change. */
const COMMIT_RETRIES = 3;
const DEFAULT_SESSION_TIMEOUT_MS = 45_000;

interface Reader {
  stream: { close(): void };
  done: Promise<void>;
}

/** A paused partition's reader waits on this before sending; resume (or stopping the reader) opens it. */
interface Gate {
  opened: Promise<void>;
  open: () => void;
}

export class MemberSession<R extends SessionRecord> {
  private groupId = '';
  private memberId = '';
  private generation = -1;
  private sessionTimeoutMs = 0;
  private reset: 'earliest' | 'latest' = 'earliest';
  private readonly readers = new Map<string, Reader>();
  private readonly paused = new Map<string, Gate>();
  /** With maxChunksAhead: chunks sent and not yet taken, per partition, and the gate of a reader out of credit. */
  private maxChunksAhead = 0;
  private readonly ahead = new Map<string, number>();
  private readonly credit = new Map<string, Gate>();
  /** With maxRecords/maxBytes: what the member holds unprocessed (member-holdings.ts). */
  private holdings = new MemberHoldings(0, 0);
  /** Partitions whose processed offsets we accept: readable ones and those being revoked. */
  private readonly owned = new Map<string, TopicPartition>();
  /** Offset after the last record sent, per partition. */
  private readonly sent = new Map<string, number>();
  /** Latest processed offset the member reported, per partition. */
  private readonly processed = new Map<string, number>();
  private readonly toCommit = new Map<string, { tp: TopicPartition; offset: number }>();
  private flushing: Promise<void> | undefined;
  private readonly events: MemberEvent[] = [];
  private wakeEvents: (() => void) | undefined;
  private progressWaiters = new Set<() => void>();
  private readonly clock: Clock;
  private touchTimer: NodeJS.Timeout | undefined;
  private readonly stopped = new AbortController();
  private failure: SamsaError | undefined;
  /** The member sent `leave`: even a static member leaves at once. */
  private leaving = false;
  private inGroup = false;
  private assignOnly = false;
  /** Assign-only: partitions the member said it gave up (`revoked`), until the revocation that needed it uses it. */
  private readonly revokedByMember = new Set<string>();

  constructor(
    private readonly deps: MemberSessionDeps<R>,
    private readonly connection: MemberConnection<R>,
  ) {
    this.clock = deps.clock ?? systemClock;
  }

  /**
   * Joins with `join`, then serves the member until it leaves, its requests end, disconnect() is
   * called, the group removes it or the coordinator shuts down. Resolves when it ended cleanly;
   * rejects with the SamsaError to end the connection with (the member is out of the group by then,
   * or detached if static).
   */
  async run(join: MemberJoin, requests: AsyncIterator<MemberRequest>): Promise<void> {
    this.join(join);
    const onShutdown = (): void =>
      this.end(new SamsaError('NOT_READY', 'the coordinator is shutting down; find the coordinator again and rejoin'));
    this.deps.shutdown.addEventListener('abort', onShutdown, { once: true });
    if (this.deps.shutdown.aborted) onShutdown();
    this.touchTimer = setInterval(() => this.touch(), Math.max(200, Math.floor(this.sessionTimeoutMs / 3)));
    const processing = this.processEvents();
    // Not awaited: it ends with the member's half-close or the connection's end, and handles its own errors.
    void this.readRequests(requests);
    try {
      await new Promise<void>((resolve) => {
        if (this.stopped.signal.aborted) resolve();
        else this.stopped.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      this.wakeEvents?.();
      await processing;
      this.deps.logger.debug(
        { groupId: this.groupId, memberId: this.memberId, readers: this.readers.size },
        'member events done; stopping readers',
      );
      await Promise.all([...this.readers.values()].map((r) => this.stopReader(r)));
      this.deps.logger.debug({ groupId: this.groupId, memberId: this.memberId }, 'member readers stopped');
      await this.flush().catch((err: unknown) =>
        this.deps.logger.warn(
          { err, groupId: this.groupId, memberId: this.memberId },
          'last commit of a closing member failed; those records will be delivered again',
        ),
      );
    } finally {
      clearInterval(this.touchTimer);
      this.deps.shutdown.removeEventListener('abort', onShutdown);
      if (this.inGroup) {
        if (this.deps.coordinator.isStatic(this.groupId, this.memberId) && !this.leaving)
          this.deps.coordinator.detach(this.groupId, this.memberId);
        else this.deps.coordinator.leave(this.groupId, this.memberId);
      }
    }
    this.deps.logger.debug({ groupId: this.groupId, memberId: this.memberId, reason: this.failure?.reason }, 'member session closed');
    if (this.failure) throw this.failure;
  }

  /** The member id the group gave this member ('' before run() has joined). */
  get member(): string {
    return this.memberId;
  }

  /** The connection went away: end the session (a dynamic member leaves, a static one stays until its timeout). */
  disconnect(): void {
    this.end();
  }

  private join(join: MemberJoin): void {
    this.reset = join.reset;
    this.maxChunksAhead = Math.max(0, join.maxChunksAhead ?? 0);
    this.holdings = new MemberHoldings(Math.max(0, join.maxRecords ?? 0), Math.max(0, join.maxBytes ?? 0));
    this.assignOnly = join.assignOnly === true;
    this.groupId = join.groupId;
    this.memberId = this.deps.coordinator.join(
      join.groupId,
      {
        topics: join.topics,
        sessionTimeoutMs: join.sessionTimeoutMs,
        instanceId: join.instanceId,
        assignor: join.assignor,
        ...(join.clientHost !== undefined ? { clientHost: join.clientHost } : {}),
      },
      (event) => this.enqueue(event),
    );
    this.inGroup = true;
    this.sessionTimeoutMs = join.sessionTimeoutMs || DEFAULT_SESSION_TIMEOUT_MS;
    this.deps.logger.info({ groupId: this.groupId, memberId: this.memberId, topics: join.topics, peer: join.clientHost }, 'member joined');
  }

  /** Called synchronously by the coordinator; the generation is taken at once so commits never lag behind it. */
  private enqueue(event: MemberEvent): void {
    if (event.kind === 'assignment') this.generation = event.generation;
    if (event.kind === 'removed') {
      this.inGroup = false;
      // A revocation waiting for the member's word stops waiting: the group has handed it on.
      for (const w of this.progressWaiters) w();
    }
    this.events.push(event);
    this.wakeEvents?.();
  }

  private end(failure?: SamsaError): void {
    if (this.stopped.signal.aborted) return;
    this.deps.logger.debug({ groupId: this.groupId, memberId: this.memberId, reason: failure?.reason }, 'member session ending');
    if (failure) this.failure = failure;
    this.stopped.abort();
    for (const w of this.progressWaiters) w();
    for (const key of [...this.paused.keys()]) this.resume(key);
    for (const key of [...this.credit.keys()]) this.openCredit(key);
    this.holdings.wake();
  }

  private async processEvents(): Promise<void> {
    while (!this.stopped.signal.aborted) {
      const event = this.events.shift();
      if (!event) {
        await new Promise<void>((resolve) => (this.wakeEvents = resolve));
        this.wakeEvents = undefined;
        continue;
      }
      this.deps.logger.debug(
        {
          groupId: this.groupId,
          memberId: this.memberId,
          event: event.kind,
          partitions: 'partitions' in event ? event.partitions.length : undefined,
        },
        'member event',
      );
      try {
        if (event.kind === 'assignment') await this.onAssignment(event.partitions);
        else if (event.kind === 'revoke') await this.onRevoke(event.partitions);
        else {
          // What the member was sent and never reported goes to the partitions' next owners.
          this.deps.logger.info(
            {
              groupId: this.groupId,
              memberId: this.memberId,
              reason: event.reason.message,
              unprocessed: this.unprocessed(),
              ...(this.holdings.limited ? { heldRecords: this.holdings.heldRecords, heldBytes: this.holdings.heldBytes } : {}),
            },
            'member removed by the group',
          );
          this.end(event.reason);
        }
      } catch (err) {
        this.end(toSamsaError(err));
      }
    }
  }

  private async onAssignment(partitions: readonly TopicPartition[]): Promise<void> {
    const wanted = new Map(partitions.map((tp) => [tpKey(tp), tp]));
    for (const [key, reader] of [...this.readers]) {
      if (!wanted.has(key)) await this.stopReader(reader, key);
    }
    const committed: { tp: TopicPartition; offset: number }[] = [];
    for (const [key, tp] of wanted) {
      this.owned.set(key, tp);
      if (this.assignOnly) {
        // A word about an earlier revocation of it must not count for a later one.
        this.revokedByMember.delete(key);
        const c = this.deps.coordinator.committedOffset(this.groupId, tp);
        if (c) committed.push({ tp, offset: c.offset });
      } else if (!this.readers.has(key)) this.startReader(key, tp);
    }
    if (!(await this.connection.sendAssignment({ memberId: this.memberId, generation: this.generation, partitions, committed })))
      this.end();
  }

  private async onRevoke(partitions: readonly TopicPartition[]): Promise<void> {
    for (const tp of partitions) {
      const reader = this.readers.get(tpKey(tp));
      if (reader) await this.stopReader(reader, tpKey(tp));
    }
    // Relay: wait for the member to report what it was sent, within half the session timeout.
    // Assign-only: wait for its `revoked`; the group removes it if that does not come within its
    // session timeout (then the partitions are handed on without us).
    const deadline = this.clock.nowMs() + (this.assignOnly ? this.sessionTimeoutMs + 1_000 : this.sessionTimeoutMs / 2);
    const outstanding = this.assignOnly
      ? (): boolean => this.inGroup && partitions.some((tp) => !this.revokedByMember.has(tpKey(tp)))
      : (): boolean => partitions.some((tp) => (this.sent.get(tpKey(tp)) ?? -1) > (this.processed.get(tpKey(tp)) ?? -1));
    while (outstanding() && this.clock.nowMs() < deadline && !this.stopped.signal.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, deadline - this.clock.nowMs()));
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.progressWaiters.add(done);
      });
      this.progressWaiters.clear();
    }
    await this.flush();
    if (this.stopped.signal.aborted || !this.inGroup) return;
    if (this.assignOnly && outstanding()) {
      // Not given up in time: the group removes the member; until then the partitions stay its own.
      return;
    }
    for (const tp of partitions) {
      this.revokedByMember.delete(tpKey(tp));
      this.owned.delete(tpKey(tp));
      this.sent.delete(tpKey(tp));
      this.processed.delete(tpKey(tp));
      this.holdings.drop(tpKey(tp));
    }
    this.deps.coordinator.revoked(this.groupId, this.memberId, partitions);
  }

  private startReader(key: string, tp: TopicPartition): void {
    const committed = this.deps.coordinator.committedOffset(this.groupId, tp);
    // Outside the connection's trace: the reader's stream lives as long as the assignment.
    const stream = outsideTrace(() =>
      this.deps.records.partition({
        topic: tp.topic,
        partition: tp.partition,
        from: committed ? { offset: committed.offset } : this.reset,
        follow: true,
      }),
    );
    this.ahead.set(key, 0);
    const done = outsideTrace(async () => {
      for await (const whole of stream.chunks()) {
        // Within the member's limits (member-holdings.ts) a chunk may go out in several parts.
        let chunk: readonly R[] = whole;
        while (chunk.length > 0) {
          if (!(await this.maySend(key, stream))) return;
          const n = await this.roomFor(key, stream, chunk);
          if (n === 0) return;
          const part = n === chunk.length ? chunk : chunk.slice(0, n);
          chunk = n === chunk.length ? [] : chunk.slice(n);
          const last = part.at(-1) as R;
          // An idle member begins to hold records now: its silence counts from here, not from our last touch.
          if (!this.holding() && this.inGroup) this.heartbeatOnBehalf();
          this.sent.set(key, last.offset + 1);
          this.ahead.set(key, (this.ahead.get(key) ?? 0) + 1);
          if (!(await this.connection.sendRecords(tp, part))) {
            this.end();
            return;
          }
        }
      }
    }).catch((err: unknown) => {
      if (this.stopped.signal.aborted || this.readers.get(key)?.stream !== stream) return;
      this.deps.logger.warn(
        { err, groupId: this.groupId, topic: tp.topic, partition: tp.partition },
        'reading an assigned partition failed; ending the member session',
      );
      this.end(toSamsaError(err));
    });
    this.readers.set(key, { stream, done });
  }

  /** Waits while the partition is paused or out of credit; false when its reader is to stop. */
  private async maySend(key: string, stream: { close(): void }): Promise<boolean> {
    for (;;) {
      if (this.stopped.signal.aborted || this.readers.get(key)?.stream !== stream) return false;
      const gate = this.paused.get(key);
      if (gate) {
        await gate.opened;
        continue;
      }
      if (this.maxChunksAhead > 0 && (this.ahead.get(key) ?? 0) >= this.maxChunksAhead) {
        let waiting = this.credit.get(key);
        if (!waiting) {
          let open = (): void => undefined;
          const opened = new Promise<void>((resolve) => (open = resolve));
          waiting = { opened, open };
          this.credit.set(key, waiting);
        }
        await waiting.opened;
        continue;
      }
      return true;
    }
  }

  /**
   * How many records of `chunk` the member's limits let go now, waiting for room; 0 when the reader
   * is to stop. Those records are held at once, in the same turn as the check: readers of other
   * partitions woken by the same release must not count the same room.
   */
  private async roomFor(key: string, stream: { close(): void }, chunk: readonly R[]): Promise<number> {
    if (!this.holdings.limited) return chunk.length;
    const sizes = chunk.map((r) => this.sizeOf(r));
    for (;;) {
      if (this.stopped.signal.aborted || this.readers.get(key)?.stream !== stream) return 0;
      const n = this.holdings.fit(sizes);
      if (n > 0) {
        this.holdings.hold(
          key,
          chunk.slice(0, n).map((r, i) => ({ offset: r.offset, bytes: sizes[i] ?? 0 })),
        );
        return n;
      }
      await this.holdings.room();
    }
  }

  private sizeOf(r: R): number {
    return this.deps.recordBytes?.(r) ?? 0;
  }

  private openCredit(key: string): void {
    this.credit.get(key)?.open();
    this.credit.delete(key);
  }

  private onTaken(key: string): void {
    this.ahead.set(key, Math.max(0, (this.ahead.get(key) ?? 0) - 1));
    this.openCredit(key);
  }

  private async stopReader(reader: Reader, key?: string): Promise<void> {
    if (key !== undefined && this.readers.get(key) === reader) this.readers.delete(key);
    if (key !== undefined) {
      this.resume(key);
      this.openCredit(key);
    }
    reader.stream.close();
    // A reader waiting for room re-checks, finds itself stopped, and ends.
    this.holdings.wake();
    await reader.done;
  }

  private async readRequests(requests: AsyncIterator<MemberRequest>): Promise<void> {
    try {
      for (;;) {
        const next = await requests.next();
        if (next.done || this.stopped.signal.aborted) break;
        const req = next.value;
        if (req.kind === 'leave') {
          this.leaving = true;
          break;
        }
        if (req.kind === 'processed') this.onProcessed(req.tp, req.offset);
        else if (req.kind === 'pause') this.forEachReading(req.partitions, (key) => this.pause(key));
        else if (req.kind === 'resume') this.forEachReading(req.partitions, (key) => this.resume(key));
        else if (req.kind === 'taken') this.forEachReading(req.partitions, (key) => this.onTaken(key));
        else if (req.kind === 'revoked') this.onRevokedByMember(req.partitions);
        else if (req.kind === 'join') throw new SamsaError('INVALID_REQUEST', 'join may be sent only once per stream');
        if (this.inGroup) this.deps.coordinator.heartbeat(this.groupId, this.memberId);
      }
      // The member half-closed, or went away (a dead member's connection can end this way too): a
      // dynamic member leaves; a static one stays until its session timeout (see run()).
      this.end();
    } catch (err) {
      this.end(this.connection.gone() ? undefined : toSamsaError(err));
    }
  }

  private onRevokedByMember(tps: readonly TopicPartition[]): void {
    if (!this.assignOnly) return;
    for (const tp of tps) if (this.owned.has(tpKey(tp))) this.revokedByMember.add(tpKey(tp));
    for (const w of this.progressWaiters) w();
  }

  private forEachReading(tps: readonly TopicPartition[], f: (key: string) => void): void {
    for (const tp of tps) {
      const key = tpKey(tp);
      if (this.readers.has(key)) f(key);
    }
  }

  private pause(key: string): void {
    if (this.paused.has(key)) return;
    let open = (): void => undefined;
    const opened = new Promise<void>((resolve) => (open = resolve));
    this.paused.set(key, { opened, open });
  }

  private resume(key: string): void {
    this.paused.get(key)?.open();
    this.paused.delete(key);
  }

  private onProcessed(tp: TopicPartition, offset: number): void {
    const key = tpKey(tp);
    if (!this.owned.has(key)) {
      // Late report for a partition already handed on: its records will be delivered again there.
      this.deps.logger.debug(
        { groupId: this.groupId, memberId: this.memberId, topic: tp.topic, partition: tp.partition },
        'processed offset for a partition this member no longer owns; ignored',
      );
      return;
    }
    if (offset <= (this.processed.get(key) ?? -1)) return;
    this.processed.set(key, offset);
    this.holdings.processed(key, offset);
    this.toCommit.set(key, { tp, offset });
    for (const w of this.progressWaiters) w();
    void this.flush().catch((err: unknown) => this.end(toSamsaError(err)));
  }

  /** Writes what was reported processed; resolves once everything reported so far is committed. */
  private flush(): Promise<void> {
    if (!this.flushing) {
      this.flushing = this.flushLoop().finally(() => {
        this.flushing = undefined;
      });
    }
    return this.flushing;
  }

  private async flushLoop(): Promise<void> {
    while (this.toCommit.size > 0) {
      const batch = [...this.toCommit.values()];
      this.toCommit.clear();
      const attributes = { [ATTR.group]: this.groupId, [ATTR.memberId]: this.memberId, 'samsa.partitions': batch.length };
      await withLinkedRoot('group.member.commit', attributes, this.deps.traceLink, async () => {
        for (let attempt = 0; ; attempt++) {
          try {
            await this.deps.coordinator.commit(
              this.groupId,
              this.memberId,
              this.generation,
              batch.map((c) => ({ ...c.tp, offset: c.offset, metadata: '' })),
            );
            break;
          } catch (err) {
            const e = toSamsaError(err);
            // A rebalance moved the generation between the report and the write: retry with the new one.
            if (e.reason !== 'ILLEGAL_GENERATION' || attempt >= COMMIT_RETRIES) throw e;
          }
        }
        // Durable now: tell the member (a member gone by now does not need to know).
        await this.connection.sendCommitted(batch);
      });
    }
  }

  /** Per partition sent and not reported processed: "topic/partition processed..sent" (processed "-": none reported). */
  private unprocessed(): string[] {
    const out: string[] = [];
    for (const [key, next] of this.sent) {
      const done = this.processed.get(key);
      if (done === undefined || next > done) out.push(`${key} ${done ?? '-'}..${next}`);
    }
    return out;
  }

  /** True while the member holds records it was sent and has not reported processed. */
  private holding(): boolean {
    return [...this.sent].some(([key, next]) => next > (this.processed.get(key) ?? -1));
  }

  /**
   * Keeps an idle member alive; a member holding unprocessed records must speak itself. Not on its
   * behalf while it holds any: the group's session timeout then runs from the later of its last
   * message and the moment it began to hold (see startReader), so a silent member is removed after
   * 1x its session timeout, not after up to 2x (issue 20).
   */
  private touch(): void {
    // An assign-only member holds records we never see: only its own messages keep it alive.
    if (!this.inGroup || this.stopped.signal.aborted || this.assignOnly || this.holding()) return;
    this.heartbeatOnBehalf();
  }

  private heartbeatOnBehalf(): void {
    try {
      this.deps.coordinator.heartbeat(this.groupId, this.memberId);
    } catch (err) {
      this.end(toSamsaError(err));
    }
  }
}
