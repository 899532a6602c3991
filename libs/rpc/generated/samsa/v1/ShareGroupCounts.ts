// Original file: proto/samsa/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

export interface ShareGroupCounts {
  'members'?: (number);
  'inFlight'?: (number | string | Long);
  'available'?: (number | string | Long);
  'acked'?: (number | string | Long);
  'deadLettered'?: (number | string | Long);
}

export interface ShareGroupCounts__Output {
  'members': (number);
  'inFlight': (number);
  'available': (number);
  'acked': (number);
  'deadLettered': (number);
}
