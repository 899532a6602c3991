/**
 * One partition, read with the streaming Consume RPC from the partition's leader, as an async
 * iterator of messages. The broker sends the next chunk only when this side has taken the previous
 * one (gRPC flow control), so a slow loop body slows the stream instead of filling memory.
 *
 * Ending: `follow` streams tail the partition until close() (or `break`); other streams stop at the
 * high watermark as it was when the stream started. Breaking out of a for-await loop, return(), or
 * close() cancels the gRPC call; close() also ends a loop that is waiting for new records.
 *
 * When the leader moves or a broker goes away mid-stream, the stream refreshes metadata and
 * reopens at the next offset it has not yielded, through the retry helper.
 *
 * Tracing (when the process runs the OpenTelemetry SDK): each chunk received is a CONSUMER span
 * `receive <topic>`, linked to the producer spans named in its records' `traceparent` headers.
 */
import type * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../../errors/index.js';
import type { v1 } from '../../rpc/index.js';
import { traceReceived } from '../../telemetry/index.js';
import type { Cluster } from '../routing/cluster.js';
import { callError } from '../errors.js';
import { retry, type RetryOptions } from '../../runtime/index.js';
import { invalidateIfStale, listOffset, type ListedOffset } from './list-offsets.js';
import { STALE_METADATA } from '../errors.js';
import { batchesChunk, messagesChunk, messagesFromBatches, type RecordChunk } from '../runner/chunk.js';
import type { OffsetSpec } from './offset-spec.js';

export interface Header {
  key: string;
  value: Buffer;
}

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: number;
  timestampMs: number;
  key: Buffer | null;
  /** null for a tombstone. Key, value and header values are views into the received bytes. */
  value: Buffer | null;
  headers: Header[];
  leaderEpoch: number;
}

export interface PartitionStreamOptions {
  topic: string;
  partition: number;
  /** Default 'earliest'. */
  from?: OffsetSpec;
  /** Keep waiting for new records at the end (default true); false stops at the high watermark seen at the start. */
  follow?: boolean;
  /** Soft cap on the bytes of one streamed chunk. Default 1 MiB. */
  maxBytes?: number;
  /**
   * A `receive` span per chunk (default true). False for a reader that traces what it does with
   * the records itself: the group coordinator reads for its members and traces each delivery.
   */
  traceReceive?: boolean;
}

/** What a stream yields: decoded records, or (raw streams) undecoded batch bytes. */
type Fetched = ConsumedMessage[] | RecordChunk;

/** A decoded record (from a batch, or a ConsumedRecord off the wire) as the SDK hands it out. */
export function toConsumedMessage(
  topic: string,
  partition: number,
  r: {
    offset: number;
    timestampMs: number;
    key?: Buffer | null | undefined;
    value: Buffer | null;
    headers: readonly { key: string; value: Buffer }[];
    leaderEpoch: number;
  },
): ConsumedMessage {
  return {
    topic,
    partition,
    offset: r.offset,
    timestampMs: r.timestampMs,
    key: r.key ?? null,
    value: r.value,
    headers: r.headers.map((h) => ({ key: h.key, value: h.value })),
    leaderEpoch: r.leaderEpoch,
  };
}

export class PartitionStream implements AsyncIterable<ConsumedMessage> {
  readonly topic: string;
  readonly partition: number;
  private readonly chunkIterator: AsyncGenerator<Fetched, void, undefined>;
  private handedOut = false;
  private call: grpc.ClientReadableStream<v1.ConsumeResponse__Output> | undefined;
  private closed = false;
  /** Aborts a retry backoff when the stream is closed. */
  private readonly abort = new AbortController();
  private position: number | undefined;
  private endOffset: number | undefined;

  constructor(
    private readonly cluster: Cluster,
    private readonly options: PartitionStreamOptions,
    private readonly retryOptions: RetryOptions,
    private readonly onClose: () => void = () => undefined,
    /** Yield the batch bytes undecoded (rawChunks()): for records decoded elsewhere, e.g. a worker thread. */
    private readonly raw = false,
  ) {
    this.topic = options.topic;
    this.partition = options.partition;
    this.chunkIterator = this.run();
  }

