/**
 * ListOffsets: earliest (log start), latest (high watermark), or the first committed offset whose
 * record timestamp is >= the given one (the high watermark when none is). An exact offset is
 * checked against the valid range and echoed.
 */
import type * as grpc from '@grpc/grpc-js';
import type { v1 } from '../../../libs/rpc/index.js';
import { isForwarded } from '../forwarding.js';
import type { BrokerContext } from './context.js';
import { localPartition, offsetSpecOf, partitionOf, topicOf } from './common.js';

type ListOffsetsCall = grpc.ServerUnaryCall<v1.ListOffsetsRequest__Output, v1.ListOffsetsResponse>;

export async function listOffsets(
  ctx: BrokerContext,
  request: v1.ListOffsetsRequest__Output,
  call: ListOffsetsCall,
): Promise<v1.ListOffsetsResponse> {
  const topic = topicOf(request.topic);
  const partitionId = partitionOf(request.partition);
  const spec = offsetSpecOf(request.spec, 'spec');
  const route = await ctx.forwarder.route(topic, partitionId, isForwarded(call));
  if (route.kind === 'remote') {
    return ctx.forwarder.unary<v1.ListOffsetsResponse__Output>(route, call, 30_000, (client, md, options, cb) =>
      client.listOffsets(request, md, options, cb),
    );
  }
  const partition = await localPartition(ctx, topic, partitionId);
  if (spec.kind === 'offset') {
    partition.assertLeader();
    partition.checkOffsetInRange(spec.offset);
    return { offset: spec.offset, timestampMs: -1, logStartOffset: partition.logStartOffset, highWatermark: partition.highWatermark };
  }
  const listed = await partition.listOffsets(spec);
  return {
    offset: listed.offset,
    timestampMs: listed.timestampMs,
    logStartOffset: listed.logStartOffset,
    highWatermark: listed.highWatermark,
  };
}
