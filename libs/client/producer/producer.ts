/**
 * Producer: send({ topic, messages }) partitions the messages client-side (murmur2 of the key, as
 * Kafka's default partitioner; sticky round-robin for keyless ones; or an explicit partition),
 * encodes one record batch per partition chunk with the batch codec, and sends each chunk in the
 * pre-encoded `batches` form straight to the partition's leader.
 *
 * Ordering and concurrency: requests for different partitions (and to different brokers) are in
 * flight at the same time. Records of one partition are written in the order of the send() calls
 * that made them, even when callers pipeline several send() calls, and even across retries:
 * - a non-idempotent producer has one request per partition out at a time, and a retried request
 *   is retried before the next one for that partition goes;
 * - an idempotent producer may have up to maxInFlightPerPartition (1 to 5, Kafka's
 *   max.in.flight.requests.per.connection; default 1, see below) out per partition, each batch
 *   numbered in send order.
 *   The leader appends a batch only when it continues the one before (OUT_OF_ORDER_SEQUENCE
 *   otherwise); a request refused that way while the one ahead of it is still out waits for that
 *   one, and goes again once it is written. A session's first batch to a partition goes alone
 *   (the leader does not know the producer yet, so it could not tell order), and so does the first
 *   one of a new session after a failure, once the old session's requests have all settled.
 * Records that wait while a partition's requests are out go together in its next request, filled
 * up to maxBatchBytes: many small send() calls become few large batches under load, and a large
 * send() is split where a request is full, its rest going first in the next one (waiting-chunks.ts).
 *
 * Why one in flight by default: on the 2-core benchmark machine, where the brokers and the client
 * share the cores and loopback has no latency to hide, 5 in flight made no throughput difference
 * (RF=3 acks=all, 6 partitions: 524k/605k records/s with 1, 589k/479k with 5, A/B pairs) and cost
 * latency (e2e p50 at 10,000/s 4.3 -> 5.4 ms), because small sends then go as many small requests
 * instead of coalescing behind the one out. It pays where a round trip is long against the time to
 * process a request (brokers across a network).
 *
 * Retriable failures (a leader moved, no leader yet, the broker is briefly unreachable) refresh
 * the metadata of the topic and are retried by the retry helper with backoff; a refusal that
 * names the new leader is sent there at once, once (newLeaderHint).
 *
 * Tracing (when the process runs the OpenTelemetry SDK): each send() is a PRODUCER span
 * `send <topic>`, parent of its gRPC calls; unless `traceHeaders` is false, every record also
 * carries that span's W3C `traceparent` header, so a consumer's span can link back to it. A
 * message that already has a `traceparent` header keeps its own. Without the SDK nothing is added.
 *
 * Why one file (~580 lines): the per-partition queues, the in-flight order of an idempotent session
 * and the retry of a refused batch are one mechanism (a request may only start when the one ahead
 * settled, and a retried batch keeps its sequence); splitting them would spread that rule over
 * files. Encoding lives in messages.ts, what a request takes from the queue in waiting-chunks.ts,
 * routing in routing/.
 */
import type * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../../errors/index.js';
import { callError, STALE_METADATA } from '../errors.js';
import { buildBatch, codecId, compressBatch, type CompressionCodec, type RecordInput } from '../../record/index.js';
import {
  callUnary,
  coversProduceRequest,
  encodeProduceRequest,
  produceEncoded,
  produceRequestHeadroom,
  type ProduceRequestFields,
  type v1,
} from '../../rpc/index.js';
import { ATTR, SpanKind, TRACEPARENT_HEADER, traceHeaders, withSpan, type TraceHeader } from '../../telemetry/index.js';
import type { Cluster } from '../routing/cluster.js';
import { retry, SerialQueue, type RetryOptions } from '../../runtime/index.js';
import { BatchBuffers } from './batch-buffers.js';
import { partitionMessages, type EncodedMessage, type Partitioner, type ProducerMessage } from './messages.js';
import {
  partMessages,
  partsFailed,
  partsWritten,
  refuseRest,
  takeParts,
  waitingChunk,
  type ChunkPart,
  type WaitingChunk,
} from './waiting-chunks.js';

/** 'all': every in-sync replica has the write; 1: the leader has it; 0: do not wait (no errors reported). */
export type Acks = 'all' | 1 | 0;

