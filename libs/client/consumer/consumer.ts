/**
 * Consumer: reads partitions from their leaders with the streaming Consume RPC, as async iterators.
 * Two ways to use it, for two needs:
 *
 * Streams, one-off reads that keep no state here:
 *
 *   for await (const m of consumer.partition({ topic: 'orders', partition: 0, from: 'earliest' })) { ... }
 *   for await (const m of consumer.topic({ topic: 'orders', follow: false })) { ... }   // every partition
 *   for await (const chunk of consumer.topicChunks({ topic: 'orders' })) { ... }    // faster: arrays
 *
 * An assignment (Kafka's assign()): the consumer holds partitions and their positions and is read
 * as one async iterator, with seek, pause and resume at any time; with a `groupId` it commits the
 * positions to that group's committed offsets without joining it (Kafka's "simple consumer group")
 * and starts each partition from the group's committed offset:
 *
 *   const consumer = samsa.consumer({ groupId: 'audit' });       // auto-commit every 5 s and on close
 *   consumer.assign([{ topic: 'orders', partition: 0 }, { topic: 'orders', partition: 1 }]);
 *   for await (const m of consumer) {                            // or consumer.chunks()
 *     handle(m);
 *     if (tooBusy) consumer.pause([{ topic: m.topic, partition: m.partition }]);
 *   }
 *
 * Contract of an assignment:
 * - The records of each partition come in offset order, from its position on; partitions are
 *   interleaved in arrival order.
 * - seek() takes effect for the next record delivered: records fetched for the old position are
 *   never delivered after it, also the rest of a chunk being iterated.
 * - A paused partition delivers nothing and its Consume stream is closed (nothing is fetched or
 *   buffered for it); resume() reopens it at its position. Each fetching partition holds at most
 *   one fetched chunk that is not delivered yet, so a slow loop body slows every partition.
 * - Positions: a record counts as delivered when it is handed out (position() moves past it). A
 *   manual commit() commits the positions, including the record in hand. Auto-commit commits
 *   them when the records delivered before are done with: when the next record is asked for (or
 *   while the loop waits for records), so it is at-least-once; and once more on close().
 * - A group with members (GroupConsume) refuses these commits with GROUP_NOT_EMPTY, as Kafka does.
 *   An auto-commit that fails with an error that is not retriable ends the iterator with it; a
 *   retriable one is left to the next tick.
 * - The iterator is read once; ending it (break, return, an error) closes the consumer.
 *
 * Handlers (run(), kafkajs's shape): the consumer calls a handler per record or per chunk, for
 * several partitions at once and optionally in worker threads, and commits only what the handler
 * finished (runner/runner.ts has the contract):
 *
 *   consumer.assign(partitions);
 *   await consumer.run({ eachMessage: async ({ message }) => save(message), partitionsConsumedConcurrently: 3 });
 *   // resolves once close() has drained the handlers and committed; rejects if the run breaks
 *
 * While run() runs: commit() and auto-commit commit what the handlers finished (not positions);
 * pause() stops starting handlers for a partition (the one running finishes); a partition stopped
 * by a handler error is held until resume() (which retries from the failed record) or seek().
 *
 * The consumer owns every stream, fetcher, timer, runner and worker it opened; close() ends them all.
 *
 * Why one file (~680 lines): the streams, the assignment's fetchers, auto-commit and run() share
 * one set of partition states, one event queue and one close(); the contract above is about how
 * they interleave (seek versus a chunk in hand, pause closing a stream, commits of positions or of
 * what handlers finished). The parts that stand alone are already beside it (assignment.ts,
 * partition-stream.ts, offset-committer.ts, merge.ts, runner/).
 */
