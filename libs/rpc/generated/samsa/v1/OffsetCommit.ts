// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

export interface OffsetCommit {
  'topic'?: (string);
  'partition'?: (number);
  'offset'?: (number | string | Long);
  'metadata'?: (string);
}

export interface OffsetCommit__Output {
  'topic': (string);
  'partition': (number);
  'offset': (number);
  'metadata': (string);
}
