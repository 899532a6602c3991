// Original file: /work/wt-bench/proto/samsa/v1/broker.proto

import type { Long } from '@grpc/proto-loader';

export interface PartitionProduceResult {
  'partition'?: (number);
  'baseOffset'?: (number | string | Long);
  'recordCount'?: (number);
  'logAppendTimeMs'?: (number | string | Long);
  'recordIndexes'?: (number)[];
}

export interface PartitionProduceResult__Output {
  'partition': (number);
  'baseOffset': (number);
  'recordCount': (number);
  'logAppendTimeMs': (number);
  'recordIndexes': (number)[];
}
