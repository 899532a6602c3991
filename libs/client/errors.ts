/**
 * Errors the SDK throws. Every failure is a SamsaError (from libs/errors) with a stable `reason` and
 * a `retriable` flag; the subclasses here name the cases a caller or a CLI wants to tell apart
 * without reading messages.
 */
import * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../errors/index.js';
import { REASON_TRAILER, fromServiceError, isServiceError } from '../rpc/index.js';

export { SamsaError, hasReason, isRetriableReason, ERROR_REASONS, type ErrorReason } from '../errors/index.js';

/**
 * Reasons that mean the client's metadata may be stale (the leader moved, none yet, the topic is
 * new, the replica went offline on its broker, the broker did not answer in time: paused or cut
 * off, and the controller may have moved its leaderships on): drop the topic's cached metadata
 * before retrying, as Kafka's clients do on a request timeout.
 */
export const STALE_METADATA: ReadonlySet<string> = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'NOT_READY',
  'FENCED',
  'STORAGE_ERROR',
  'REQUEST_TIMED_OUT',
]);

/** No Samsa process answered at `address` (nothing listens there, or the connection broke). Retriable. */
export class BrokerUnreachableError extends SamsaError {
  readonly address: string;
  constructor(address: string, cause?: unknown) {
    super('NOT_READY', `cannot reach ${address}: is the cluster running? start it with \`npm start\``, {
      details: { address },
      cause,
    });
    this.name = 'BrokerUnreachableError';
    this.address = address;
  }
}

/**
 * `address` did not answer a call within its deadline, and no Samsa server said why (a deadline
 * that ran out in this client): the broker may be paused, overloaded or cut off. Retriable.
 */
export class BrokerTimeoutError extends SamsaError {
  readonly address: string;
  constructor(address: string, cause?: unknown) {
    const detail = isServiceError(cause) ? ` (${cause.details})` : '';
    super('REQUEST_TIMED_OUT', `no answer from ${address} within the deadline${detail}: it may be paused, overloaded or cut off`, {
      details: { address },
      cause,
    });
    this.name = 'BrokerTimeoutError';
    this.address = address;
  }
}

/** The address of a broker that did not answer (unreachable or timed out); undefined for any other error. */
export function unansweredAddress(err: unknown): string | undefined {
  return err instanceof BrokerUnreachableError || err instanceof BrokerTimeoutError ? err.address : undefined;
}

/**
 * A failed gRPC call as the SDK's error: a connection failure (UNAVAILABLE without Samsa's reason
 * trailer, so no Samsa server produced it) becomes BrokerUnreachableError, a deadline that ran out
 * without an answer BrokerTimeoutError; anything else keeps the server's reason via fromServiceError.
 */
export function callError(err: unknown, address: string): SamsaError {
  if (err instanceof SamsaError) return err;
  if (isServiceError(err) && err.code === grpc.status.UNAVAILABLE && err.metadata?.get(REASON_TRAILER).length === 0) {
    return new BrokerUnreachableError(address, err);
  }
  if (isServiceError(err) && err.code === grpc.status.DEADLINE_EXCEEDED && (err.metadata?.get(REASON_TRAILER).length ?? 0) === 0) {
    return new BrokerTimeoutError(address, err);
  }
  return fromServiceError(err, address);
}