export interface ProducerOptions {
  /** Default 'all'. */
  acks?: Acks;
  /** How long the leader may wait for in-sync replicas with acks 'all', in ms. Default 30000. */
  ackTimeoutMs?: number;
  /** Largest batch this producer builds, in bytes (estimated). Default 900 KiB, below the 1 MiB max.message.bytes default. */
  maxBatchBytes?: number;
  retry?: RetryOptions;
  /**
   * Idempotent producer (default: on when acks is 'all', as in Kafka 3): batches carry a producer
   * id and per-partition sequence numbers, so a batch retried after a lost answer, or after a
   * leader failover, is written once. Requires acks 'all'.
   */
  idempotent?: boolean;
  /** Put the send's trace context into each record's headers (`traceparent`). Default true; a no-op without the SDK. */
  traceHeaders?: boolean;
  /** Picks partitions instead of murmur2(key) / sticky round-robin; an explicit `partition` still wins. */
  partitioner?: Partitioner;
  /**
   * Requests an idempotent producer may keep in flight per partition, 1 to 5 (the brokers remember
   * the last 5 batches of each producer to recognise retries). Default 1 (see the file comment).
   * A non-idempotent producer always has one, which is what keeps its retries in order.
   */
  maxInFlightPerPartition?: number;
  /**
   * Codec for the records of each batch (Kafka's `compression.type`): 'none' (default), 'gzip',
   * 'snappy', 'lz4' or 'zstd'. Batches are compressed off the event loop before they are sent;
   * brokers store and serve them compressed, and the consumer decompresses.
   */
  compression?: CompressionCodec;
  /**
   * A fixed idempotent identity instead of one from InitProducerId: every batch carries this
   * producer id and epoch, with sequences from 0 per partition. For a writer that fences by epoch
   * (the group coordinator writing __consumer_offsets, docs/adr/0029): a broker that has written a
   * higher epoch of the same id refuses a lower one (INVALID_PRODUCER_EPOCH). A failed send leaves
   * the sequence unknown, so this producer then refuses every later send with that first error:
   * continue with a new producer and a higher epoch. Requires idempotence (acks 'all').
   */
  identity?: { producerId: number; producerEpoch: number };
}

export interface ProducerRecord {
  topic: string;
  messages: readonly ProducerMessage[];
  /** Overrides the producer's acks for this send. */
  acks?: Acks;
}

/** Where the records of a send() that one batch carried were written (a batch may also carry other sends' records). */
export interface RecordMetadata {
  topic: string;
  partition: number;
  /** Offset of the batch's first record; -1 with acks 0. */
  baseOffset: number;
  recordCount: number;
}

const ACKS: Record<string, v1.Acks> = { all: 'ACKS_ALL', '1': 'ACKS_LEADER', '0': 'ACKS_NONE' };

const INT32_MAX = 0x7fffffff;

/**
 * One producer id with its per-partition next sequence numbers. A failed send (its outcome may be
 * unknown) retires the session: the next batch starts a new one with a new id, so a sequence gap
 * can never wedge the producer.
 */
interface IdempotentSession {
  producerId: number;
  producerEpoch: number;
  /** Next sequence per partition, taken when a batch is built (so in send order). */
  sequences: Map<string, number>;
  /** Partitions whose leader has written a batch of this session: it knows the producer. */
  confirmed: Set<string>;
}

/** The brokers' DEDUPE_WINDOW (and Kafka's max.in.flight.requests.per.connection default). */
const MAX_IN_FLIGHT_PER_PARTITION = 5;

/**
 * How a produce request is retried unless the caller says otherwise (fields given in the
 * producer's or the client's `retry` win): bounded by time, like Kafka's delivery.timeout.ms, not
 * by a few attempts, and with short waits (50 ms, doubling to at most 250 ms, Kafka's
 * retry.backoff.ms to retry.backoff.max.ms), because during a failover each retry re-reads the
 * metadata, and the new leader is served from the moment the controller names it: with waits
 * growing to seconds the producer found a new leader up to 1.6 s after it was there, and gave up
 * after 3.1 s, before a dead leader's lease had even ended (docs/benchmarks.md, Failover).
 */
const PRODUCE_RETRY: RetryOptions = { retries: 1_000, initialDelayMs: 50, maxDelayMs: 250, maxElapsedMs: 30_000 };