import { SamsaError, hasReason, toSamsaError } from '../../errors/index.js';
import type { Cluster } from '../routing/cluster.js';
import { Producer } from '../producer/producer.js';
import { chunkMessages, decodeAsTaken, messagesChunk, type RecordChunk } from '../runner/chunk.js';
import { traceReceived } from '../../telemetry/index.js';
import { deadLetterMessage } from '../runner/dead-letter.js';
import { planRun, type RunOptions, type StoppedPartition } from '../runner/run-options.js';
import { Runner } from '../runner/runner.js';
import type { Groups } from '../groups/groups.js';
import type { RetryOptions } from '../../runtime/index.js';
import {
  Assignment,
  checkOffset,
  checkTopicPartition,
  tpKey,
  type PartitionState,
  type SeekTarget,
  type StartPoint,
  type TopicPartition,
} from './assignment.js';
import { listOffset } from './list-offsets.js';
import { mergeStreams } from './merge.js';
import { OffsetCommitter } from './offset-committer.js';
import type { OffsetSpec } from './offset-spec.js';
import { PartitionStream, type ConsumedMessage, type PartitionStreamOptions } from './partition-stream.js';

export interface ConsumerOptions {
  /** Soft cap on the bytes of one streamed chunk. Default 1 MiB. */
  maxBytes?: number;
  retry?: RetryOptions;
  /** Commit the positions of the assignment to this group (without joining it) and start from its committed offsets. */
  groupId?: string;
  /**
   * Where an assigned partition starts when the group has no committed offset for it (or it is
   * no longer in the log), or the consumer has no group: Kafka's auto.offset.reset. Default 'earliest'.
   */
  reset?: OffsetSpec;
  /** With a groupId: commit on an interval and on close (default true); false leaves it to commit(). */
  autoCommit?: boolean;
  /** Default 5000. */
  autoCommitIntervalMs?: number;
  /** A `receive` span per chunk read (default true); see PartitionStreamOptions.traceReceive. */
  traceReceive?: boolean;
}

export interface TopicStreamOptions {
  topic: string;
  /** Partitions to read; default all of the topic's. */
  partitions?: readonly number[];
  from?: OffsetSpec;
  follow?: boolean;
}

/** An offset to commit: the next one to read (last processed + 1), as in Kafka. */
export interface CommitOffset {
  topic: string;
  partition: number;
  offset: number;
  metadata?: string;
}

/**
 * What a group member that fetches for itself (groups/direct-member.ts) hears from this consumer's
 * run(): the handled offsets of each partition, as the runner reports them.
 */
export interface MemberHooks {
  /** The member's group (dead-letter headers name it). */
  group: string;
  progressed(tp: TopicPartition, next: number): void;
}

/** The stream of one fetching partition, opened at its position under its token. */
interface Fetcher {
  readonly key: string;
  readonly token: number;
  readonly stream: PartitionStream;
  readonly chunks: AsyncGenerator<ConsumedMessage[] | RecordChunk, void, undefined>;
  /** A next() is outstanding, or its result waits in the event queue. */
  pulling: boolean;
}

type FetchEvent = { fetcher: Fetcher; chunk: ConsumedMessage[] | RecordChunk | undefined } | { fetcher: Fetcher; error: unknown };

interface Delivery {
  key: string;
  token: number;
  /** A RecordChunk only while run() has workers (raw fetching). */
  chunk: ConsumedMessage[] | RecordChunk;
}

const lastOffsetOf = (chunk: ConsumedMessage[] | RecordChunk): number =>
  Array.isArray(chunk) ? (chunk[chunk.length - 1] as ConsumedMessage).offset : chunk.last;

export class Consumer implements AsyncIterable<ConsumedMessage> {
  private readonly open = new Set<PartitionStream>();
  private readonly retryOptions: RetryOptions;
  private readonly assigned = new Assignment();
  private readonly fetchers = new Map<string, Fetcher>();
  private readonly events: FetchEvent[] = [];
  private wake: (() => void) | undefined;
  private waiting = false;
  private reading = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private readonly committer: OffsetCommitter | undefined;
  private readonly autoCommit: boolean;
  private autoCommitTimer: NodeJS.Timeout | undefined;
  private commitDue = false;
  private commitFailure: SamsaError | undefined;
  /** Set while run() runs. */
  private runner: Runner | undefined;
  private runFailure: SamsaError | undefined;
  /** Partitions the runner holds back: their fetchers are not pulled (the stream stays open). */
  private readonly held = new Set<string>();
  /**
   * Fetch undecoded batches: chunks are decoded when handed out (handOut), not when fetched, since
   * every fetching partition holds one fetched chunk (see topicChunks for what that costs). run()
   * with workers decodes in the workers; run() on this thread decodes as it fetches.
   */
  private rawFetch = true;
  private deadLetters: Producer | undefined;

