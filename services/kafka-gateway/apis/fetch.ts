/**
 * Fetch: one Samsa Fetch per partition at its leader (RECORD_FORMAT_BATCHES: the stored batches,
 * byte for byte, are the Kafka response's records). The long poll is Kafka's: answer at once when
 * the partitions already hold min_bytes; otherwise wait on every partition at once (each a Samsa
 * long poll) and answer when the first brings data or max_wait_ms passes, cancelling the others.
 * max_bytes caps the response (the first partition with data is always included whole, as Kafka
 * does); partition_max_bytes caps each partition. Samsa has no transactions, so read_committed and
 * read_uncommitted read the same records and the last stable offset is the high watermark. Fetch
 * sessions (KIP-227) are not kept: every answer has session id 0, so clients send full requests.
 */
import type { FetchRequest, FetchResponse, FetchResponsePartitionData } from '../../../libs/kafka-protocol/index.js';
import { SamsaError } from '../../../libs/errors/index.js';
import type { v1 } from '../../../libs/rpc/index.js';
import { errorMessage, kafkaCode, NONE } from '../kafka-errors.js';
import type { RequestContext } from './context.js';

interface Want {
  topic: string;
  partition: number;
  offset: number;
  maxBytes: number;
}

type Got = { ok: true; res: v1.FetchResponse__Output } | { ok: false; err: unknown };

async function fetchOne(ctx: RequestContext, w: Want, maxWaitMs: number, signal?: AbortSignal): Promise<Got> {
  try {
    const leader = await ctx.upstream.leader(ctx.caller, w.topic, w.partition);
    const res = await ctx.upstream.call<v1.FetchResponse__Output>(
      ctx.caller,
      leader,
      (o, cb) =>
        ctx.upstream.broker(leader).fetch(
          {
            topic: w.topic,
            partition: w.partition,
            offset: w.offset,
            maxBytes: Math.max(1, w.maxBytes),
            minBytes: 1,
            maxWaitMs,
            format: 'RECORD_FORMAT_BATCHES',
          },
          o,
          cb,
        ),
      maxWaitMs + ctx.upstream.timeoutMs,
      signal,
    );
    return { ok: true, res };
  } catch (err) {
    if (err instanceof SamsaError && err.reason !== 'OFFSET_OUT_OF_RANGE') ctx.upstream.invalidate(w.topic);
    return { ok: false, err };
  }
}

function bytesOf(g: Got | undefined): number {
  return g?.ok ? g.res.batches.length : 0;
}

export async function fetch(ctx: RequestContext, req: FetchRequest): Promise<FetchResponse> {
  const wants: Want[] = req.topics.flatMap((t) =>
    t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: p.fetchOffset, maxBytes: p.partitionMaxBytes })),
  );
  const got: (Got | undefined)[] = await Promise.all(wants.map((w) => fetchOne(ctx, w, 0)));
  const total = got.reduce((n, g) => n + bytesOf(g), 0);
  if (total < Math.max(1, req.minBytes) && req.maxWaitMs > 0 && wants.length > 0 && got.every((g) => g?.ok)) {
    // Nothing (enough) yet: wait on all partitions; the first that brings data ends the wait.
    const abort = new AbortController();
    const waits = wants.map(async (w, i) => {
      const g = await fetchOne(ctx, w, req.maxWaitMs, abort.signal);
      // After the wait ended, the cancelled calls' errors are not answers.
      if (abort.signal.aborted) return;
      if (g.ok) got[i] = g;
      // Data, or an error to report: either ends the wait, as in Kafka.
      if (!g.ok || g.res.batches.length > 0) {
        got[i] = g;
        abort.abort();
      }
    });
    await Promise.all(waits);
  }
  let budget = req.maxBytes > 0 ? req.maxBytes : Number.MAX_SAFE_INTEGER;
  let first = true;
  const responses = req.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p): FetchResponsePartitionData => {
      const i = wants.findIndex((w) => w.topic === t.topic && w.partition === p.partition);
      const g = got[i];
      if (!g || !g.ok)
        return {
          partitionIndex: p.partition,
          errorCode: kafkaCode(g && !g.ok ? g.err : null),
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          abortedTransactions: null,
          preferredReadReplica: -1,
          records: null,
        };
      let records: Buffer = g.res.batches;
      if (records.length > budget && !first) records = Buffer.alloc(0);
      if (records.length > 0) {
        budget -= records.length;
        first = false;
      }
      return {
        partitionIndex: p.partition,
        errorCode: NONE,
        highWatermark: g.res.highWatermark,
        lastStableOffset: g.res.highWatermark,
        logStartOffset: g.res.logStartOffset,
        abortedTransactions: null,
        preferredReadReplica: -1,
        records,
      };
    }),
  }));
  ctx.logger.trace(
    { partitions: wants.length, error: got.some((g) => g && !g.ok) ? errorMessage(got.find((g) => g && !g.ok)) : undefined },
    'fetch',
  );
  return { throttleTimeMs: 0, errorCode: NONE, sessionId: 0, responses };
}
