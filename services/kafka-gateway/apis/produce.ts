/**
 * Produce: each partition's records (one Kafka v2 record batch, as Samsa stores it: docs/record-batch.md)
 * go to the partition's Samsa leader as bytes, one Samsa Produce per (leader, topic). acks 0, 1 and
 * -1 map to ACKS_NONE, ACKS_LEADER and ACKS_ALL; with acks=0 Kafka sends no response, and neither do
 * we (the write is still made, in order). Idempotent producers' batches carry their producer id,
 * epoch and sequence, which Samsa's brokers check exactly as Kafka's do. Transactions are not
 * supported: a produce with a transactional id is refused INVALID_REQUEST per partition.
 */
import type {
  ProduceRequest,
  ProduceResponse,
  ProduceResponsePartitionProduceResponse,
  ProduceResponseTopicProduceResponse,
} from '../../../libs/kafka-protocol/index.js';
import { SamsaError } from '../../../libs/errors/index.js';
import type { v1 } from '../../../libs/rpc/index.js';
import { ERROR_CODES, errorMessage, kafkaCode, NONE } from '../kafka-errors.js';
import type { RequestContext } from './context.js';

const ACKS: Record<number, 'ACKS_NONE' | 'ACKS_LEADER' | 'ACKS_ALL'> = { 0: 'ACKS_NONE', 1: 'ACKS_LEADER', [-1]: 'ACKS_ALL' };

/** Reasons after which the cached leader is dropped (the next produce asks again). */
const STALE = new Set(['NOT_LEADER_OR_FOLLOWER', 'LEADER_NOT_AVAILABLE', 'FENCED', 'NOT_READY', 'UNKNOWN_TOPIC_OR_PARTITION']);

function partitionError(index: number, err: unknown): ProduceResponsePartitionProduceResponse {
  return { index, errorCode: kafkaCode(err), baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, errorMessage: errorMessage(err) };
}

export async function produce(ctx: RequestContext, req: ProduceRequest): Promise<ProduceResponse | null> {
  const acks = ACKS[req.acks];
  const results: ProduceResponseTopicProduceResponse[] = [];
  for (const topic of req.topicData) {
    const out: ProduceResponsePartitionProduceResponse[] = [];
    results.push({ name: topic.name, partitionResponses: out });
    if (acks === undefined) {
      for (const p of topic.partitionData)
        out.push({
          ...partitionError(p.index, null),
          errorCode: ERROR_CODES.INVALID_REQUIRED_ACKS,
          errorMessage: `acks must be 0, 1 or -1, got ${req.acks}`,
        });
      continue;
    }
    if (req.transactionalId !== null) {
      for (const p of topic.partitionData)
        out.push({
          ...partitionError(p.index, null),
          errorCode: ERROR_CODES.INVALID_REQUEST,
          errorMessage: 'transactions are not supported by the Samsa Kafka gateway',
        });
      continue;
    }
    // Route every partition to its leader; partitions without one fail alone.
    const byLeader = new Map<string, v1.PartitionBatch[]>();
    for (const p of topic.partitionData) {
      try {
        if (p.records === null || p.records.length === 0)
          throw new SamsaError('INVALID_REQUEST', `no records for ${topic.name}/${p.index}`);
        const leader = await ctx.upstream.leader(ctx.caller, topic.name, p.index);
        let list = byLeader.get(leader);
        if (!list) byLeader.set(leader, (list = []));
        list.push({ partition: p.index, batch: p.records });
      } catch (err) {
        out.push(partitionError(p.index, err));
      }
    }
    await Promise.all(
      [...byLeader].map(async ([leader, batches]) => {
        try {
          const res = await ctx.upstream.call<v1.ProduceResponse__Output>(
            ctx.caller,
            leader,
            (o, cb) =>
              ctx.upstream.broker(leader).produce({ topic: topic.name, acks, timeoutMs: Math.max(req.timeoutMs, 1), batches }, o, cb),
            Math.max(req.timeoutMs, 0) + ctx.upstream.timeoutMs,
          );
          for (const b of batches) {
            const r = res.results.find((x) => x.partition === b.partition);
            out.push({
              index: b.partition,
              errorCode: NONE,
              baseOffset: r?.baseOffset ?? -1,
              // Kafka answers -1 unless the topic stamps LogAppendTime (Samsa topics keep CreateTime).
              logAppendTimeMs: -1,
              logStartOffset: -1,
              errorMessage: null,
            });
          }
        } catch (err) {
          if (err instanceof SamsaError && STALE.has(err.reason)) ctx.upstream.invalidate(topic.name);
          for (const b of batches) out.push(partitionError(b.partition ?? 0, err));
        }
      }),
    );
    out.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  }
  if (req.acks === 0) return null;
  return { responses: results, throttleTimeMs: 0 };
}