  /** The next offset this stream will yield; undefined until the start position is resolved. */
  get nextOffset(): number | undefined {
    return this.position;
  }

  /** For non-follow streams, the offset it stops at (the high watermark when it started). */
  get stopOffset(): number | undefined {
    return this.endOffset;
  }

  /** The messages one at a time. A stream is read once: through this, or through chunks(). */
  [Symbol.asyncIterator](): AsyncGenerator<ConsumedMessage, void, undefined> {
    return this.flatten();
  }

  /**
   * The messages as they arrive, one array per streamed response (in offset order, never empty):
   * the fast way to read many records, one await per chunk instead of per message.
   */
  chunks(): AsyncGenerator<ConsumedMessage[], void, undefined> {
    if (this.raw) throw new Error('a raw stream is read with rawChunks()');
    return this.handOut() as AsyncGenerator<ConsumedMessage[], void, undefined>;
  }

  /**
   * For a raw stream: chunks whose records are not decoded (the batch bytes as streamed, with the
   * offsets they cover), or decoded when the server answered in the structured form.
   */
  rawChunks(): AsyncGenerator<RecordChunk, void, undefined> {
    if (!this.raw) throw new Error('rawChunks() needs a stream opened raw');
    return this.handOut() as AsyncGenerator<RecordChunk, void, undefined>;
  }

  private handOut(): AsyncGenerator<Fetched, void, undefined> {
    if (this.handedOut) throw new Error(`the stream of ${this.topic}/${this.partition} is already being read`);
    this.handedOut = true;
    return this.chunkIterator;
  }

  private async *flatten(): AsyncGenerator<ConsumedMessage, void, undefined> {
    for await (const chunk of this.chunks()) yield* chunk;
  }

  /** Cancels the stream; a pending next() resolves done. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.call?.cancel();
    this.onClose();
  }

  private async *run(): AsyncGenerator<Fetched, void, undefined> {
    try {
      const start = await this.resolveStart();
      this.position = start.offset;
      const follow = this.options.follow ?? true;
      const end = follow ? Number.POSITIVE_INFINITY : start.highWatermark;
      this.endOffset = follow ? undefined : end;
      while (!this.closed && this.position < end) {
        const reopened = yield* this.readStream(end);
        if (!reopened) return;
      }
    } finally {
      this.close();
    }
  }

  /** ListOffsets on the leader: the start offset and the high watermark now. */
  private resolveStart(): Promise<ListedOffset> {
    return listOffset(this.cluster, this.topic, this.partition, this.options.from ?? 'earliest', this.retryOptions, this.abort.signal);
  }

