/**
 * Cluster metadata (libs/cluster's records) as the proto messages brokers and controllers answer
 * with: the one place that converts them, at the service edge, so libs/cluster knows no proto.
 */
import { SamsaError } from '../errors/index.js';
import { withConfigDefaults, type ClusterView, type PartitionState, type TopicConfigValues, type TopicRecord } from '../cluster/index.js';
import type { v1 } from '../rpc/index.js';

export function topicConfigToProto(stored: TopicConfigValues): v1.TopicConfig {
  const c = withConfigDefaults(stored);
  return {
    retentionMs: c.retentionMs,
    retentionBytes: c.retentionBytes,
    segmentBytes: c.segmentBytes,
    segmentMs: c.segmentMs,
    cleanupPolicy: c.cleanupPolicy,
    minInsyncReplicas: c.minInsyncReplicas,
    maxMessageBytes: c.maxMessageBytes,
    uncleanLeaderElection: c.uncleanLeaderElection,
    deleteRetentionMs: c.deleteRetentionMs,
    minCleanableDirtyRatio: c.minCleanableDirtyRatio,
    minCompactionLagMs: c.minCompactionLagMs,
    maxCompactionLagMs: c.maxCompactionLagMs,
    compressionType: c.compressionType,
  };
}

/** A topic and the given states of its partitions (the view's, or planned ones for a validate-only call). */
export function topicInfoOf(record: TopicRecord, partitions: readonly PartitionState[]): v1.TopicInfo {
  return {
    name: record.name,
    topicId: record.topicId,
    replicationFactor: record.replicationFactor,
    config: topicConfigToProto(record.config),
    partitions: partitions.map((p) => ({
      partition: p.partition,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicas: p.replicas,
      isr: p.isr,
    })),
  };
}

/** A topic with its partitions as the view has them now. */
export function toTopicInfo(view: ClusterView, record: TopicRecord): v1.TopicInfo {
  return topicInfoOf(record, view.partitions(record.name));
}

/** All topics when `topics` is empty; an unknown requested topic is UNKNOWN_TOPIC_OR_PARTITION. */
export async function toMetadataResponse(view: ClusterView, clusterId: string, topics: readonly string[]): Promise<v1.GetMetadataResponse> {
  const records =
    topics.length === 0
      ? view.topics()
      : await Promise.all(
          topics.map(async (name) => {
            // Checked against etcd before refusing: a client that just created the topic may ask a server whose view trails.
            const record = await view.confirmTopic(name);
            if (!record) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${name}" does not exist`);
            return record;
          }),
        );
  const controller = view.controller();
  return {
    clusterId,
    brokers: view.brokers().map((b) => ({ id: b.id, host: b.host, port: b.port, rack: b.rack })),
    topics: records.map((r) => toTopicInfo(view, r)),
    ...(controller
      ? { controller: { id: Number(controller.controllerId) || 0, host: controller.host, port: controller.port, rack: '' } }
      : {}),
  };
}
