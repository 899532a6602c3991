/**
 * DescribeReplicas: what this broker holds of the named topics' partitions, leader or follower
 * (Kafka's DescribeLogDirs). Answered from the open replicas alone, never forwarded: reassignment
 * progress compares what an adding broker holds with what the leader holds.
 */
import { SamsaError } from '../../../libs/errors/index.js';
import type { v1 } from '../../../libs/rpc/index.js';
import type { BrokerContext } from './context.js';
import { partitionOf, topicOf } from './common.js';

export function describeReplicas(ctx: BrokerContext, request: v1.DescribeReplicasRequest__Output): v1.DescribeReplicasResponse {
  if (request.topics.length === 0) throw new SamsaError('INVALID_REQUEST', 'name at least one topic');
  const wanted = new Map<string, Set<number> | undefined>();
  for (const t of request.topics) {
    const topic = topicOf(t.topic);
    const partitions = t.partitions.map((p) => partitionOf(p));
    wanted.set(topic, partitions.length === 0 ? undefined : new Set([...(wanted.get(topic) ?? []), ...partitions]));
  }
  const replicas: v1.ReplicaDescription[] = [];
  for (const p of ctx.replicas.partitions()) {
    if (p.closed || !wanted.has(p.topic)) continue;
    const only = wanted.get(p.topic);
    if (only && !only.has(p.partition)) continue;
    replicas.push({
      topic: p.topic,
      partition: p.partition,
      sizeBytes: p.sizeInBytes,
      logStartOffset: p.logStartOffset,
      logEndOffset: p.logEndOffset,
      highWatermark: p.highWatermark,
      leader: p.role === 'leader',
    });
  }
  replicas.sort((a, b) => (a.topic === b.topic ? (a.partition ?? 0) - (b.partition ?? 0) : (a.topic ?? '') < (b.topic ?? '') ? -1 : 1));
  return { brokerId: ctx.brokerId, replicas };
}
