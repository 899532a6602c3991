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
 * new, the replica went offline on its broker): drop the topic's cached metadata before retrying.
 */
export const STALE_METADATA: ReadonlySet<string> = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'NOT_READY',
  'FENCED',
  'STORAGE_ERROR',
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
 * A failed gRPC call as the SDK's error: a connection failure (UNAVAILABLE without Samsa's reason
 * trailer, so no Samsa server produced it) becomes BrokerUnreachableError; anything else keeps the
 * server's reason via fromServiceError.
 */
export function callError(err: unknown, address: string): SamsaError {
  if (err instanceof SamsaError) return err;
  if (isServiceError(err) && err.code === grpc.status.UNAVAILABLE && err.metadata?.get(REASON_TRAILER).length === 0) {
    return new BrokerUnreachableError(address, err);
  }
  return fromServiceError(err, address);
}
