// Original file: /work/wt-bench/proto/samsa/v1/replication.proto

import type { Long } from '@grpc/proto-loader';

export interface OffsetForLeaderEpochResponse {
  'leaderEpoch'?: (number);
  'endOffset'?: (number | string | Long);
}

export interface OffsetForLeaderEpochResponse__Output {
  'leaderEpoch': (number);
  'endOffset': (number);
}