  constructor(
    private readonly cluster: Cluster,
    private readonly groups: Groups,
    private readonly options: ConsumerOptions = {},
    private readonly member?: MemberHooks,
  ) {
    this.retryOptions = options.retry ?? cluster.options.retry;
    const { groupId, autoCommitIntervalMs } = options;
    if (groupId !== undefined && (typeof groupId !== 'string' || groupId === ''))
      throw new SamsaError('INVALID_REQUEST', 'groupId must be a non-empty string');
    if (autoCommitIntervalMs !== undefined && (!Number.isSafeInteger(autoCommitIntervalMs) || autoCommitIntervalMs <= 0)) {
      throw new SamsaError('INVALID_REQUEST', `autoCommitIntervalMs must be a positive integer, got ${autoCommitIntervalMs}`);
    }
    this.committer = groupId === undefined ? undefined : new OffsetCommitter((offsets) => this.groups.commitOffsets(groupId, offsets));
    this.autoCommit = groupId !== undefined && options.autoCommit !== false;
  }

  // ---- streams ----

  /** A stream of one partition. Nothing is sent until the first next(). */
  partition(options: PartitionStreamOptions): PartitionStream {
    return this.openStream(options, false);
  }

  private openStream(options: PartitionStreamOptions, raw: boolean): PartitionStream {
    const stream: PartitionStream = new PartitionStream(
      this.cluster,
      this.withMaxBytes(options),
      this.retryOptions,
      () => this.open.delete(stream),
      raw,
    );
    this.open.add(stream);
    return stream;
  }

  /** Every listed partition (default all) merged, in arrival order; offset order within a partition. */
  async *topic(options: TopicStreamOptions): AsyncGenerator<ConsumedMessage, void, undefined> {
    for await (const chunk of this.topicChunks(options)) yield* chunk;
  }

  /**
   * As topic(), one array per streamed response: one await per chunk instead of per message.
   *
   * The streams are read raw and a chunk is decoded only when it is handed out: each stream has
   * its next response in hand (merge.ts), and decoded ahead those would be up to one message
   * object per record per partition alive at every young-generation GC, which copies them all
   * (at 100 B records, 6 partitions: ~60,000 objects per collection, most of the reader's GC time).
   */
  async *topicChunks(options: TopicStreamOptions): AsyncGenerator<ConsumedMessage[], void, undefined> {
    const partitions =
      options.partitions ?? (await this.cluster.withRetry(() => this.cluster.topic(options.topic))).partitions.map((p) => p.partition);
    const streams = partitions.map((partition) =>
      this.openStream(
        {
          topic: options.topic,
          partition,
          ...(options.from !== undefined ? { from: options.from } : {}),
          ...(options.follow !== undefined ? { follow: options.follow } : {}),
        },
        true,
      ),
    );
    const merged = mergeStreams(streams.map((s) => ({ [Symbol.asyncIterator]: () => s.rawChunks(), close: () => s.close() })));
    // A stream answered in the structured form traced its chunk already (partition-stream.ts).
    const trace = (chunk: RecordChunk, messages: ConsumedMessage[]): void => {
      if (chunk.body.kind === 'batches') traceReceived(chunk.topic, chunk.partition, messages);
    };
    yield* decodeAsTaken(merged, this.options.traceReceive === false ? undefined : trace);
  }

  // ---- assignment ----

  /**
   * Replaces the assigned partitions. Partitions that stay keep their position and pause state;
   * new ones start at the group's committed offset, else at `reset`. Takes effect at once, also
   * while the consumer is being read.
   */
  assign(partitions: readonly TopicPartition[]): void {
    this.throwIfClosed();
    const reset = this.options.reset ?? 'earliest';
    const start: StartPoint = this.committer ? { kind: 'committed', reset } : { kind: 'spec', spec: reset };
    const before = new Map(this.assigned.all().map((s) => [s.key, { topic: s.topic, partition: s.partition }]));
    const removed = this.assigned.assign(partitions, start);
    for (const key of removed) this.retire(key);
    this.runner?.remove(removed.flatMap((key) => before.get(key) ?? []));
    this.signal();
  }

