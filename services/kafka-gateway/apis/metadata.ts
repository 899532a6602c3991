/**
 * Metadata: the gateway is the only broker (docs/adr/0045). Every partition with a live Samsa
 * leader is led by the gateway's node id; replicas and ISR name only the gateway (Samsa's own
 * placement is `samsa topics describe`). Leader epochs are reported as -1 (unknown), so clients do
 * not fence their fetches on epochs the gateway hides. Topics are never created by a Metadata
 * request (allow_auto_topic_creation is ignored): create them with CreateTopics.
 */
import type { MetadataRequest, MetadataResponse, MetadataResponseMetadataResponseTopic } from '../../../libs/kafka-protocol/index.js';
import type { v1 } from '../../../libs/rpc/index.js';
import { ERROR_CODES, kafkaCode, NONE } from '../kafka-errors.js';
import type { RequestContext } from './context.js';

/** Kafka's "authorized operations not requested" sentinel (INT32_MIN). */
const OPS_NOT_REQUESTED = -2147483648;

export async function metadata(ctx: RequestContext, req: MetadataRequest): Promise<MetadataResponse> {
  const names =
    req.topics === null || (ctx.header.apiVersion === 0 && req.topics.length === 0) ? null : req.topics.map((t) => t.name ?? '');
  const { node } = ctx;
  const failed = new Map<string, number>();
  let md: v1.GetMetadataResponse__Output;
  try {
    md = await ctx.upstream.metadata(ctx.caller, names ?? []);
  } catch (err) {
    // One topic the caller may not describe fails the whole call: ask topic by topic, so each
    // topic carries its own error (TOPIC_AUTHORIZATION_FAILED), as Kafka answers.
    if (names === null || names.length <= 1) {
      if (names === null) throw err;
      md = await ctx.upstream.metadata(ctx.caller, []);
      md = { ...md, topics: [] };
      for (const n of names) failed.set(n, kafkaCode(err));
    } else {
      const each = await Promise.all(
        names.map((n) => ctx.upstream.metadata(ctx.caller, [n]).catch((e: unknown) => (failed.set(n, kafkaCode(e)), undefined))),
      );
      const first = each.find((x) => x !== undefined) ?? { ...(await ctx.upstream.metadata(ctx.caller, [])), topics: [] };
      md = { ...first, topics: each.flatMap((x) => x?.topics ?? []) };
    }
  }
  const topics: MetadataResponseMetadataResponseTopic[] = [];
  const wanted = names ?? md.topics.map((t) => t.name);
  for (const name of wanted) {
    const t = md.topics.find((x) => x.name === name);
    if (!t) {
      topics.push({ errorCode: failed.get(name) ?? ERROR_CODES.UNKNOWN_TOPIC_OR_PARTITION, name, isInternal: false, partitions: [] });
      continue;
    }
    topics.push({
      errorCode: NONE,
      name: t.name,
      isInternal: t.name.startsWith('__'),
      partitions: [...t.partitions]
        .sort((a, b) => a.partition - b.partition)
        .map((p) => {
          const led = p.leaderId >= 0 && md.brokers.some((b) => b.id === p.leaderId);
          return {
            errorCode: led ? NONE : ERROR_CODES.LEADER_NOT_AVAILABLE,
            partitionIndex: p.partition,
            leaderId: led ? node.nodeId : -1,
            leaderEpoch: -1,
            replicaNodes: [node.nodeId],
            isrNodes: [node.nodeId],
            offlineReplicas: [],
          };
        }),
      topicAuthorizedOperations: OPS_NOT_REQUESTED,
    });
  }
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: node.nodeId, host: node.host, port: node.port, rack: null }],
    clusterId: md.clusterId,
    controllerId: node.nodeId,
    topics,
    clusterAuthorizedOperations: OPS_NOT_REQUESTED,
  };
}