  /**
   * Opens one Consume call at the current position and yields from it until `end`, the stream's
   * end, or an error. Returns true when the caller should reopen (a retriable failure after this
   * call made progress, or the server ended the stream), false when done. A failure before any
   * progress goes through the retry helper, which throws when the budget is spent.
   */
  private async *readStream(end: number): AsyncGenerator<Fetched, boolean, undefined> {
    type Opened = {
      call: grpc.ClientReadableStream<v1.ConsumeResponse__Output>;
      address: string;
      iterator: AsyncIterator<v1.ConsumeResponse__Output>;
      first: v1.ConsumeResponse__Output;
    };
    const connect = async (): Promise<Opened> => {
      const address = await this.cluster.leaderAddress(this.topic, this.partition);
      if (this.closed) throw new SamsaError('INVALID_REQUEST', 'stream closed');
      const call = this.cluster.pool.broker(address).consume({
        topic: this.topic,
        partition: this.partition,
        start: { offset: this.position },
        format: 'RECORD_FORMAT_BATCHES',
        maxBytes: this.options.maxBytes ?? 1024 * 1024,
      });
      // grpc-js emits 'error' directly when a call ends badly (also on our own cancel): never unhandled.
      call.on('error', () => undefined);
      this.call = call;
      const iterator = call[Symbol.asyncIterator]() as AsyncIterator<v1.ConsumeResponse__Output>;
      try {
        const first = await iterator.next();
        if (first.done) throw new SamsaError('NOT_READY', `${address} ended the Consume stream of ${this.topic}/${this.partition} at once`);
        return { call, address, iterator, first: first.value };
      } catch (raw) {
        call.cancel();
        const err = callError(raw, address);
        this.onRetry(err);
        throw err;
      }
    };
    let opened: Opened;
    try {
      // A stream may wait long for its first records (follow mode at the end): no time budget, only a count.
      opened = await retry(
        connect,
        { ...this.retryOptions, maxElapsedMs: Number.POSITIVE_INFINITY },
        {
          isRetriable: (err) => !this.closed && (err.retriable || STALE_METADATA.has(err.reason)),
          onRetry: (err) => this.onRetry(err),
          signal: this.abort.signal,
        },
      );
    } catch (err) {
      if (this.closed) return false;
      throw err;
    }
    const { call, address, iterator } = opened;
    let res: v1.ConsumeResponse__Output | undefined = opened.first;
    try {
      while (res) {
        const from = this.position as number;
        if (this.raw && res.batches.length > 0) {
          const raw = batchesChunk(this.topic, this.partition, res.batches, from, end);
          if (raw) {
            this.position = raw.last + 1;
            yield raw;
            if (this.closed || raw.last + 1 >= end) return false;
          }
          if (res.nextOffset > (this.position as number)) this.position = res.nextOffset;
          if ((this.position as number) >= end) return false;
          const step: IteratorResult<v1.ConsumeResponse__Output> = await iterator.next();
          res = step.done ? undefined : step.value;
          continue;
        }
        const chunk: ConsumedMessage[] = [];
        const reachedEnd =
          res.batches.length > 0 ? this.fromBatches(res.batches, from, end, chunk) : this.fromRecords(res.records, from, end, chunk);
        if (chunk.length > 0) {
          if (this.options.traceReceive !== false) traceReceived(this.topic, this.partition, chunk);
          this.position = (chunk[chunk.length - 1] as ConsumedMessage).offset + 1;
          yield this.raw ? messagesChunk(chunk) : chunk;
          if (this.closed) return false;
        }
        if (reachedEnd) return false;
        // Offsets below nextOffset that carried no record for us are skipped.
        if (res.nextOffset > (this.position as number)) this.position = res.nextOffset;
        if ((this.position as number) >= end) return false;
        const step: IteratorResult<v1.ConsumeResponse__Output> = await iterator.next();
        res = step.done ? undefined : step.value;
      }
      // The server ended the stream (e.g. shutting down): reopen where we are.
      return !this.closed;
    } catch (raw) {
      if (this.closed) return false;
      const err = callError(raw, address);
      if (err.retriable || STALE_METADATA.has(err.reason)) {
        // This call made progress; reopen at the position with a fresh retry budget.
        this.onRetry(err);
        return true;
      }
      throw err;
    } finally {
      call.cancel();
    }
  }

  /** The hot path: records of the streamed batch bytes, offsets [from, end), appended to `out`. True when `end` was reached. */
  private fromBatches(batches: Buffer, from: number, end: number, out: ConsumedMessage[]): boolean {
    return messagesFromBatches(this.topic, this.partition, batches, from, end, out);
  }

  /** As fromBatches, for a server that answered in the structured record form. */
  private fromRecords(records: v1.ConsumedRecord__Output[], from: number, end: number, out: ConsumedMessage[]): boolean {
    for (const r of records) {
      if (r.offset < from) continue;
      if (r.offset >= end) return true;
      out.push(toConsumedMessage(this.topic, this.partition, r));
    }
    return false;
  }

  private onRetry(err: SamsaError): void {
    invalidateIfStale(this.cluster, this.topic, err);
  }
}