  /**
   * For a group member fetching for itself: replaces the assignment; a new partition starts at its
   * `committed` offset (the group's, from the coordinator), else at `reset`. Under run(), a removed
   * partition's queued chunks are handled first, for at most `drainMs`; Runner.gone() says when it
   * is done with them.
   */
  assignFromGroup(partitions: readonly (TopicPartition & { committed: number | undefined })[], drainMs?: number): void {
    this.throwIfClosed();
    const reset = this.options.reset ?? 'earliest';
    const starts = new Map(partitions.map((p) => [tpKey(p), p.committed]));
    const before = new Map(this.assigned.all().map((s) => [s.key, { topic: s.topic, partition: s.partition }]));
    const removed = this.assigned.assign(partitions, (tp) => {
      const offset = starts.get(tpKey(tp));
      return offset === undefined ? { kind: 'spec', spec: reset } : { kind: 'offset', offset, reset };
    });
    for (const key of removed) this.retire(key);
    const gone = removed.flatMap((key) => before.get(key) ?? []);
    this.runner?.keep(partitions);
    if (gone.length > 0) this.runner?.remove(gone, drainMs);
    this.signal();
  }

  assignment(): TopicPartition[] {
    return this.assigned.all().map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  /** The next records delivered for the partition start at `to`. INVALID_REQUEST if it is not assigned. */
  seek(topic: string, partition: number, to: SeekTarget): void {
    this.throwIfClosed();
    this.retire(this.assigned.seek({ topic, partition }, to).key);
    this.runner?.reset({ topic, partition });
    this.signal();
  }

  /** Stops delivering and fetching these partitions until resume(); the others go on. */
  pause(partitions: readonly TopicPartition[]): void {
    for (const state of this.assigned.pause(partitions)) this.retire(state.key);
    for (const tp of partitions) this.runner?.setPaused(tp, true);
  }

  /** Under run(), a partition stopped by a handler error starts again at the failed record. */
  resume(partitions: readonly TopicPartition[]): void {
    this.assigned.resume(partitions);
    for (const tp of partitions) this.runner?.setPaused(tp, false);
    for (const s of this.runner?.stopped() ?? []) {
      if (partitions.some((tp) => tp.topic === s.topic && tp.partition === s.partition)) this.seek(s.topic, s.partition, s.offset);
    }
    this.signal();
  }

  /** Under run(): the partitions a handler error stopped, each at its failed record. */
  stoppedPartitions(): StoppedPartition[] {
    return this.runner?.stopped() ?? [];
  }

  paused(): TopicPartition[] {
    return this.assigned.all().flatMap((s) => (s.paused ? [{ topic: s.topic, partition: s.partition }] : []));
  }

  /** The next offset to be delivered for the partition; undefined until its start is resolved (after assign or a seek to a spec). */
  position(tp: TopicPartition): number | undefined {
    return this.assigned.require(tp).position;
  }

  /**
   * Commits to the group (needs `groupId`): the positions of every assigned partition, or the
   * given offsets. Resolves when durable. Refused with GROUP_NOT_EMPTY while the group has
   * members; UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST (a bad offset, checked before sending).
   */
  commit(offsets?: readonly CommitOffset[]): Promise<void> {
    if (!this.committer) return Promise.reject(new SamsaError('INVALID_REQUEST', 'commit() needs a consumer created with a groupId'));
    if (offsets === undefined) return this.committer.commit(this.commitOffsets());
    try {
      for (const o of offsets) {
        checkTopicPartition(o);
        checkOffset(o.offset, `commit ${o.topic}/${o.partition}`);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return this.committer.commit(
      offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata ?? '' })),
    );
  }

