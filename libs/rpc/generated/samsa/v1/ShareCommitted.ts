// Original file: proto/samsa/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

export interface ShareCommitted {
  'sequence'?: (number | string | Long);
}

export interface ShareCommitted__Output {
  'sequence': (number);
}
