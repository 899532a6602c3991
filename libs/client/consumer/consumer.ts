/**
 * Consumer: reads partitions with the streaming Consume RPC, as async iterators.
 *
 *   const stream = consumer.partition({ topic: 'orders', partition: 0, from: 'earliest' });
 *   for await (const m of stream) { ... }            // break cancels the stream
 *
 *   for await (const m of consumer.topic({ topic: 'orders', follow: false })) { ... }   // every partition
 *   for await (const chunk of consumer.topicChunks({ topic: 'orders' })) { ... }    // faster: arrays
 *
 * The consumer keeps every stream it opened until it ends; close() cancels those still open.
 * (Consumer groups with committed offsets come with the coordinator.)
 */
import type { Cluster } from '../cluster/cluster.js';
import type { RetryOptions } from '../retry/index.js';
import { mergeStreams } from './merge.js';
import type { OffsetSpec } from './offset-spec.js';
import { PartitionStream, type ConsumedMessage, type PartitionStreamOptions } from './partition-stream.js';

export interface ConsumerOptions {
  /** Soft cap on the bytes of one streamed chunk. Default 1 MiB. */
  maxBytes?: number;
  retry?: RetryOptions;
}

export interface TopicStreamOptions {
  topic: string;
  /** Partitions to read; default all of the topic's. */
  partitions?: readonly number[];
  from?: OffsetSpec;
  follow?: boolean;
}

export class Consumer {
  private readonly open = new Set<PartitionStream>();
  private readonly retryOptions: RetryOptions;

  constructor(
    private readonly cluster: Cluster,
    private readonly options: ConsumerOptions = {},
  ) {
    this.retryOptions = options.retry ?? cluster.options.retry;
  }

  /** A stream of one partition. Nothing is sent until the first next(). */
  partition(options: PartitionStreamOptions): PartitionStream {
    const stream: PartitionStream = new PartitionStream(
      this.cluster,
      { ...options, ...(options.maxBytes === undefined && this.options.maxBytes !== undefined ? { maxBytes: this.options.maxBytes } : {}) },
      this.retryOptions,
      () => this.open.delete(stream),
    );
    this.open.add(stream);
    return stream;
  }

  /** Every listed partition (default all) merged, in arrival order; offset order within a partition. */
  async *topic(options: TopicStreamOptions): AsyncGenerator<ConsumedMessage, void, undefined> {
    for await (const chunk of this.topicChunks(options)) yield* chunk;
  }

  /** As topic(), one array per streamed response: one await per chunk instead of per message. */
  async *topicChunks(options: TopicStreamOptions): AsyncGenerator<ConsumedMessage[], void, undefined> {
    const partitions = options.partitions ?? (await this.cluster.withRetry(() => this.cluster.topic(options.topic))).partitions.map((p) => p.partition);
    const streams = partitions.map((partition) =>
      this.partition({
        topic: options.topic,
        partition,
        ...(options.from !== undefined ? { from: options.from } : {}),
        ...(options.follow !== undefined ? { follow: options.follow } : {}),
      }),
    );
    yield* mergeStreams(streams.map((s) => ({ [Symbol.asyncIterator]: () => s.chunks(), close: () => s.close() })));
  }

  /** Cancels every stream this consumer opened that is still open. */
  close(): void {
    for (const s of [...this.open]) s.close();
  }
}
