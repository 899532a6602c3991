/**
 * GroupConsume: one bidirectional stream per group member, enough for a plain generated client.
 *
 *   client -> join                  the member joins; the server assigns partitions
 *   server -> assignment            what the member reads now (on join and on every change)
 *   server -> records               records of its partitions, read from the partition leaders
 *   client -> processed             "done up to here"; the server commits it (acks=all)
 *   client -> pause / resume        stop / restart sending records of some partitions
 *   client -> leave / end of stream the member leaves (a static member stays until its session times out)
 *
 * Flow control: each assigned partition has one reader that takes the next chunk from its leader
 * only after the previous one was written to this stream with writeWithBackpressure, so a slow
 * client slows every reader instead of making the coordinator buffer (at most one chunk per
 * partition is held). A partition the client paused has its reader wait before writing its next
 * chunk, so its leader stream is held back by flow control while the other partitions go on.
 *
 * Rebalance: when a partition is taken away its reader is stopped first, the client is sent its new
 * assignment, the server waits (at most half the session timeout) until the client has reported
 * every record sent from it as processed, commits, and only then gives it up to the group, which
 * hands it to its next owner. So a partition is never read by two streams at once, and a record
 * the client processed before it heard of the change is not delivered again.
 *
 * Liveness: any client message is a heartbeat, and while every record sent has been reported
 * processed the open stream itself keeps the member alive. A member that holds unprocessed records
 * and says nothing for its session timeout is removed (its stream ends with UNKNOWN_MEMBER_ID).
 *
 * Commits are coalesced: while one is being written, newer processed offsets accumulate and go
 * in the next write, so a fast client costs one __consumer_offsets write per round trip, not per record.
 */
import type * as grpc from '@grpc/grpc-js';
import { SamsaError, toSamsaError } from '../../libs/errors/index.js';
import { checkedOffset, writeWithBackpressure, type v1 } from '../../libs/rpc/index.js';
import { tpKey, type AssignorName, type GroupCoordinator, type MemberEvent, type TopicPartition } from '../../libs/group/index.js';
import type { Consumer, ConsumedMessage, PartitionStream } from '../../libs/client/index.js';
import { ATTR, activeSpanContext, activeTelemetry, linksFromRecords, outsideTrace, tracer, withLinkedRoot, type Logger } from '../../libs/telemetry/index.js';
import type { SpanContext } from '@opentelemetry/api';

type Call = grpc.ServerDuplexStream<v1.GroupConsumeRequest__Output, v1.GroupConsumeResponse>;

export interface GroupConsumeDeps {
  coordinator: GroupCoordinator;
  consumer: Consumer;
  logger: Logger;
  shutdown: AbortSignal;
}

const ASSIGNOR_NAMES: Readonly<Record<string, AssignorName | undefined>> = {
  ASSIGNOR_UNSPECIFIED: undefined,
  ASSIGNOR_RANGE: 'range',
  ASSIGNOR_ROUND_ROBIN: 'roundRobin',
  ASSIGNOR_STICKY: 'sticky',
};

/** How many times a batch of commits is retried after a generation change. */
const COMMIT_RETRIES = 3;

interface Reader {
  stream: PartitionStream;
  done: Promise<void>;
}

/** A paused partition's reader waits on this before writing; resume (or stopping the reader) opens it. */
interface Gate {
  opened: Promise<void>;
  open: () => void;
}

export function groupConsume(deps: GroupConsumeDeps, call: Call): Promise<void> {
  return new GroupConsumeSession(deps, call).run();
}

export function groupTopicPartitions(tps: readonly TopicPartition[]): v1.TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const tp of tps) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
}

function toConsumedRecord(m: ConsumedMessage): v1.ConsumedRecord {
  return {
    partition: m.partition,
    offset: m.offset,
    timestampMs: m.timestampMs,
    ...(m.key ? { key: m.key } : {}),
    value: m.value ?? Buffer.alloc(0),
    headers: m.headers,
    leaderEpoch: m.leaderEpoch,
  };
}

