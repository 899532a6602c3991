/**
 * Samsa's TypeScript SDK: the public face. Import the SDK only through here.
 *
 * Folders by role, as in kafkajs: routing/ (cached cluster metadata and routing to leaders; kafkajs
 * calls it cluster/, a name libs/cluster already has), admin/, producer/, consumer/, groups/,
 * runner/ (handlers: run() of both consumers, worker threads); retries go through libs/runtime's retry().
 */
export { Samsa, type SamsaOptions, type SamsaTlsOptions } from './samsa.js';
export {
  Admin,
  type CreateTopicOptions,
  type ClusterDescription,
  type ElectionResult,
  type PartitionReassignment,
  type ReplicaDescription,
  type ReplicaCopyProgress,
  type TopicPartitionsRef,
} from './admin/admin.js';
export { planMoveTo, planDrain, planRebalance, parsePlan, type PartitionAssignment, type PlanBroker } from './admin/reassignment-plans.js';
export { topicConfigEntries, topicConfigFromEntries, TOPIC_CONFIG_KEYS } from './admin/topic-config.js';
export { toTopicConfig } from './routing/metadata.js';
export { Producer, type Acks, type ProducerOptions, type ProducerRecord, type RecordMetadata } from './producer/producer.js';
export type { ProducerMessage, Bytes, Partitioner } from './producer/messages.js';
export { Consumer, type ConsumerOptions, type TopicStreamOptions, type CommitOffset } from './consumer/consumer.js';
export type { TopicPartition, SeekTarget } from './consumer/assignment.js';
export { PartitionStream, type PartitionStreamOptions, type ConsumedMessage, type Header } from './consumer/partition-stream.js';
export { parseOffsetSpec, type OffsetSpec } from './consumer/offset-spec.js';
export { Groups, type GroupListing, type GroupOffset, type GroupDescription, type ResetOffsetsOptions } from './groups/groups.js';
export { GroupConsumer, type GroupConsumerOptions, type GroupAssignment } from './groups/group-consumer.js';
export { ShareConsumer, type ShareConsumerOptions, type ShareMessage, type ShareMembership } from './groups/share-consumer.js';
export type { BrokerNode, PartitionMetadata, TopicMetadata, TopicConfigValues, ClusterMetadata } from './routing/metadata.js';
export type { RetryOptions } from '../runtime/index.js';
export type {
  RunOptions,
  EachMessagePayload,
  EachBatchPayload,
  EachMessageHandler,
  EachBatchHandler,
  HandlerModule,
  FailurePolicy,
  StoppedPartition,
} from './runner/run-options.js';
export type { Runner } from './runner/runner.js';
export { SamsaError, BrokerUnreachableError, hasReason, isRetriableReason, ERROR_REASONS, type ErrorReason } from './errors.js';
