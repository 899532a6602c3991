/** GetMetadata as answered by brokers and controllers alike, from a ClusterView. */
import { SamsaError } from '../errors/index.js';
import type { GetMetadataResponse } from '../rpc/generated/samsa/v1/GetMetadataResponse.js';
import type { TopicInfo } from '../rpc/generated/samsa/v1/TopicInfo.js';
import type { ClusterView } from './cluster-view.js';
import type { TopicRecord } from './metadata.js';
import { topicConfigToProto } from './topic-rules.js';

export function toTopicInfo(view: ClusterView, record: TopicRecord): TopicInfo {
  return {
    name: record.name,
    topicId: record.topicId,
    replicationFactor: record.replicationFactor,
    config: topicConfigToProto(record.config),
    partitions: view.partitions(record.name).map((p) => ({
      partition: p.partition,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicas: p.replicas,
      isr: p.isr,
    })),
  };
}

/** All topics when `topics` is empty; an unknown requested topic is UNKNOWN_TOPIC_OR_PARTITION. */
export function toMetadataResponse(view: ClusterView, clusterId: string, topics: readonly string[]): GetMetadataResponse {
  const records = topics.length === 0 ? view.topics() : topics.map((name) => {
    const record = view.topic(name);
    if (!record) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `topic "${name}" does not exist`);
    return record;
  });
  const controller = view.controller();
  return {
    clusterId,
    brokers: view.brokers().map((b) => ({ id: b.id, host: b.host, port: b.port, rack: b.rack })),
    topics: records.map((r) => toTopicInfo(view, r)),
    ...(controller ? { controller: { id: Number(controller.controllerId) || 0, host: controller.host, port: controller.port, rack: '' } } : {}),
  };
}
