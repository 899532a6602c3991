/**
 * Consume: a server stream that tails one partition from a starting point (exact offset,
 * earliest, latest, or the first record at/after a timestamp; default earliest).
 *
 * Loop: read up to max_bytes of committed data, send it through a WriteBudget (the next read
 * happens only once fewer than UNSENT_BYTES of the messages written are still to be sent, so a
 * client that stops reading stops the broker reading, with at most that much plus one message held
 * for it instead of grpc-js's 16 messages), and when caught up park on the partition's HW waiters
 * until new data is committed. It never spins at the end of the log.
 *
 * Ending: the client cancelling (or going away) ends the loop quietly and removes its waiter;
 * the partition moving to another leader ends it with NOT_LEADER_OR_FOLLOWER (leader in the
 * trailers), the topic being deleted with UNKNOWN_TOPIC_OR_PARTITION, broker shutdown with
 * NOT_READY. A stream for a partition led elsewhere is proxied from the leader.
 */
import type * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../../../libs/errors/index.js';
import { WriteBudget, type v1 } from '../../../libs/rpc/index.js';
import { countRecords } from '../../../libs/record/index.js';
import { ATTR, withSpan } from '../../../libs/telemetry/index.js';
import { isForwarded } from '../forwarding.js';
import type { BrokerContext } from './context.js';
import { callSignal, readBudget, isBatchFormat, localPartition, offsetSpecOf, partitionOf, toConsumedRecords, topicOf } from './common.js';

type ConsumeCall = grpc.ServerWritableStream<v1.ConsumeRequest__Output, v1.ConsumeResponse>;

/**
 * Bytes of a stream's messages written and not yet sent before it reads again (proxied from the
 * leader: before it takes the leader's next message): two 1 MiB reads, one on the wire and one
 * ready behind it, so a reading client does not wait for the broker's next read.
 * Counted in bytes, not messages, so a stream at the tail, whose reads are small, may have more.
 * Measured (docs/benchmarks.md, thirteenth session): 4 MiB held ~10 MiB more with a stalled
 * consumer and read no faster.
 */
export const UNSENT_BYTES = 2 * 1024 * 1024;

export async function consume(ctx: BrokerContext, request: v1.ConsumeRequest__Output, call: ConsumeCall): Promise<void> {
  const topic = topicOf(request.topic);
  const partitionId = partitionOf(request.partition);
  const batches = isBatchFormat(request.format);
  const start = offsetSpecOf(request.start, 'start');
  const maxBytes = readBudget(ctx, request.maxBytes, batches);
  const route = await ctx.forwarder.route(topic, partitionId, isForwarded(call));
  if (route.kind === 'remote') {
    const closeStream = ctx.metrics.streamOpened('proxied');
    try {
      await ctx.forwarder.consume(route, request, call, ctx.shutdown, UNSENT_BYTES);
    } finally {
      closeStream();
    }
    return;
  }
  const partition = await localPartition(ctx, topic, partitionId);
  let next: number;
  if (start.kind === 'offset') {
    partition.assertLeader();
    partition.checkOffsetInRange(start.offset);
    next = start.offset;
  } else {
    next = (await partition.listOffsets(start)).offset;
  }
  const { signal, dispose } = callSignal(call, ctx.shutdown);
  const closeStream = ctx.metrics.streamOpened('local');
  const sent = { messages: 0, bytes: 0, records: 0 };
  const out = new WriteBudget(call, UNSENT_BYTES, signal);
  // One span for the stream's whole life: a stream is one request, however long it tails the log.
  await withSpan('partition.consume', { [ATTR.topic]: topic, [ATTR.partition]: partitionId, 'samsa.offset': next }, async (span) => {
    try {
      while (!signal.aborted) {
        // Batches go out as read, so the read can use a reused buffer; it is this loop's until
        // grpc-js has copied the message into its frame (write's callback), then the next read's.
        // Not for structured records: they are decoded in a worker and may outlive the message.
        const lease = batches ? ctx.readBuffers.lease() : undefined;
        const read = await partition.read(next, maxBytes, lease?.into);
        if (read.bytes.length === 0) {
          lease?.release();
          await partition.waitForData(next, { signal });
          continue;
        }
        if (read.nextOffset <= next) throw new SamsaError('INTERNAL_ERROR', `read at ${next} did not advance (next ${read.nextOffset})`);
        const message: v1.ConsumeResponse = { partition: partitionId, highWatermark: read.highWatermark, nextOffset: read.nextOffset };
        if (batches) message.batches = read.bytes;
        // Decompressed in the validator's worker thread, never on the event loop.
        else message.records = toConsumedRecords(await ctx.validator.decodeForRead(read.bytes, next), partitionId, next);
        next = read.nextOffset;
        if (!batches && (message.records?.length ?? 0) === 0) continue; // the batch held only records below the start offset
        const records = countRecords(read.bytes);
        ctx.metrics.fetched(topic, read.bytes.length, records);
        sent.messages++;
        sent.bytes += read.bytes.length;
        sent.records += records;
        if (!(await out.write(message, read.bytes.length, lease && (() => lease.release())))) return;
      }
      if (ctx.shutdown.aborted && !call.cancelled) {
        throw new SamsaError('NOT_READY', `broker ${ctx.brokerId} is shutting down; resume the stream on another broker`);
      }
    } finally {
      span.setAttributes({ 'samsa.messages': sent.messages, [ATTR.bytes]: sent.bytes, [ATTR.records]: sent.records });
      closeStream();
      dispose();
    }
  });
}
