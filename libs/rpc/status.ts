/**
 * The one place where SamsaErrors become gRPC statuses (server side) and gRPC statuses become
 * SamsaErrors again (client side). The reason travels in the `samsa-error-reason` trailer and
 * extra details as `samsa-<key>` trailers, so clients in any language can read them.
 */
import * as grpc from '@grpc/grpc-js';
import { SamsaError, isErrorReason, toSamsaError, type ErrorReason } from '../errors/index.js';

export const REASON_TRAILER = 'samsa-error-reason';
export const RETRIABLE_TRAILER = 'samsa-retriable';
const DETAIL_PREFIX = 'samsa-';

const CODE_BY_REASON: Record<ErrorReason, grpc.status> = {
  UNKNOWN_TOPIC_OR_PARTITION: grpc.status.NOT_FOUND,
  INVALID_TOPIC_NAME: grpc.status.INVALID_ARGUMENT,
  TOPIC_ALREADY_EXISTS: grpc.status.ALREADY_EXISTS,
  INVALID_PARTITIONS: grpc.status.INVALID_ARGUMENT,
  INVALID_REPLICATION_FACTOR: grpc.status.INVALID_ARGUMENT,
  INVALID_CONFIG: grpc.status.INVALID_ARGUMENT,
  RECORD_TOO_LARGE: grpc.status.INVALID_ARGUMENT,
  CORRUPT_MESSAGE: grpc.status.INVALID_ARGUMENT,
  EMPTY_PRODUCE: grpc.status.INVALID_ARGUMENT,
  OFFSET_OUT_OF_RANGE: grpc.status.OUT_OF_RANGE,
  NOT_LEADER_OR_FOLLOWER: grpc.status.UNAVAILABLE,
  LEADER_NOT_AVAILABLE: grpc.status.UNAVAILABLE,
  NOT_ENOUGH_REPLICAS: grpc.status.UNAVAILABLE,
  NOT_CONTROLLER: grpc.status.UNAVAILABLE,
  FENCED: grpc.status.FAILED_PRECONDITION,
  NOT_ENOUGH_BROKERS: grpc.status.FAILED_PRECONDITION,
  REQUEST_TIMED_OUT: grpc.status.DEADLINE_EXCEEDED,
  INVALID_REQUEST: grpc.status.INVALID_ARGUMENT,
  STORAGE_ERROR: grpc.status.UNAVAILABLE,
  NOT_READY: grpc.status.UNAVAILABLE,
  UNKNOWN_MEMBER_ID: grpc.status.FAILED_PRECONDITION,
  ILLEGAL_GENERATION: grpc.status.FAILED_PRECONDITION,
  REBALANCE_IN_PROGRESS: grpc.status.ABORTED,
  INVALID_SESSION_TIMEOUT: grpc.status.INVALID_ARGUMENT,
  GROUP_ID_NOT_FOUND: grpc.status.NOT_FOUND,
  NOT_COORDINATOR: grpc.status.UNAVAILABLE,
  OUT_OF_ORDER_SEQUENCE: grpc.status.FAILED_PRECONDITION,
  INVALID_PRODUCER_EPOCH: grpc.status.FAILED_PRECONDITION,
  PARTITION_NOT_ASSIGNED: grpc.status.FAILED_PRECONDITION,
  GROUP_NOT_EMPTY: grpc.status.FAILED_PRECONDITION,
  POLICY_VIOLATION: grpc.status.FAILED_PRECONDITION,
  AUTHORIZATION_FAILED: grpc.status.PERMISSION_DENIED,
  AUTHENTICATION_FAILED: grpc.status.UNAUTHENTICATED,
  UNKNOWN_BROKER: grpc.status.NOT_FOUND,
  INCONSISTENT_GROUP_PROTOCOL: grpc.status.FAILED_PRECONDITION,
  INTERNAL_ERROR: grpc.status.INTERNAL,
};

export function grpcCodeFor(reason: ErrorReason): grpc.status {
  return CODE_BY_REASON[reason];
}

/** A SamsaError (or anything thrown) as the status object grpc-js callbacks and emit('error') take. */
export function toGrpcStatus(err: unknown): Partial<grpc.StatusObject> & { code: grpc.status; details: string } {
  const e = toSamsaError(err);
  const metadata = new grpc.Metadata();
  metadata.set(REASON_TRAILER, e.reason);
  metadata.set(RETRIABLE_TRAILER, String(e.retriable));
  for (const [key, value] of Object.entries(e.details)) metadata.set(DETAIL_PREFIX + key, value);
  return { code: grpcCodeFor(e.reason), details: e.message, metadata };
}

/** The reason a status carries: the trailer when present, else a best guess from the code. */
function reasonOf(err: grpc.ServiceError): ErrorReason {
  const raw = err.metadata?.get(REASON_TRAILER)[0];
  if (typeof raw === 'string' && isErrorReason(raw)) return raw;
  switch (err.code) {
    case grpc.status.UNAVAILABLE:
      return 'NOT_READY';
    case grpc.status.DEADLINE_EXCEEDED:
      return 'REQUEST_TIMED_OUT';
    case grpc.status.INVALID_ARGUMENT:
    case grpc.status.RESOURCE_EXHAUSTED:
      return 'INVALID_REQUEST';
    case grpc.status.NOT_FOUND:
      return 'UNKNOWN_TOPIC_OR_PARTITION';
    case grpc.status.PERMISSION_DENIED:
      return 'AUTHORIZATION_FAILED';
    case grpc.status.UNAUTHENTICATED:
      return 'AUTHENTICATION_FAILED';
    default:
      return 'INTERNAL_ERROR';
  }
}

export function isServiceError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && typeof (err as Partial<grpc.ServiceError>).code === 'number';
}

/** A failed gRPC call as a SamsaError with the server's reason and details. */
export function fromServiceError(err: unknown, target?: string): SamsaError {
  if (!isServiceError(err)) return toSamsaError(err);
  const details: Record<string, string> = {};
  for (const [key, value] of Object.entries(err.metadata?.getMap() ?? {})) {
    if (key.startsWith(DETAIL_PREFIX) && key !== REASON_TRAILER && key !== RETRIABLE_TRAILER) {
      details[key.slice(DETAIL_PREFIX.length)] = String(value);
    }
  }
  const hasTrailer = err.metadata?.get(REASON_TRAILER).length;
  const message =
    !hasTrailer && err.code === grpc.status.UNAVAILABLE && target
      ? `cannot reach ${target}: ${err.details} (is the cluster running? start it with \`npm start\`)`
      : err.details || err.message;
  return new SamsaError(reasonOf(err), message, { details, cause: err });
}
