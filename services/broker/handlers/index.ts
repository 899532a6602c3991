/** The BrokerService implementation: each RPC wrapped so it answers exactly once (libs/rpc). */
import { unary, serverStream, type v1 } from '../../../libs/rpc/index.js';
import type { BrokerContext } from './context.js';
import { produce } from './produce.js';
import { fetch } from './fetch.js';
import { consume } from './consume.js';
import { listOffsets } from './list-offsets.js';
import { getMetadata } from './metadata.js';

export { type BrokerContext } from './context.js';

export function brokerHandlers(ctx: BrokerContext): v1.BrokerServiceHandlers {
  return {
    Produce: unary((req, call) => produce(ctx, req, call)),
    Fetch: unary((req, call) => fetch(ctx, req, call)),
    Consume: serverStream((req, call) => consume(ctx, req, call)),
    ListOffsets: unary((req, call) => listOffsets(ctx, req, call)),
    GetMetadata: unary((req) => getMetadata(ctx, req)),
    InitProducerId: unary(async () => ({ producerId: await ctx.allocateProducerId(), producerEpoch: 0 })),
  };
}