class GroupConsumeSession {
  private groupId = '';
  private memberId = '';
  private generation = -1;
  private sessionTimeoutMs = 0;
  private reset: 'earliest' | 'latest' = 'earliest';
  private readonly readers = new Map<string, Reader>();
  private readonly paused = new Map<string, Gate>();
  /** Partitions whose processed offsets we accept: readable ones and those being revoked. */
  private readonly owned = new Map<string, TopicPartition>();
  /** Offset after the last record sent, per partition. */
  private readonly sent = new Map<string, number>();
  /** Latest processed offset the client reported, per partition. */
  private readonly processed = new Map<string, number>();
  private readonly toCommit = new Map<string, { tp: TopicPartition; offset: number }>();
  private flushing: Promise<void> | undefined;
  private readonly events: MemberEvent[] = [];
  private wakeEvents: (() => void) | undefined;
  private progressWaiters = new Set<() => void>();
  private lastClientMessageMs = Date.now();
  private touchTimer: NodeJS.Timeout | undefined;
  private readonly stopped = new AbortController();
  private failure: SamsaError | undefined;
  /** The client sent `leave`: even a static member leaves at once. */
  private leaving = false;
  private inGroup = false;
  /**
   * The member's GroupConsume server span: its reads, deliveries and commits are traces of their
   * own linked to it, not children (one member would otherwise be one trace without end).
   */
  private session: SpanContext | undefined;

  constructor(
    private readonly deps: GroupConsumeDeps,
    private readonly call: Call,
  ) {}

