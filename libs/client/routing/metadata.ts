/**
 * The SDK's view of cluster metadata: plain objects converted once from GetMetadataResponse, so the
 * rest of the SDK and its users never see generated types.
 */
import type { v1 } from '../../rpc/index.js';

export interface BrokerNode {
  id: number;
  host: string;
  port: number;
  /** host:port */
  address: string;
  rack: string;
}

export interface PartitionMetadata {
  partition: number;
  /** Broker id of the leader; -1 when there is none. */
  leaderId: number;
  leaderEpoch: number;
  /** Assigned replicas, preferred leader first. */
  replicas: number[];
  /** In-sync replicas. */
  isr: number[];
}

export interface TopicConfigValues {
  retentionMs?: number;
  retentionBytes?: number;
  segmentBytes?: number;
  segmentMs?: number;
  cleanupPolicy?: string;
  minInsyncReplicas?: number;
  maxMessageBytes?: number;
  uncleanLeaderElection?: boolean;
  deleteRetentionMs?: number;
  minCleanableDirtyRatio?: number;
  minCompactionLagMs?: number;
  maxCompactionLagMs?: number;
  compressionType?: string;
}

export interface TopicMetadata {
  name: string;
  topicId: string;
  replicationFactor: number;
  /** Sorted by partition number; partition i is at index i. */
  partitions: PartitionMetadata[];
  config: TopicConfigValues;
}

export interface ClusterMetadata {
  clusterId: string;
  /** The active controller; undefined while an election is under way. */
  controller: BrokerNode | undefined;
  brokers: BrokerNode[];
  topics: TopicMetadata[];
}

export function toBrokerNode(b: v1.BrokerInfo__Output): BrokerNode {
  return { id: b.id, host: b.host, port: b.port, address: `${b.host}:${b.port}`, rack: b.rack };
}

export function toTopicConfig(c: v1.TopicConfig__Output | null | undefined): TopicConfigValues {
  if (!c) return {};
  const out: TopicConfigValues = {};
  if (c.retentionMs !== undefined) out.retentionMs = c.retentionMs;
  if (c.retentionBytes !== undefined) out.retentionBytes = c.retentionBytes;
  if (c.segmentBytes !== undefined) out.segmentBytes = c.segmentBytes;
  if (c.segmentMs !== undefined) out.segmentMs = c.segmentMs;
  if (c.cleanupPolicy !== undefined) out.cleanupPolicy = c.cleanupPolicy;
  if (c.minInsyncReplicas !== undefined) out.minInsyncReplicas = c.minInsyncReplicas;
  if (c.maxMessageBytes !== undefined) out.maxMessageBytes = c.maxMessageBytes;
  if (c.uncleanLeaderElection !== undefined) out.uncleanLeaderElection = c.uncleanLeaderElection;
  if (c.deleteRetentionMs !== undefined) out.deleteRetentionMs = c.deleteRetentionMs;
  if (c.minCleanableDirtyRatio !== undefined) out.minCleanableDirtyRatio = c.minCleanableDirtyRatio;
  if (c.minCompactionLagMs !== undefined) out.minCompactionLagMs = c.minCompactionLagMs;
  if (c.maxCompactionLagMs !== undefined) out.maxCompactionLagMs = c.maxCompactionLagMs;
  if (c.compressionType !== undefined) out.compressionType = c.compressionType;
  return out;
}

export function toTopicMetadata(t: v1.TopicInfo__Output): TopicMetadata {
  return {
    name: t.name,
    topicId: t.topicId,
    replicationFactor: t.replicationFactor,
    partitions: t.partitions
      .map((p) => ({
        partition: p.partition,
        leaderId: p.leaderId,
        leaderEpoch: p.leaderEpoch,
        replicas: [...p.replicas],
        isr: [...p.isr],
      }))
      .sort((a, b) => a.partition - b.partition),
    config: toTopicConfig(t.config),
  };
}

export function toClusterMetadata(res: v1.GetMetadataResponse__Output): ClusterMetadata {
  return {
    clusterId: res.clusterId,
    controller: res.controller ? toBrokerNode(res.controller) : undefined,
    brokers: res.brokers.map(toBrokerNode).sort((a, b) => a.id - b.id),
    topics: res.topics.map(toTopicMetadata),
  };
}
