/**
 * Produce. The request is validated and planned as a whole first (libs/replica planProduce: topic,
 * partitions, batch CRCs, sizes), then every partition is routed and every local partition's
 * leader checks (role, epoch, min.insync.replicas) run — all before anything is written, so a bad
 * request writes nothing. Then local partitions are appended and remote ones forwarded (as
 * pre-built batches, one request per leader) in parallel.
 *
 * Atomicity is per partition: once writing starts, a failure that only the write itself can
 * reveal (disk error, leadership moving at that instant, an unreachable leader) fails the call
 * while other partitions of the same request may already be written. Clients retry; the
 * idempotent producer (later) makes that safe.
 *
 * acks=none answers before writing (base_offset -1) after the same validation; the write is owned
 * by the ReplicaManager (awaited on shutdown) and its failure is only logged.
 */
import type * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../../../libs/errors/index.js';
import { isServiceCall, type v1 } from '../../../libs/rpc/index.js';
import { INTERNAL_TOPIC_PREFIX } from '../../../libs/cluster/index.js';
import { principalOf } from '../../../libs/security/index.js';
import { planProduce, type Partition, type PartitionWrite } from '../../../libs/replica/index.js';
import type { ValidatedBatch } from '../../../libs/record/index.js';
import { ATTR, withSpan } from '../../../libs/telemetry/index.js';
import { isForwarded, type Route } from '../forwarding.js';
import { DEFAULT_PRODUCE_TIMEOUT_MS, type BrokerContext } from './context.js';
import { ackLevelOf, localPartition, topicOf } from './common.js';

type ProduceCall = grpc.ServerUnaryCall<v1.ProduceRequest__Output, v1.ProduceResponse>;

/**
 * Over TLS, only a verified service certificate of a coordinator or broker (libs/security
 * principalOf); a claim header is ignored there. In plaintext (--insecure) there is nothing to
 * verify, so the caller's claim decides (libs/rpc/principal.ts: it stops clients that make none,
 * not one that forges it; docs/adr/0017).
 */
function mayWriteInternalTopics(call: ProduceCall): boolean {
  if (call.getAuthContext().transportSecurityType === 'ssl') {
    const kind = principalOf(call).service?.kind;
    return kind === 'coordinator' || kind === 'broker';
  }
  // A broker forwarding marks the request (samsa-forwarded); in plaintext that is a claim too.
  return isServiceCall(call, 'coordinator', 'broker') || isForwarded(call);
}