/**
 * The address a NOT_LEADER_OR_FOLLOWER refusal names as the partition's leader now (the
 * `leader-address` detail brokers add), when it is another broker than the one asked.
 */
function newLeaderHint(err: unknown, askedAddress: string): string | undefined {
  if (!(err instanceof SamsaError) || err.reason !== 'NOT_LEADER_OR_FOLLOWER') return undefined;
  const hinted = err.details['leader-address'];
  return hinted && hinted !== askedAddress ? hinted : undefined;
}

/** A broker may not know a topic for a moment after it was created; retry that this many times. */
const UNKNOWN_TOPIC_RETRIES = 5;

/**
 * The records of `messages` with the send's trace headers added (a message that has its own
 * `traceparent` keeps it). An EncodedMessage is a RecordInput (timestampMs undefined means "now"),
 * so without trace headers the messages go to the codec as they are, with no per-record copy.
 */
function traced(messages: EncodedMessage[], trace: readonly TraceHeader[]): readonly RecordInput[] {
  if (trace.length === 0) return messages;
  return messages.map((m) => ({
    key: m.key,
    value: m.value,
    headers: m.headers.some((h) => h.key === TRACEPARENT_HEADER) ? m.headers : [...m.headers, ...trace],
    ...(m.timestampMs !== undefined ? { timestampMs: m.timestampMs } : {}),
  }));
}

interface PartitionQueue {
  waiting: WaitingChunk[];
  /** Settlement of each request out for this partition, oldest first (true: written). */
  inFlight: Promise<boolean>[];
  /** The session the requests in flight were built in (undefined for a non-idempotent producer). */
  session: IdempotentSession | undefined;
  /** A pump is starting requests for this partition. */
  pumping: boolean;
  /**
   * Requests in flight that failed once and are being sent again. While there are any, no new
   * request starts: it would overtake them and be refused as out of order in its turn, and so on.
   */
  retrying: number;
}

export class Producer {
  private readonly acks: Acks;
  private readonly ackTimeoutMs: number;
  private readonly maxBatchBytes: number;
  private readonly retryOptions: RetryOptions;
  private readonly traceHeaders: boolean;
  /** Chunks waiting for each partition ("topic\0partition"), and whether a request is out for it. */
  private readonly queues = new Map<string, PartitionQueue>();
  /**
   * send() calls take their place in the partition chains in call order: their metadata lookups
   * run one at a time, and each send enqueues its chunks in the same turn its lookup resolves,
   * before the next lookup can.
   */
  private readonly admission = new SerialQueue();
  private readonly sticky = new Map<string, number>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly buffers = new BatchBuffers();
  private readonly takeBuffer = (size: number): Buffer => this.buffers.take(size);
  private closed = false;
  private readonly idempotent: boolean;
  private readonly partitioner: Partitioner | undefined;
  private readonly maxInFlight: number;
  private readonly compression: CompressionCodec;
  private session: Promise<IdempotentSession> | undefined;
  private readonly identity: { producerId: number; producerEpoch: number } | undefined;
  /** The first failure of a producer with a fixed identity: every later send gets it. */
  private identityFailure: { error: unknown } | undefined;