  /** The records of the assignment, one at a time. Read once, through this or chunks(). */
  async *[Symbol.asyncIterator](): AsyncGenerator<ConsumedMessage, void, undefined> {
    for await (const d of this.deliveries()) {
      for (const m of this.handOut(d.chunk)) {
        // Stop at a seek, pause or unassign made while this chunk was being handed out.
        if (!this.assigned.delivered(d.key, d.token, m.offset)) break;
        yield m;
      }
    }
  }

  /** The records of the assignment, one array per streamed response of a partition (never empty). */
  async *chunks(): AsyncGenerator<ConsumedMessage[], void, undefined> {
    for await (const d of this.deliveries()) {
      if (!this.assigned.delivered(d.key, d.token, lastOffsetOf(d.chunk))) continue;
      const messages = this.handOut(d.chunk);
      if (messages.length > 0) yield messages;
    }
  }

  /** A fetched chunk's messages: decoded now if it was fetched raw (and traced then, as a stream traces what it decodes). */
  private handOut(chunk: ConsumedMessage[] | RecordChunk): ConsumedMessage[] {
    if (Array.isArray(chunk)) return chunk;
    const messages = chunkMessages(chunk);
    if (chunk.body.kind === 'batches' && messages.length > 0 && this.options.traceReceive !== false) {
      traceReceived(chunk.topic, chunk.partition, messages);
    }
    return messages;
  }

  /**
   * Runs a handler over the records of the assignment (per record or per chunk), for several
   * partitions at once and optionally in worker threads (RunOptions), until close(). Resolves when
   * close() has stopped the handlers after the records in hand and committed what they finished;
   * rejects when the run breaks (a worker died, a commit failed for good, a fetch failed for good).
   * Read once, like the iterators.
   */
  async run(options: RunOptions): Promise<void> {
    const plan = planRun(options);
    if (this.reading)
      throw new SamsaError('INVALID_REQUEST', 'this consumer is already being read (read it once: run(), records or chunks)');
    this.throwIfClosed();
    const runner = await Runner.start(plan, {
      source: {
        hold: (tp) => this.held.add(tpKey(tp)),
        release: (tp) => {
          this.held.delete(tpKey(tp));
          this.signal();
        },
        progressed: (tp, next) => this.member?.progressed(tp, next),
        // The fetch itself is the credit here: a held partition is not pulled.
        taken: () => undefined,
      },
      deadLetter: async (topic, record, from, error, attempts) => {
        this.deadLetters ??= new Producer(this.cluster, { acks: 'all', retry: this.retryOptions });
        await this.deadLetters.send({ topic, messages: [deadLetterMessage(record, from, error, attempts)] });
      },
      group: this.member?.group ?? this.options.groupId,
      onFatal: (err) => {
        this.runFailure ??= toSamsaError(err);
        this.signal();
      },
    });
    if (this.closed) {
      await runner.stop();
      return;
    }
    this.runner = runner;
    this.rawFetch = plan.workers > 0;
    for await (const d of this.deliveries()) {
      if (this.assigned.delivered(d.key, d.token, lastOffsetOf(d.chunk)))
        runner.push(Array.isArray(d.chunk) ? messagesChunk(d.chunk) : d.chunk);
    }
  }

  /** The runner of run(), for tests and benchmarks that observe it (peak concurrency, worker threads). */
  get running(): Runner | undefined {
    return this.runner;
  }

  /**
   * Cancels every stream, fetcher and timer of this consumer; with auto-commit, commits the
   * positions one last time and rejects if that fails. Idempotent.
   */
  close(): Promise<void> {
    if (!this.closing) {
      // Set before shutdown() runs, so everything it triggers already sees the consumer closed.
      this.closed = true;
      this.closing = this.shutdown();
    }
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.abort.abort();
    clearInterval(this.autoCommitTimer);
    for (const key of [...this.fetchers.keys()]) this.retire(key);
    for (const s of [...this.open]) s.close();
    this.signal();
    // Handlers first: the last commit covers what they finish now.
    await this.runner?.stop();
    await this.deadLetters?.close();
    if (this.committer && this.autoCommit) await this.committer.commit(this.commitOffsets());
  }

