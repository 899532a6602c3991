// Original file: /work/wt-bench/proto/samsa/v1/broker.proto

import type { Long } from '@grpc/proto-loader';

export interface ListOffsetsResponse {
  'offset'?: (number | string | Long);
  'timestampMs'?: (number | string | Long);
  'logStartOffset'?: (number | string | Long);
  'highWatermark'?: (number | string | Long);
}

export interface ListOffsetsResponse__Output {
  'offset': (number);
  'timestampMs': (number);
  'logStartOffset': (number);
  'highWatermark': (number);
}
