// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

export interface CommittedOffset {
  'topic'?: (string);
  'partition'?: (number);
  'offset'?: (number | string | Long);
  'metadata'?: (string);
  'highWatermark'?: (number | string | Long);
  'lag'?: (number | string | Long);
}

export interface CommittedOffset__Output {
  'topic': (string);
  'partition': (number);
  'offset': (number);
  'metadata': (string);
  'highWatermark': (number);
  'lag': (number);
}