export async function produce(ctx: BrokerContext, request: v1.ProduceRequest__Output, call: ProduceCall): Promise<v1.ProduceResponse> {
  const topicName = topicOf(request.topic);
  // Internal topics are written by Samsa's services only: the coordinator's offset commits, and a
  // broker forwarding a request it admitted here.
  if (topicName.startsWith(INTERNAL_TOPIC_PREFIX) && !mayWriteInternalTopics(call)) {
    throw new SamsaError('POLICY_VIOLATION', `topic "${topicName}" is internal to the cluster: clients cannot produce to it`);
  }
  // The highest partition named, so that a topic grown a moment ago is checked against etcd, not refused.
  const highest = request.batches.reduce((max, b) => Math.max(max, b.partition), request.partition ?? 0);
  const topic = await ctx.view.confirmTopic(topicName, highest);
  if (!topic) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topicName} does not exist`);
  const acks = ackLevelOf(request.acks);
  const timeoutMs = request.timeoutMs > 0 ? request.timeoutMs : DEFAULT_PRODUCE_TIMEOUT_MS;
  const forwarded = isForwarded(call);

  const writes = planProduce(
    {
      records: request.records.map((r) => ({
        key: r.key ?? null,
        value: r.value,
        headers: r.headers.map((h) => ({ key: h.key, value: h.value })),
        timestampMs: r.timestampMs,
      })),
      partition: request.partition,
      batches: request.batches.map((b) => ({ partition: b.partition, batch: b.batch })),
    },
    { topic, nowMs: ctx.clock.nowMs(), keyless: ctx.keyless },
  );

  // Route and check everything before the first write.
  const local: { write: PartitionWrite; partition: Partition }[] = [];
  const remote = new Map<string, { route: Extract<Route, { kind: 'remote' }>; writes: PartitionWrite[] }>();
  for (const write of writes) {
    const route = await ctx.forwarder.route(topicName, write.partition, forwarded);
    if (route.kind === 'local') {
      const partition = await localPartition(ctx, topicName, write.partition);
      partition.checkAppend({ acks, minInsyncReplicas: topic.config.minInsyncReplicas });
      local.push({ write, partition });
    } else {
      const group = remote.get(route.address) ?? { route, writes: [] };
      group.writes.push(write);
      remote.set(route.address, group);
    }
  }

  // The leader's checks of what it will store, and compression.type (libs/replica/batch-validator.ts),
  // for every local write before the first append, so a refused batch writes nothing.
  for (const { write } of local) {
    for (let i = 0; i < write.batches.length; i++) {
      write.batches[i] = await ctx.validator.validate(write.batches[i] as ValidatedBatch, topic, `partition ${write.partition} batch ${i}`);
    }
  }

  const appendLocal = ({ write, partition }: (typeof local)[number]): Promise<v1.PartitionProduceResult> => {
    const records = write.recordCounts.reduce((a, b) => a + b, 0);
    const bytes = write.batches.reduce((n, b) => n + b.bytes.length, 0);
    const attributes = {
      [ATTR.topic]: topicName,
      [ATTR.partition]: write.partition,
      [ATTR.acks]: acks,
      [ATTR.batches]: write.batches.length,
      [ATTR.records]: records,
      [ATTR.bytes]: bytes,
    };
    return withSpan('partition.append', attributes, async (span) => {
      let first: { baseOffset: number; appendTimeMs: number } | undefined;
      for (const batch of write.batches) {
        const info = await partition.append(batch, { acks, minInsyncReplicas: topic.config.minInsyncReplicas, timeoutMs });
        first ??= info;
      }
      span.setAttribute(ATTR.baseOffset, first?.baseOffset ?? -1);
      ctx.metrics.produced(topicName, bytes, records);
      return result(write, first?.baseOffset ?? -1, first?.appendTimeMs ?? -1);
    });
  };

  const forwardGroup = async (group: {
    route: Extract<Route, { kind: 'remote' }>;
    writes: PartitionWrite[];
  }): Promise<v1.PartitionProduceResult[]> => {
    const sub: v1.ProduceRequest = {
      topic: topicName,
      acks: request.acks,
      timeoutMs,
      batches: group.writes.flatMap((w) => w.batches.map((batch) => ({ partition: w.partition, batch: batch.bytes }))),
    };
    const response = await ctx.forwarder.unary<v1.ProduceResponse__Output>(
      group.route,
      call,
      timeoutMs + 5_000,
      (client, md, options, cb) => client.produce(sub, md, options, cb),
    );
    return group.writes.map((w) => {
      const theirs = response.results.find((r) => r.partition === w.partition);
      return result(w, theirs?.baseOffset ?? -1, theirs?.logAppendTimeMs ?? -1);
    });
  };

  const work = Promise.all([...local.map(appendLocal), ...[...remote.values()].map(forwardGroup)]).then((parts) => parts.flat());
  if (acks === 'none') {
    ctx.replicas.track(work, `acks=none produce to ${topicName}`);
    return { results: writes.map((w) => result(w, -1, -1)) };
  }
  const results = await work;
  results.sort((a, b) => (a.partition ?? 0) - (b.partition ?? 0));
  return { results };
}

function result(write: PartitionWrite, baseOffset: number, logAppendTimeMs: number): v1.PartitionProduceResult {
  return {
    partition: write.partition,
    baseOffset,
    recordCount: write.recordCounts.reduce((a, b) => a + b, 0),
    logAppendTimeMs,
    recordIndexes: write.recordIndexes,
  };
}