  constructor(
    private readonly cluster: Cluster,
    options: ProducerOptions = {},
  ) {
    this.acks = options.acks ?? 'all';
    this.ackTimeoutMs = options.ackTimeoutMs ?? 30_000;
    this.maxBatchBytes = options.maxBatchBytes ?? 900 * 1024;
    this.retryOptions = { ...PRODUCE_RETRY, ...(options.retry ?? cluster.options.retry) };
    this.idempotent = options.idempotent ?? this.acks === 'all';
    this.partitioner = options.partitioner;
    this.traceHeaders = options.traceHeaders ?? true;
    this.maxInFlight = options.maxInFlightPerPartition ?? 1;
    this.compression = options.compression ?? 'none';
    codecId(this.compression); // INVALID_REQUEST for a name that is not a codec
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1 || this.maxInFlight > MAX_IN_FLIGHT_PER_PARTITION) {
      throw new SamsaError(
        'INVALID_REQUEST',
        `maxInFlightPerPartition is ${this.maxInFlight}; expected an integer from 1 to ${MAX_IN_FLIGHT_PER_PARTITION}`,
      );
    }
    this.identity = options.identity;
    if (this.identity && !this.idempotent)
      throw new SamsaError('INVALID_REQUEST', 'a producer with a fixed identity is idempotent: do not set idempotent: false');
    if (this.idempotent && this.acks !== 'all') {
      throw new SamsaError(
        'INVALID_REQUEST',
        `an idempotent producer needs acks 'all' (got ${String(this.acks)}); set idempotent: false to use acks ${String(this.acks)}`,
      );
    }
  }

  /** The current idempotent session, starting one (InitProducerId) when there is none. */
  private currentSession(): Promise<IdempotentSession> {
    if (this.identityFailure) return Promise.reject(this.identityFailure.error);
    if (!this.session) {
      const identity = this.identity;
      const started = (identity ? Promise.resolve(identity) : this.cluster.withRetry(() => this.cluster.initProducerId())).then((id) => ({
        producerId: id.producerId,
        producerEpoch: id.producerEpoch,
        sequences: new Map<string, number>(),
        confirmed: new Set<string>(),
      }));
      this.session = started;
      started.catch(() => {
        if (this.session === started) this.session = undefined;
      });
    }
    return this.session;
  }

  /**
   * Writes `messages` to `topic`. Resolves when every batch is acknowledged (per `acks`), with one
   * entry per batch that carried records of this send (its records' first offset and count),
   * sorted by partition and offset; rejects with the first error once all of this send's requests
   * have settled.
   */
  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    if (this.closed) throw new SamsaError('INVALID_REQUEST', 'the producer is closed');
    if (record.messages.length === 0) return [];
    const attributes = {
      'messaging.system': 'samsa',
      'messaging.operation.type': 'send',
      'messaging.destination.name': record.topic,
      'messaging.batch.message_count': record.messages.length,
      [ATTR.topic]: record.topic,
    };
    return withSpan(`send ${record.topic}`, attributes, () => this.sendInSpan(record), { kind: SpanKind.PRODUCER });
  }

  private async sendInSpan(record: ProducerRecord): Promise<RecordMetadata[]> {
    const trace = this.traceHeaders ? traceHeaders() : [];
    const acks = record.acks ?? this.acks;
    const topic = await this.admission.run(() => this.cluster.withRetry(() => this.cluster.topic(record.topic)));
    // From here to the end of the loop nothing awaits: the chunks join the partition chains in call order.
    // One chunk per partition: the requests cut it (takeParts), filling each up to maxBatchBytes.
    const chunks = partitionMessages(
      record.messages,
      topic.partitions.length,
      this.nextStickyPartition(record.topic, topic.partitions.length),
      Number.POSITIVE_INFINITY,
      this.partitioner ? { topic: record.topic, partitioner: this.partitioner } : undefined,
    );
    const results = chunks.map((chunk) => this.enqueue(record.topic, chunk.partition, chunk.messages, acks, trace));
    const settled = await Promise.allSettled(results);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return settled
      .flatMap((s) => (s as PromiseFulfilledResult<RecordMetadata[]>).value)
      .sort((a, b) => a.partition - b.partition || a.baseOffset - b.baseOffset);
  }

  /** Resolves when every request sent so far has settled. */
  async flush(): Promise<void> {
    // A request that settles may start the next one for its partition: wait for those too.
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Waits for in-flight requests, then refuses further sends. Does not close the shared connections. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private nextStickyPartition(topic: string, partitions: number): number {
    const next = this.sticky.get(topic) ?? Math.floor(Math.random() * partitions);
    this.sticky.set(topic, (next + 1) % partitions);
    return next % partitions;
  }

  /**
   * Queues a chunk for its partition. Chunks that arrive while the partition's requests are out
   * wait, and the next request carries the waiting records (same acks, in order) up to one batch
   * of maxBatchBytes: while the broker answers, small sends pile up into one batch instead of a
   * queue of small requests (Kafka's accumulator does the same). Resolves with one entry per
   * request that carried records of the chunk.
   */
  private enqueue(
    topic: string,
    partition: number,
    messages: EncodedMessage[],
    acks: Acks,
    trace: readonly TraceHeader[],
  ): Promise<RecordMetadata[]> {
    const key = `${topic}\0${partition}`;
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { waiting: [], inFlight: [], session: undefined, pumping: false, retrying: 0 };
      this.queues.set(key, queue);
    }
    const result = new Promise<RecordMetadata[]>((resolve, reject) =>
      queue.waiting.push(waitingChunk(messages, acks, trace, resolve, reject)),
    );
    this.pump(topic, partition, key, queue);
    return result;
  }

  /** Starts a pump for the partition unless one runs; flush() waits for it. */
  private pump(topic: string, partition: number, key: string, queue: PartitionQueue): void {
    if (queue.pumping) return;
    const pumping = this.startRequests(topic, partition, key, queue);
    this.pending.add(pumping);
    void pumping.then(() => this.pending.delete(pumping));
  }

  /**
   * Starts requests for the partition's waiting chunks while the in-flight rules allow (see the
   * file comment); a request that settles pumps again. Never rejects: failures go to the chunks.
   */
  private async startRequests(topic: string, partition: number, key: string, queue: PartitionQueue): Promise<void> {
    queue.pumping = true;
    try {
      while (queue.waiting.length > 0) {
        const first = queue.waiting[0] as WaitingChunk;
        let session: IdempotentSession | undefined;
        if (this.idempotent) {
          try {
            if (first.acks !== 'all')
              throw new SamsaError('INVALID_REQUEST', `this producer is idempotent and needs acks 'all' (got ${String(first.acks)})`);
            session = await this.currentSession();
          } catch (err) {
            queue.waiting.shift();
            refuseRest(first, err);
            continue;
          }
        }
        if (!this.mayStart(queue, session, key)) return;
        this.startRequest(topic, partition, key, queue, takeParts(queue.waiting, this.maxBatchBytes), session);
      }
    } finally {
      queue.pumping = false;
      if (queue.waiting.length === 0 && queue.inFlight.length === 0 && this.queues.get(key) === queue) this.queues.delete(key);
    }
  }

  private mayStart(queue: PartitionQueue, session: IdempotentSession | undefined, key: string): boolean {
    if (queue.inFlight.length === 0) return true;
    if (!session || queue.session !== session || !session.confirmed.has(key) || queue.retrying > 0) return false;
    return queue.inFlight.length < this.maxInFlight;
  }

  /** Builds the parts' batch (taking its sequence numbers now, in send order) and sends it. */
  private startRequest(
    topic: string,
    partition: number,
    key: string,
    queue: PartitionQueue,
    parts: ChunkPart[],
    session: IdempotentSession | undefined,
  ): void {
    const first = (parts[0] as ChunkPart).chunk;
    const records =
      parts.length === 1
        ? traced(partMessages(parts[0] as ChunkPart), first.trace)
        : parts.flatMap((p) => traced(partMessages(p), p.chunk.trace));
    let batch: Buffer;
    const baseSequence = session ? (session.sequences.get(key) ?? 0) : -1;
    // Room in front of an uncompressed batch for the request's own fields (sendBatch).
    const headroom = this.compression === 'none' ? produceRequestHeadroom(topic) : 0;
    try {
      batch = buildBatch(
        records,
        session
          ? { producerId: session.producerId, producerEpoch: session.producerEpoch, baseSequence, headroom, alloc: this.takeBuffer }
          : { headroom, alloc: this.takeBuffer },
      );
    } catch (err) {
      partsFailed(parts, err);
      return;
    }
    if (session) session.sequences.set(key, (baseSequence + records.length) % (INT32_MAX + 1));
    const ahead = queue.inFlight[queue.inFlight.length - 1];
    let settle: (written: boolean) => void = () => undefined;
    const settled = new Promise<boolean>((resolve) => (settle = resolve));
    queue.inFlight.push(settled);
    queue.session = session;
    let retried = false;
    const onRetry = (): void => {
      if (retried) return;
      retried = true;
      queue.retrying++;
    };
    const ready = this.compression === 'none' ? Promise.resolve(batch) : compressBatch(batch, this.compression);
    const request = this.sendInOrder(topic, partition, ready, headroom, first.acks, records.length, ahead, onRetry).then(
      (meta) => {
        // Answered: grpc-js is done with the batch (batch-buffers.ts). A compressed batch is a copy.
        this.buffers.give(batch);
        session?.confirmed.add(key);
        partsWritten(parts, meta);
        return true;
      },
      async (err: unknown) => {
        // The batch may or may not be in the log: retire the session rather than guess (a fixed
        // identity cannot start another: it refuses every later send).
        if (session && this.identity) this.identityFailure ??= { error: err };
        if (session && this.session && (await this.session.catch(() => undefined)) === session) this.session = undefined;
        partsFailed(parts, err);
        return false;
      },
    );
    const done = request.then((written) => {
      // `void`: splice hands back the removed entry, which is `settled`, already settled here.
      void queue.inFlight.splice(queue.inFlight.indexOf(settled), 1);
      if (retried) queue.retrying--;
      settle(written);
      // Starts what waits, or (nothing waiting, nothing out) drops the idle queue.
      this.pump(topic, partition, key, queue);
    });
    this.pending.add(done);
    void done.then(() => this.pending.delete(done));
  }

  /**
   * sendBatch, and when the leader refuses the batch as out of order while the request ahead of
   * it (`ahead`) is still out, e.g. both were retried after a leader change and this one got there
   * first: waits for that one and, once it is written, sends this one again.
   */
  private async sendInOrder(
    topic: string,
    partition: number,
    ready: Promise<Buffer>,
    headroom: number,
    acks: Acks,
    count: number,
    ahead: Promise<boolean> | undefined,
    onRetry: () => void,
  ): Promise<RecordMetadata> {
    const batch = await ready;
    let waited = false;
    for (;;) {
      try {
        return await this.sendBatch(topic, partition, batch, headroom, acks, count, onRetry);
      } catch (err) {
        if (waited || !ahead || !(err instanceof SamsaError) || err.reason !== 'OUT_OF_ORDER_SEQUENCE') throw err;
        waited = true;
        onRetry();
        if (!(await ahead)) throw err;
      }
    }
  }

  private async sendBatch(
    topic: string,
    partition: number,
    batch: Buffer,
    headroom: number,
    acks: Acks,
    count: number,
    onRetry: () => void,
  ): Promise<RecordMetadata> {
    const fields: ProduceRequestFields = { topic, acks: ACKS[String(acks)] ?? 'ACKS_ALL', timeoutMs: this.ackTimeoutMs, partition };
    // Encoded once, around the batch where it lies (libs/rpc encoded-produce.ts), for every attempt.
    const encoded = coversProduceRequest(fields) ? encodeProduceRequest(fields, batch, headroom) : undefined;
    const request: v1.ProduceRequest = { topic, acks: fields.acks, timeoutMs: fields.timeoutMs, batches: [{ partition, batch }] };
    const deadlineMs = this.ackTimeoutMs + this.cluster.options.requestTimeoutMs;
    const produceAt = (address: string): Promise<v1.ProduceResponse__Output> =>
      callUnary<v1.ProduceResponse__Output>(address, { timeoutMs: deadlineMs, toError: callError }, (opts: grpc.CallOptions, cb) => {
        const client = this.cluster.pool.broker(address);
        return encoded ? produceEncoded(client, encoded, opts, cb) : client.produce(request, opts, cb);
      });
    const res = await retry(
      async () => {
        const address = await this.cluster.leaderAddress(topic, partition);
        try {
          return await produceAt(address);
        } catch (err) {
          // The broker named the new leader (Kafka's KIP-951): go there at once, without the
          // backoff and the metadata round trip, which were a visible part of a leader move's
          // write gap (docs/benchmarks.md, Failover). The leader checks its own role, so a stale
          // hint costs one more refusal, and that one takes the ordinary retry path.
          const hinted = newLeaderHint(err, address);
          if (hinted === undefined) {
            // Also when this was the last attempt: the next send must not go back to a broker
            // that timed out (a paused leader) or refused, on the same cached metadata.
            if (err instanceof SamsaError && STALE_METADATA.has(err.reason)) this.cluster.invalidate(topic, err);
            throw err;
          }
          onRetry();
          this.cluster.invalidate(topic);
          return await produceAt(hinted);
        }
      },
      this.retryOptions,
      {
        isRetriable: (err, attempt) => err.retriable || (err.reason === 'UNKNOWN_TOPIC_OR_PARTITION' && attempt < UNKNOWN_TOPIC_RETRIES),
        onRetry: (err) => {
          onRetry();
          if (STALE_METADATA.has(err.reason)) this.cluster.invalidate(topic, err);
        },
      },
    );
    const result = res.results.find((r) => r.partition === partition);
    return {
      topic,
      partition,
      baseOffset: result ? result.baseOffset : -1,
      recordCount: result ? result.recordCount : count,
    };
  }
}
