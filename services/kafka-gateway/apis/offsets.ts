/**
 * ListOffsets (timestamp -2: earliest, -1: latest, i.e. the high watermark, else the first offset
 * whose record timestamp is at least it) and InitProducerId (a cluster-unique producer id from
 * Samsa; transactional ids are refused, Samsa has no transactions).
 */
import type {
  InitProducerIdRequest,
  InitProducerIdResponse,
  ListOffsetsRequest,
  ListOffsetsResponse,
} from '../../../libs/kafka-protocol/index.js';
import type { v1 } from '../../../libs/rpc/index.js';
import { ERROR_CODES, kafkaCode, NONE } from '../kafka-errors.js';
import type { RequestContext } from './context.js';

export async function listOffsets(ctx: RequestContext, req: ListOffsetsRequest): Promise<ListOffsetsResponse> {
  const topics = await Promise.all(
    req.topics.map(async (t) => ({
      name: t.name,
      partitions: await Promise.all(
        t.partitions.map(async (p) => {
          const spec: v1.OffsetSpec =
            p.timestamp === -2
              ? { position: 'OFFSET_POSITION_EARLIEST' }
              : p.timestamp === -1
                ? { position: 'OFFSET_POSITION_LATEST' }
                : { timestampMs: p.timestamp };
          try {
            const leader = await ctx.upstream.leader(ctx.caller, t.name, p.partitionIndex);
            const res = await ctx.upstream.call<v1.ListOffsetsResponse__Output>(ctx.caller, leader, (o, cb) =>
              ctx.upstream.broker(leader).listOffsets({ topic: t.name, partition: p.partitionIndex, spec }, o, cb),
            );
            const byTime = p.timestamp >= 0;
            return {
              partitionIndex: p.partitionIndex,
              errorCode: NONE,
              timestamp: byTime && res.timestampMs >= 0 ? res.timestampMs : -1,
              offset: byTime && res.timestampMs < 0 ? -1 : res.offset,
              leaderEpoch: -1,
            };
          } catch (err) {
            ctx.upstream.invalidate(t.name);
            return { partitionIndex: p.partitionIndex, errorCode: kafkaCode(err), timestamp: -1, offset: -1, leaderEpoch: -1 };
          }
        }),
      ),
    })),
  );
  return { throttleTimeMs: 0, topics };
}

export async function initProducerId(ctx: RequestContext, req: InitProducerIdRequest): Promise<InitProducerIdResponse> {
  if (req.transactionalId !== null && req.transactionalId !== '')
    return { throttleTimeMs: 0, errorCode: ERROR_CODES.INVALID_REQUEST, producerId: -1, producerEpoch: -1 };
  try {
    const address = ctx.upstream.anyBroker();
    const res = await ctx.upstream.call<v1.InitProducerIdResponse__Output>(ctx.caller, address, (o, cb) =>
      ctx.upstream.broker(address).initProducerId({}, o, cb),
    );
    return { throttleTimeMs: 0, errorCode: NONE, producerId: res.producerId, producerEpoch: res.producerEpoch };
  } catch (err) {
    return { throttleTimeMs: 0, errorCode: kafkaCode(err, 'cluster'), producerId: -1, producerEpoch: -1 };
  }
}
