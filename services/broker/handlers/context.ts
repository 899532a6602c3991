/**
 * What every broker RPC handler works with. Built once by main.ts; the handlers own nothing of it.
 */
import type { BrokerMetrics, Logger } from '../../../libs/telemetry/index.js';
import type { ReplicaManager, KeylessPartitioner, BatchValidatorPool } from '../../../libs/replica/index.js';
import type { ClusterView } from '../../../libs/cluster/index.js';
import type { Clock } from '../../../libs/runtime/index.js';
import type { ReadBufferPool } from '../../../libs/log/index.js';
import type { Forwarder } from '../forwarding.js';

export interface BrokerContext {
  brokerId: number;
  clusterId: string;
  view: ClusterView;
  replicas: ReplicaManager;
  forwarder: Forwarder;
  /** Picks the partition of keyless structured records, request by request. */
  keyless: KeylessPartitioner;
  logger: Logger;
  /** Throughput, latency and stream counts (libs/telemetry BrokerMetrics). */
  metrics: BrokerMetrics;
  /** Aborted when the broker starts shutting down: long polls answer, streams end with NOT_READY. */
  shutdown: AbortSignal;
  /** The gRPC message limit; one Fetch answer or Consume message must fit in it. */
  maxMessageBytes: number;
  /** The leader's checks of batches before appending (decompression off the event loop). */
  validator: BatchValidatorPool;
  /** A cluster-unique producer id for InitProducerId. */
  allocateProducerId: () => Promise<number>;
  /** Timestamps of records sent without one, and Fetch's long-poll deadline. */
  clock: Clock;
  /** Reused buffers for Consume's segment reads (each released once grpc-js has sent its message). */
  readBuffers: ReadBufferPool;
}

/** Fetch/Consume read size when the request does not say (1 MiB). */
export const DEFAULT_MAX_BYTES = 1024 * 1024;
/** Longest a Fetch may park, whatever it asks for. */
export const MAX_FETCH_WAIT_MS = 30_000;
/** Fetch wait when the request leaves max_wait_ms at 0 (unset in proto3). */
export const DEFAULT_FETCH_WAIT_MS = 500;
/** Default produce timeout for acks=all (proto: 30000). */
export const DEFAULT_PRODUCE_TIMEOUT_MS = 30_000;
