// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

export interface ProcessedOffset {
  'topic'?: (string);
  'partition'?: (number);
  'offset'?: (number | string | Long);
}

export interface ProcessedOffset__Output {
  'topic': (string);
  'partition': (number);
  'offset': (number);
}