  private throwIfClosed(): void {
    if (this.closed) throw new SamsaError('INVALID_REQUEST', 'the consumer is closed');
  }

  /** The consumer's defaults (maxBytes, traceReceive) under the stream's own options. */
  private withMaxBytes(options: PartitionStreamOptions): PartitionStreamOptions {
    return {
      ...(this.options.maxBytes !== undefined ? { maxBytes: this.options.maxBytes } : {}),
      ...(this.options.traceReceive !== undefined ? { traceReceive: this.options.traceReceive } : {}),
      ...options,
    };
  }

  private positions(): { topic: string; partition: number; offset: number; metadata: string }[] {
    return this.assigned.positions().map((p) => ({ ...p, metadata: '' }));
  }

  /** What commit() and auto-commit commit: the positions, or under run() what the handlers finished. */
  private commitOffsets(): { topic: string; partition: number; offset: number; metadata: string }[] {
    if (!this.runner) return this.positions();
    return this.runner.finished().flatMap((f) => (this.assigned.get(tpKey(f)) ? [{ ...f, metadata: '' }] : []));
  }

  // ---- the fetch loop of the assignment ----

  /**
   * Chunks of the fetching partitions, each tagged with the token it was fetched under. Every
   * pass: commit if due, resolve unknown starts, open streams for partitions that should fetch and
   * pull each once, then hand out one chunk (or wait for one, or for a change of the assignment).
   */
  private async *deliveries(): AsyncGenerator<Delivery, void, undefined> {
    if (this.reading) throw new SamsaError('INVALID_REQUEST', 'this consumer is already being read (read it once: records or chunks)');
    this.reading = true;
    this.startAutoCommit();
    let failed = false;
    try {
      while (!this.closed) {
        this.commitIfDue();
        if (this.commitFailure) throw this.commitFailure;
        if (this.runFailure) throw this.runFailure;
        await this.resolveStarts();
        if (this.closed) return;
        this.reconcile();
        let event = this.events.shift();
        if (!event) {
          // A seek made while starts were being resolved needs another pass, not a wait.
          if (this.assigned.unresolved().length > 0) continue;
          event = await this.nextEvent();
          if (!event) continue;
        }
        event.fetcher.pulling = false;
        if (this.fetchers.get(event.fetcher.key) !== event.fetcher) continue;
        if ('error' in event) throw event.error;
        if (!event.chunk) {
          // A stream ends only when closed; a new one opens on the next pass if it should fetch.
          this.fetchers.delete(event.fetcher.key);
          continue;
        }
        yield { key: event.fetcher.key, token: event.fetcher.token, chunk: event.chunk };
      }
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      // The error that ended the loop is the one to see, not a failed final commit after it.
      if (failed) await this.close().catch(() => undefined);
      else await this.close();
    }
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Waits for a fetched chunk or any change (seek, pause, resume, assign, commit tick, close). */
  private async nextEvent(): Promise<FetchEvent | undefined> {
    this.waiting = true;
    try {
      await new Promise<void>((resolve) => (this.wake = resolve));
    } finally {
      this.waiting = false;
    }
    return this.events.shift();
  }

  /** Opens a stream for every partition that should fetch, closes stale ones, pulls each once. */
  private reconcile(): void {
    for (const state of this.assigned.fetchable()) {
      let fetcher = this.fetchers.get(state.key);
      if (fetcher && fetcher.token !== state.token) {
        this.retire(state.key);
        fetcher = undefined;
      }
      fetcher ??= this.openFetcher(state);
      if (!fetcher.pulling && !this.held.has(state.key)) this.pull(fetcher);
    }
  }

  private openFetcher(state: PartitionState): Fetcher {
    const stream = new PartitionStream(
      this.cluster,
      this.withMaxBytes({ topic: state.topic, partition: state.partition, from: { offset: state.position as number }, follow: true }),
      this.retryOptions,
      undefined,
      this.rawFetch,
    );
    const fetcher: Fetcher = {
      key: state.key,
      token: state.token,
      stream,
      chunks: this.rawFetch ? stream.rawChunks() : stream.chunks(),
      pulling: false,
    };
    this.fetchers.set(state.key, fetcher);
    return fetcher;
  }

  private pull(fetcher: Fetcher): void {
    fetcher.pulling = true;
    fetcher.chunks.next().then(
      (step) => this.push({ fetcher, chunk: step.done ? undefined : step.value }),
      (error: unknown) => this.push({ fetcher, error }),
    );
  }

  private push(event: FetchEvent): void {
    // What a retired fetcher brings in is dropped here, so it is not even held in memory.
    if (this.fetchers.get(event.fetcher.key) !== event.fetcher) return;
    this.events.push(event);
    this.signal();
  }

  /** Closes the partition's stream; whatever it fetched and has not been delivered is dropped. */
  private retire(key: string): void {
    const fetcher = this.fetchers.get(key);
    if (!fetcher) return;
    this.fetchers.delete(key);
    fetcher.stream.close();
  }

  /**
   * Resolves the start of every partition that should fetch but has no position: the group's
   * committed offset if it has one that is still in the log, else the partition's start spec.
   * A result for a partition sought, paused or unassigned meanwhile is dropped (token).
   */
  private async resolveStarts(): Promise<void> {
    const todo = this.assigned
      .unresolved()
      .map((s) => ({ key: s.key, token: s.token, topic: s.topic, partition: s.partition, start: s.start }));
    if (todo.length === 0) return;
    try {
      const committed = await this.committedOffsets(todo.filter((t) => t.start.kind === 'committed'));
      await Promise.all(
        todo.map(async (t) => {
          const reset = t.start.kind === 'spec' ? t.start.spec : t.start.reset;
          const known = t.start.kind === 'offset' ? t.start.offset : committed.get(t.key);
          const offset = await this.resolveStart(t, known, reset);
          this.assigned.resolved(t.key, t.token, offset);
        }),
      );
    } catch (err) {
      if (!this.closed) throw err;
    }
  }

  private async resolveStart(tp: TopicPartition, committed: number | undefined, reset: OffsetSpec): Promise<number> {
    if (committed !== undefined) {
      try {
        return (await listOffset(this.cluster, tp.topic, tp.partition, { offset: committed }, this.retryOptions, this.abort.signal)).offset;
      } catch (err) {
        // Retention removed it (or the log is shorter than it): the reset policy applies, as Kafka's auto.offset.reset.
        if (!hasReason(err, 'OFFSET_OUT_OF_RANGE')) throw err;
      }
    }
    return (await listOffset(this.cluster, tp.topic, tp.partition, reset, this.retryOptions, this.abort.signal)).offset;
  }

  /** The group's committed offsets of `tps` (those that have one), by key. */
  private async committedOffsets(tps: readonly TopicPartition[]): Promise<Map<string, number>> {
    const groupId = this.options.groupId;
    if (groupId === undefined || tps.length === 0) return new Map();
    try {
      const offsets = await this.groups.fetchOffsets(groupId, tps);
      return new Map(offsets.filter((o) => o.offset >= 0).map((o) => [tpKey(o), o.offset]));
    } catch (err) {
      if (hasReason(err, 'GROUP_ID_NOT_FOUND')) return new Map();
      throw err;
    }
  }

  // ---- auto-commit ----

  private startAutoCommit(): void {
    if (!this.autoCommit || this.autoCommitTimer) return;
    this.autoCommitTimer = setInterval(() => {
      this.commitDue = true;
      // The loop is waiting for records: everything delivered before is done with.
      if (this.waiting) this.commitIfDue();
    }, this.options.autoCommitIntervalMs ?? 5_000);
    // The consumer owns the timer and clears it on close; it alone should not keep a process alive.
    this.autoCommitTimer.unref();
  }

  /** Called only when every record delivered so far is done with (the next one is asked for). */
  private commitIfDue(): void {
    if (!this.commitDue || !this.committer) return;
    this.commitDue = false;
    this.committer.commit(this.commitOffsets()).catch((raw: unknown) => {
      const err = toSamsaError(raw);
      if (err.retriable || this.closed) return;
      this.commitFailure ??= err;
      this.signal();
    });
  }
}
