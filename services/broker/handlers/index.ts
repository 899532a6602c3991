/** The BrokerService implementation: each RPC wrapped so it answers exactly once (libs/rpc). */
import { unary, serverStream, type v1 } from '../../../libs/rpc/index.js';
import { SamsaError } from '../../../libs/errors/index.js';
import type { BrokerContext } from './context.js';
import { produce } from './produce.js';
import { fetch } from './fetch.js';
import { consume } from './consume.js';
import { listOffsets } from './list-offsets.js';
import { describeReplicas } from './describe-replicas.js';
import { getMetadata } from './metadata.js';

export { type BrokerContext } from './context.js';
export { findCoordinatorHandlers } from './find-coordinator.js';

export function brokerHandlers(ctx: BrokerContext): v1.BrokerServiceHandlers {
  return {
    Produce: unary((req, call) =>
      timed(
        () => produce(ctx, req, call),
        (s, outcome) => ctx.metrics.produceDone(s, req.topic, req.acks, outcome),
      ),
    ),
    Fetch: unary((req, call) =>
      timed(
        () => fetch(ctx, req, call),
        (s, outcome) => ctx.metrics.fetchDone(s, outcome),
      ),
    ),
    Consume: serverStream((req, call) => consume(ctx, req, call)),
    ListOffsets: unary((req, call) => listOffsets(ctx, req, call)),
    GetMetadata: unary((req) => getMetadata(ctx, req)),
    InitProducerId: unary(async () => ({ producerId: await ctx.allocateProducerId(), producerEpoch: 0 })),
    DescribeReplicas: unary((req) => Promise.resolve(describeReplicas(ctx, req))),
  };
}

/** Runs a request and reports its duration in seconds and outcome ('ok' or the error reason). */
async function timed<T>(run: () => Promise<T>, report: (seconds: number, outcome: string) => void): Promise<T> {
  const started = performance.now();
  try {
    const result = await run();
    report((performance.now() - started) / 1000, 'ok');
    return result;
  } catch (err) {
    report((performance.now() - started) / 1000, err instanceof SamsaError ? err.reason : 'INTERNAL_ERROR');
    throw err;
  }
}
