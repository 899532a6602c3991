/**
 * Samsa's typed errors. Every failure that crosses a module boundary is a {@link SamsaError} with a
 * stable `reason` (the same names as the `ErrorReason` enum in proto/samsa/v1/common.proto) and a
 * `retriable` flag. The mapping to gRPC status codes lives in one place, libs/rpc/status.ts, at the
 * service edge; callers branch on `reason`, never on message text.
 */

export const ERROR_REASONS = [
  'UNKNOWN_TOPIC_OR_PARTITION',
  'INVALID_TOPIC_NAME',
  'TOPIC_ALREADY_EXISTS',
  'INVALID_PARTITIONS',
  'INVALID_REPLICATION_FACTOR',
  'INVALID_CONFIG',
  'RECORD_TOO_LARGE',
  'CORRUPT_MESSAGE',
  'EMPTY_PRODUCE',
  'OFFSET_OUT_OF_RANGE',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'NOT_ENOUGH_REPLICAS',
  'NOT_CONTROLLER',
  'FENCED',
  'NOT_ENOUGH_BROKERS',
  'REQUEST_TIMED_OUT',
  'INVALID_REQUEST',
  'STORAGE_ERROR',
  'NOT_READY',
  'UNKNOWN_MEMBER_ID',
  'ILLEGAL_GENERATION',
  'REBALANCE_IN_PROGRESS',
  'INVALID_SESSION_TIMEOUT',
  'GROUP_ID_NOT_FOUND',
  'NOT_COORDINATOR',
  'OUT_OF_ORDER_SEQUENCE',
  'INVALID_PRODUCER_EPOCH',
  'PARTITION_NOT_ASSIGNED',
  'GROUP_NOT_EMPTY',
  'POLICY_VIOLATION',
  'AUTHORIZATION_FAILED',
  'AUTHENTICATION_FAILED',
  'UNKNOWN_BROKER',
  'INCONSISTENT_GROUP_PROTOCOL',
  'INTERNAL_ERROR',
] as const;

export type ErrorReason = (typeof ERROR_REASONS)[number];

/** Reasons a client may retry after refreshing metadata or backing off. */
const RETRIABLE: ReadonlySet<ErrorReason> = new Set<ErrorReason>([
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'NOT_ENOUGH_REPLICAS',
  'NOT_CONTROLLER',
  'REQUEST_TIMED_OUT',
  'NOT_READY',
  'REBALANCE_IN_PROGRESS',
  'NOT_COORDINATOR',
  // The replica is offline on that broker; its partitions move to other replicas (Kafka's KAFKA_STORAGE_ERROR).
  'STORAGE_ERROR',
]);

export function isErrorReason(value: string): value is ErrorReason {
  return (ERROR_REASONS as readonly string[]).includes(value);
}

export function isRetriableReason(reason: ErrorReason): boolean {
  return RETRIABLE.has(reason);
}

export interface SamsaErrorOptions {
  /** Extra machine-readable facts, sent as `samsa-<key>` trailers (e.g. leader-id, leader-address). */
  details?: Readonly<Record<string, string>>;
  cause?: unknown;
}

export class SamsaError extends Error {
  readonly reason: ErrorReason;
  readonly retriable: boolean;
  readonly details: Readonly<Record<string, string>>;

  constructor(reason: ErrorReason, message: string, options: SamsaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SamsaError';
    this.reason = reason;
    this.retriable = isRetriableReason(reason);
    this.details = options.details ?? {};
  }
}

/** True when `err` is a SamsaError with the given reason. */
export function hasReason(err: unknown, reason: ErrorReason): err is SamsaError {
  return err instanceof SamsaError && err.reason === reason;
}

/** Wraps anything thrown into a SamsaError, keeping SamsaErrors as they are. */
export function toSamsaError(err: unknown): SamsaError {
  if (err instanceof SamsaError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SamsaError('INTERNAL_ERROR', message, { cause: err });
}
