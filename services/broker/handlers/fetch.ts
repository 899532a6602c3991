/**
 * Fetch: a long poll on one partition. Answers as soon as at least min_bytes of committed data
 * (below the high watermark) lie at or after `offset`, or when max_wait_ms passes (0 means the
 * default, 500 ms; capped at 30 s), or when the broker shuts down. Waiting parks on the
 * partition's HW waiters (no polling); the waiter is removed when the call is cancelled.
 */
import type * as grpc from '@grpc/grpc-js';
import type { v1 } from '../../../libs/rpc/index.js';
import { countRecords } from '../../../libs/record/index.js';
import { ATTR, withSpan } from '../../../libs/telemetry/index.js';
import type { ReadResult } from '../../../libs/replica/index.js';
import { isForwarded } from '../forwarding.js';
import { DEFAULT_FETCH_WAIT_MS, MAX_FETCH_WAIT_MS, type BrokerContext } from './context.js';
import { callSignal, readBudget, isBatchFormat, localPartition, offsetOf, partitionOf, toConsumedRecords, topicOf } from './common.js';

type FetchCall = grpc.ServerUnaryCall<v1.FetchRequest__Output, v1.FetchResponse>;

export async function fetch(ctx: BrokerContext, request: v1.FetchRequest__Output, call: FetchCall): Promise<v1.FetchResponse> {
  const topic = topicOf(request.topic);
  const partitionId = partitionOf(request.partition);
  const offset = offsetOf(request.offset, 'offset');
  const batches = isBatchFormat(request.format);
  const maxWaitMs = request.maxWaitMs > 0 ? Math.min(request.maxWaitMs, MAX_FETCH_WAIT_MS) : DEFAULT_FETCH_WAIT_MS;
  const route = await ctx.forwarder.route(topic, partitionId, isForwarded(call));
  if (route.kind === 'remote') {
    return ctx.forwarder.unary<v1.FetchResponse__Output>(route, call, maxWaitMs + 10_000, (client, md, options, cb) =>
      client.fetch(request, md, options, cb),
    );
  }
  const partition = await localPartition(ctx, topic, partitionId);
  const maxBytes = readBudget(ctx, request.maxBytes, batches);
  const minBytes = Math.max(1, request.minBytes);
  const deadline = ctx.clock.nowMs() + maxWaitMs;
  const { signal, dispose } = callSignal(call, ctx.shutdown);
  return withSpan('partition.fetch', { [ATTR.topic]: topic, [ATTR.partition]: partitionId, 'samsa.offset': offset }, async (span) => {
    try {
      for (let polls = 0; ; polls++) {
        const read = await partition.read(offset, maxBytes);
        const remaining = deadline - ctx.clock.nowMs();
        if (read.bytes.length >= minBytes || remaining <= 0 || signal.aborted) {
          const records = countRecords(read.bytes);
          span.setAttributes({ [ATTR.bytes]: read.bytes.length, [ATTR.records]: records, 'samsa.waits': polls });
          ctx.metrics.fetched(topic, read.bytes.length, records);
          return response(ctx, read, partitionId, offset, batches);
        }
        // Wake when the HW moves past what this read saw (or on role change / close, then re-check).
        await partition.waitForData(read.highWatermark, { timeoutMs: remaining, signal });
      }
    } finally {
      dispose();
    }
  });
}

async function response(
  ctx: BrokerContext,
  read: ReadResult,
  partition: number,
  offset: number,
  batches: boolean,
): Promise<v1.FetchResponse> {
  return {
    partition,
    highWatermark: read.highWatermark,
    logStartOffset: read.logStartOffset,
    nextOffset: read.nextOffset,
    // Structured: decompressed in the validator's worker thread, never on the event loop.
    ...(batches
      ? { batches: read.bytes }
      : { records: toConsumedRecords(await ctx.validator.decodeForRead(read.bytes, offset), partition, offset) }),
  };
}
