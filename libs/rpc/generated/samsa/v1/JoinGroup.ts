// Original file: proto/samsa/v1/coordinator.proto

import type { Assignor as _samsa_v1_Assignor, Assignor__Output as _samsa_v1_Assignor__Output } from '../../samsa/v1/Assignor.js';
import type { OffsetPosition as _samsa_v1_OffsetPosition, OffsetPosition__Output as _samsa_v1_OffsetPosition__Output } from '../../samsa/v1/OffsetPosition.js';
import type { Long } from '@grpc/proto-loader';

export interface JoinGroup {
  'groupId'?: (string);
  'topics'?: (string)[];
  'sessionTimeoutMs'?: (number);
  'groupInstanceId'?: (string);
  'assignor'?: (_samsa_v1_Assignor);
  'reset'?: (_samsa_v1_OffsetPosition);
  'maxChunksAhead'?: (number);
  'assignOnly'?: (boolean);
  'maxRecords'?: (number);
  'maxBytes'?: (number | string | Long);
  '_groupInstanceId'?: "groupInstanceId";
}

export interface JoinGroup__Output {
  'groupId': (string);
  'topics': (string)[];
  'sessionTimeoutMs': (number);
  'groupInstanceId'?: (string);
  'assignor': (_samsa_v1_Assignor__Output);
  'reset': (_samsa_v1_OffsetPosition__Output);
  'maxChunksAhead': (number);
  'assignOnly': (boolean);
  'maxRecords': (number);
  'maxBytes': (number);
  '_groupInstanceId'?: "groupInstanceId";
}
