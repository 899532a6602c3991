// Original file: proto/samsa/v1/coordinator.proto

import type { OffsetPosition as _samsa_v1_OffsetPosition, OffsetPosition__Output as _samsa_v1_OffsetPosition__Output } from '../../samsa/v1/OffsetPosition.js';
import type { Long } from '@grpc/proto-loader';

export interface ShareJoin {
  'groupId'?: (string);
  'topics'?: (string)[];
  'sessionTimeoutMs'?: (number);
  'reset'?: (_samsa_v1_OffsetPosition);
  'maxRecords'?: (number);
  'maxBytes'?: (number | string | Long);
  'leaseMs'?: (number);
  'maxDeliveryAttempts'?: (number);
  'keyOrdered'?: (boolean);
  'deadLetterTopic'?: (string);
  '_keyOrdered'?: "keyOrdered";
}

export interface ShareJoin__Output {
  'groupId': (string);
  'topics': (string)[];
  'sessionTimeoutMs': (number);
  'reset': (_samsa_v1_OffsetPosition__Output);
  'maxRecords': (number);
  'maxBytes': (number);
  'leaseMs': (number);
  'maxDeliveryAttempts': (number);
  'keyOrdered'?: (boolean);
  'deadLetterTopic': (string);
  '_keyOrdered'?: "keyOrdered";
}
