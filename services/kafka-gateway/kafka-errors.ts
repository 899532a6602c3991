/**
 * Samsa's error reasons as Kafka's numeric error codes (libs/kafka-protocol ERROR_CODES, from
 * Kafka's Errors.java). One table, used by every handler; an authorization failure takes the code
 * of the resource the request was about (topic, group or cluster), as Kafka's do.
 */
import { ERROR_CODES } from '../../libs/kafka-protocol/index.js';
import { SamsaError, type ErrorReason } from '../../libs/errors/index.js';

type KafkaErrorName = keyof typeof ERROR_CODES;

const BY_REASON: Record<ErrorReason, KafkaErrorName> = {
  UNKNOWN_TOPIC_OR_PARTITION: 'UNKNOWN_TOPIC_OR_PARTITION',
  INVALID_TOPIC_NAME: 'INVALID_TOPIC_EXCEPTION',
  TOPIC_ALREADY_EXISTS: 'TOPIC_ALREADY_EXISTS',
  INVALID_PARTITIONS: 'INVALID_PARTITIONS',
  INVALID_REPLICATION_FACTOR: 'INVALID_REPLICATION_FACTOR',
  INVALID_CONFIG: 'INVALID_CONFIG',
  RECORD_TOO_LARGE: 'MESSAGE_TOO_LARGE',
  CORRUPT_MESSAGE: 'CORRUPT_MESSAGE',
  EMPTY_PRODUCE: 'INVALID_REQUEST',
  OFFSET_OUT_OF_RANGE: 'OFFSET_OUT_OF_RANGE',
  NOT_LEADER_OR_FOLLOWER: 'NOT_LEADER_OR_FOLLOWER',
  LEADER_NOT_AVAILABLE: 'LEADER_NOT_AVAILABLE',
  NOT_ENOUGH_REPLICAS: 'NOT_ENOUGH_REPLICAS',
  NOT_CONTROLLER: 'NOT_CONTROLLER',
  // A stale leader epoch behind the gateway: the client should refresh metadata and retry.
  FENCED: 'NOT_LEADER_OR_FOLLOWER',
  NOT_ENOUGH_BROKERS: 'INVALID_REPLICATION_FACTOR',
  REQUEST_TIMED_OUT: 'REQUEST_TIMED_OUT',
  INVALID_REQUEST: 'INVALID_REQUEST',
  STORAGE_ERROR: 'KAFKA_STORAGE_ERROR',
  NOT_READY: 'LEADER_NOT_AVAILABLE',
  UNKNOWN_MEMBER_ID: 'UNKNOWN_MEMBER_ID',
  ILLEGAL_GENERATION: 'ILLEGAL_GENERATION',
  REBALANCE_IN_PROGRESS: 'REBALANCE_IN_PROGRESS',
  INVALID_SESSION_TIMEOUT: 'INVALID_SESSION_TIMEOUT',
  GROUP_ID_NOT_FOUND: 'GROUP_ID_NOT_FOUND',
  NOT_COORDINATOR: 'COORDINATOR_NOT_AVAILABLE',
  OUT_OF_ORDER_SEQUENCE: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
  INVALID_PRODUCER_EPOCH: 'INVALID_PRODUCER_EPOCH',
  PARTITION_NOT_ASSIGNED: 'UNKNOWN_MEMBER_ID',
  GROUP_NOT_EMPTY: 'NON_EMPTY_GROUP',
  POLICY_VIOLATION: 'POLICY_VIOLATION',
  AUTHORIZATION_FAILED: 'TOPIC_AUTHORIZATION_FAILED',
  AUTHENTICATION_FAILED: 'SASL_AUTHENTICATION_FAILED',
  UNKNOWN_BROKER: 'BROKER_NOT_AVAILABLE',
  INCONSISTENT_GROUP_PROTOCOL: 'INCONSISTENT_GROUP_PROTOCOL',
  INTERNAL_ERROR: 'UNKNOWN_SERVER_ERROR',
} as Record<ErrorReason, KafkaErrorName>;

export type ResourceKind = 'topic' | 'group' | 'cluster';

/** Kafka's code for `err` in a request about a `resource`. */
export function kafkaCode(err: unknown, resource: ResourceKind = 'topic'): number {
  if (!(err instanceof SamsaError)) return ERROR_CODES.UNKNOWN_SERVER_ERROR;
  if (err.reason === 'AUTHORIZATION_FAILED')
    return resource === 'group'
      ? ERROR_CODES.GROUP_AUTHORIZATION_FAILED
      : resource === 'cluster'
        ? ERROR_CODES.CLUSTER_AUTHORIZATION_FAILED
        : ERROR_CODES.TOPIC_AUTHORIZATION_FAILED;
  return ERROR_CODES[BY_REASON[err.reason] ?? 'UNKNOWN_SERVER_ERROR'];
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export const NONE = ERROR_CODES.NONE;
export { ERROR_CODES };
