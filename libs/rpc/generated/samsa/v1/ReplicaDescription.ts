// Original file: proto/samsa/v1/broker.proto

import type { Long } from '@grpc/proto-loader';

export interface ReplicaDescription {
  'topic'?: (string);
  'partition'?: (number);
  'sizeBytes'?: (number | string | Long);
  'logStartOffset'?: (number | string | Long);
  'logEndOffset'?: (number | string | Long);
  'highWatermark'?: (number | string | Long);
  'leader'?: (boolean);
}

export interface ReplicaDescription__Output {
  'topic': (string);
  'partition': (number);
  'sizeBytes': (number);
  'logStartOffset': (number);
  'logEndOffset': (number);
  'highWatermark': (number);
  'leader': (boolean);
}
