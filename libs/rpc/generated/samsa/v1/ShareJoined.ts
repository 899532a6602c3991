// Original file: proto/samsa/v1/coordinator.proto

import type { Long } from '@grpc/proto-loader';

export interface ShareJoined {
  'memberId'?: (string);
  'leaseMs'?: (number);
  'maxDeliveryAttempts'?: (number);
  'keyOrdered'?: (boolean);
  'deadLetterTopic'?: (string);
  'maxRecords'?: (number);
  'maxBytes'?: (number | string | Long);
}

export interface ShareJoined__Output {
  'memberId': (string);
  'leaseMs': (number);
  'maxDeliveryAttempts': (number);
  'keyOrdered': (boolean);
  'deadLetterTopic': (string);
  'maxRecords': (number);
  'maxBytes': (number);
}