  async run(): Promise<void> {
    // Not call[Symbol.asyncIterator](): when the client half-closes, that iterator destroys the
    // whole duplex stream, and our final status would never reach the client.
    this.session = activeSpanContext();
    const requests = this.call.iterator({ destroyOnReturn: false }) as AsyncIterator<v1.GroupConsumeRequest__Output>;
    const first = await requests.next();
    if (first.done) return;
    this.join(first.value);
    const onGone = (): void => this.end();
    this.call.on('cancelled', onGone);
    const onShutdown = (): void => this.end(new SamsaError('NOT_READY', 'the coordinator is shutting down; find the coordinator again and rejoin'));
    this.deps.shutdown.addEventListener('abort', onShutdown, { once: true });
    this.touchTimer = setInterval(() => this.touch(), Math.max(200, Math.floor(this.sessionTimeoutMs / 3)));
    const processing = this.processEvents();
    // Not awaited: it ends with the client's half-close or the call's end, and handles its own errors.
    void this.readRequests(requests);
    try {
      await new Promise<void>((resolve) => {
        if (this.stopped.signal.aborted) resolve();
        else this.stopped.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      this.wakeEvents?.();
      await processing;
      this.deps.logger.debug({ groupId: this.groupId, memberId: this.memberId, readers: this.readers.size }, 'member events done; stopping readers');
      await Promise.all([...this.readers.values()].map((r) => this.stopReader(r)));
      this.deps.logger.debug({ groupId: this.groupId, memberId: this.memberId }, 'member readers stopped');
      await this.flush().catch((err: unknown) => this.deps.logger.warn({ err, groupId: this.groupId, memberId: this.memberId }, 'last commit of a closing member failed; those records will be delivered again'));
    } finally {
      clearInterval(this.touchTimer);
      this.call.off('cancelled', onGone);
      this.deps.shutdown.removeEventListener('abort', onShutdown);
      if (this.inGroup) {
        if (this.deps.coordinator.isStatic(this.groupId, this.memberId) && !this.leaving) this.deps.coordinator.detach(this.groupId, this.memberId);
        else this.deps.coordinator.leave(this.groupId, this.memberId);
      }
    }
    this.deps.logger.debug({ groupId: this.groupId, memberId: this.memberId, reason: this.failure?.reason }, 'member stream closed');
    if (this.failure) throw this.failure;
  }

  private join(request: v1.GroupConsumeRequest__Output): void {
    const join = request.join;
    if (!join) throw new SamsaError('INVALID_REQUEST', 'the first message of GroupConsume must be `join`');
    if (!join.groupId) throw new SamsaError('INVALID_REQUEST', 'join.group_id is required');
    if (join.reset === 'OFFSET_POSITION_LATEST') this.reset = 'latest';
    this.groupId = join.groupId;
    const peer = this.call.getPeer();
    this.memberId = this.deps.coordinator.join(
      join.groupId,
      {
        topics: join.topics,
        sessionTimeoutMs: join.sessionTimeoutMs,
        instanceId: join.groupInstanceId ?? undefined,
        assignor: ASSIGNOR_NAMES[join.assignor],
        clientHost: peer,
      },
      (event) => this.enqueue(event),
    );
    this.inGroup = true;
    this.sessionTimeoutMs = join.sessionTimeoutMs || 45_000;
    this.deps.logger.info({ groupId: this.groupId, memberId: this.memberId, topics: join.topics, peer }, 'member joined');
  }

  /** Called synchronously by the coordinator; the generation is taken at once so commits never lag behind it. */
  private enqueue(event: MemberEvent): void {
    if (event.kind === 'assignment') this.generation = event.generation;
    if (event.kind === 'removed') this.inGroup = false;
    this.events.push(event);
    this.wakeEvents?.();
  }

  private end(failure?: SamsaError): void {
    if (this.stopped.signal.aborted) return;
    this.deps.logger.debug({ groupId: this.groupId, memberId: this.memberId, reason: failure?.reason }, 'member stream ending');
    if (failure) this.failure = failure;
    this.stopped.abort();
    for (const w of this.progressWaiters) w();
    for (const key of [...this.paused.keys()]) this.resume(key);
  }

  private async processEvents(): Promise<void> {
    while (!this.stopped.signal.aborted) {
      const event = this.events.shift();
      if (!event) {
        await new Promise<void>((resolve) => (this.wakeEvents = resolve));
        this.wakeEvents = undefined;
        continue;
      }
      this.deps.logger.debug({ groupId: this.groupId, memberId: this.memberId, event: event.kind, partitions: 'partitions' in event ? event.partitions.length : undefined }, 'member event');
      try {
        if (event.kind === 'assignment') await this.onAssignment(event.partitions);
        else if (event.kind === 'revoke') await this.onRevoke(event.partitions);
        else this.end(event.reason);
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
    for (const [key, tp] of wanted) {
      this.owned.set(key, tp);
      if (!this.readers.has(key)) this.startReader(key, tp);
    }
    const message: v1.GroupConsumeResponse = { assignment: { memberId: this.memberId, generation: this.generation, partitions: groupTopicPartitions(partitions) } };
    if (!(await writeWithBackpressure(this.call, message))) this.end();
  }

  private async onRevoke(partitions: readonly TopicPartition[]): Promise<void> {
    for (const tp of partitions) {
      const reader = this.readers.get(tpKey(tp));
      if (reader) await this.stopReader(reader, tpKey(tp));
    }
    // Wait for the client to report what it was sent, within half the session timeout.
    const deadline = Date.now() + this.sessionTimeoutMs / 2;
    const outstanding = (): boolean => partitions.some((tp) => (this.sent.get(tpKey(tp)) ?? -1) > (this.processed.get(tpKey(tp)) ?? -1));
    while (outstanding() && Date.now() < deadline && !this.stopped.signal.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.progressWaiters.add(done);
      });
      this.progressWaiters.clear();
    }
    await this.flush();
    if (this.stopped.signal.aborted) return;
    for (const tp of partitions) {
      this.owned.delete(tpKey(tp));
      this.sent.delete(tpKey(tp));
      this.processed.delete(tpKey(tp));
    }
    this.deps.coordinator.revoked(this.groupId, this.memberId, partitions);
  }

  private startReader(key: string, tp: TopicPartition): void {
    const committed = this.deps.coordinator.committedOffset(this.groupId, tp);
    // Outside the session's trace: the reader's Consume stream lives as long as the assignment.
    const stream = outsideTrace(() => this.deps.consumer.partition({ topic: tp.topic, partition: tp.partition, from: committed ? { offset: committed.offset } : this.reset, follow: true }));
    const done = outsideTrace(async () => {
      for await (const chunk of stream.chunks()) {
        const gate = this.paused.get(key);
        if (gate) await gate.opened;
        if (this.stopped.signal.aborted || this.readers.get(key)?.stream !== stream) return;
        const last = chunk.at(-1) as ConsumedMessage;
        this.sent.set(key, last.offset + 1);
        this.traceDelivery(tp, chunk);
        const message: v1.GroupConsumeResponse = { records: { topic: tp.topic, partition: tp.partition, records: chunk.map(toConsumedRecord) } };
        if (!(await writeWithBackpressure(this.call, message))) {
          this.end();
          return;
        }
      }
    }).catch((err: unknown) => {
      if (this.stopped.signal.aborted || this.readers.get(key)?.stream !== stream) return;
      this.deps.logger.warn({ err, groupId: this.groupId, topic: tp.topic, partition: tp.partition }, 'reading an assigned partition failed; ending the member stream');
      this.end(toSamsaError(err));
    });
    this.readers.set(key, { stream, done });
  }

  private async stopReader(reader: Reader, key?: string): Promise<void> {
    if (key !== undefined && this.readers.get(key) === reader) this.readers.delete(key);
    if (key !== undefined) this.resume(key);
    reader.stream.close();
    await reader.done;
  }

  private async readRequests(requests: AsyncIterator<v1.GroupConsumeRequest__Output>): Promise<void> {
    try {
      for (;;) {
        const next = await requests.next();
        if (next.done || this.stopped.signal.aborted) break;
        this.lastClientMessageMs = Date.now();
        const req = next.value;
        if (req.leave) {
          this.leaving = true;
          break;
        }
        if (req.processed) this.onProcessed(req.processed);
        else if (req.pause) this.forEachOwned(req.pause, (key) => this.pause(key));
        else if (req.resume) this.forEachOwned(req.resume, (key) => this.resume(key));
        else if (req.join) throw new SamsaError('INVALID_REQUEST', 'join may be sent only once per stream');
        if (this.inGroup) this.deps.coordinator.heartbeat(this.groupId, this.memberId);
      }
      // The client half-closed, or went away (a dead client's call can end this way too): a
      // dynamic member leaves; a static one stays until its session timeout (see run()).
      this.end();
    } catch (err) {
      this.end(this.call.cancelled ? undefined : toSamsaError(err));
    }
  }

  private forEachOwned(tps: v1.TopicPartitions__Output, f: (key: string) => void): void {
    for (const partition of tps.partitions) {
      const key = tpKey({ topic: tps.topic, partition });
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

  private onProcessed(p: v1.ProcessedOffset__Output): void {
    const offset = checkedOffset(p.offset, 'processed.offset');
    const tp = { topic: p.topic, partition: p.partition };
    const key = tpKey(tp);
    if (!this.owned.has(key)) {
      // Late report for a partition already handed on: its records will be delivered again there.
      this.deps.logger.debug({ groupId: this.groupId, memberId: this.memberId, topic: p.topic, partition: p.partition }, 'processed offset for a partition this member no longer owns; ignored');
      return;
    }
    if (offset <= (this.processed.get(key) ?? -1)) return;
    this.processed.set(key, offset);
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
      await withLinkedRoot('group.member.commit', attributes, this.session, async () => {
        for (let attempt = 0; ; attempt++) {
          try {
            await this.deps.coordinator.commit(this.groupId, this.memberId, this.generation, batch.map((c) => ({ ...c.tp, offset: c.offset, metadata: '' })));
            return;
          } catch (err) {
            const e = toSamsaError(err);
            // A rebalance moved the generation between the report and the write: retry with the new one.
            if (e.reason !== 'ILLEGAL_GENERATION' || attempt >= COMMIT_RETRIES) throw e;
          }
        }
      });
    }
  }

  /** One span per chunk sent to the member: a trace of its own, linked to the session and to the records' producers. */
  private traceDelivery(tp: TopicPartition, chunk: readonly ConsumedMessage[]): void {
    if (!activeTelemetry().traces) return;
    const links = [...(this.session ? [{ context: this.session }] : []), ...linksFromRecords(chunk)];
    const span = tracer.startSpan(`group.deliver ${tp.topic}`, {
      links,
      attributes: {
        [ATTR.group]: this.groupId,
        [ATTR.memberId]: this.memberId,
        [ATTR.topic]: tp.topic,
        [ATTR.partition]: tp.partition,
        [ATTR.baseOffset]: (chunk[0] as ConsumedMessage).offset,
        [ATTR.records]: chunk.length,
      },
      root: true,
    });
    span.end();
  }

  /** Keeps an idle member alive; a member holding unprocessed records must speak within its session timeout. */
  private touch(): void {
    if (!this.inGroup || this.stopped.signal.aborted) return;
    const holding = [...this.sent].some(([key, next]) => next > (this.processed.get(key) ?? -1));
    if (holding && Date.now() - this.lastClientMessageMs > this.sessionTimeoutMs) return;
    try {
      this.deps.coordinator.heartbeat(this.groupId, this.memberId);
    } catch (err) {
      this.end(toSamsaError(err));
    }
  }
}
