// Original file: /work/wt-bench/proto/samsa/v1/replication.proto

import type { Long } from '@grpc/proto-loader';

export interface ReplicaPartitionData {
  'topic'?: (string);
  'partition'?: (number);
  'highWatermark'?: (number | string | Long);
  'logStartOffset'?: (number | string | Long);
  'batches'?: (Buffer | Uint8Array | string);
  'divergingEndOffset'?: (number | string | Long);
  'errorReason'?: (string);
  'divergingEpoch'?: (number);
  'errorMessage'?: (string);
  'traceContext'?: ({[key: string]: string});
  '_divergingEndOffset'?: "divergingEndOffset";
  '_divergingEpoch'?: "divergingEpoch";
}

export interface ReplicaPartitionData__Output {
  'topic': (string);
  'partition': (number);
  'highWatermark': (number);
  'logStartOffset': (number);
  'batches': (Buffer);
  'divergingEndOffset'?: (number);
  'errorReason': (string);
  'divergingEpoch'?: (number);
  'errorMessage': (string);
  'traceContext': ({[key: string]: string});
  '_divergingEndOffset'?: "divergingEndOffset";
  '_divergingEpoch'?: "divergingEpoch";
}
