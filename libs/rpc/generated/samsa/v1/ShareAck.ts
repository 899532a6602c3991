// Original file: proto/samsa/v1/coordinator.proto

import type { ShareAckType as _samsa_v1_ShareAckType, ShareAckType__Output as _samsa_v1_ShareAckType__Output } from '../../samsa/v1/ShareAckType.js';
import type { Long } from '@grpc/proto-loader';

export interface ShareAck {
  'topic'?: (string);
  'partition'?: (number);
  'fromOffset'?: (number | string | Long);
  'toOffset'?: (number | string | Long);
  'type'?: (_samsa_v1_ShareAckType);
  'delayMs'?: (number);
}

export interface ShareAck__Output {
  'topic': (string);
  'partition': (number);
  'fromOffset': (number);
  'toOffset': (number);
  'type': (_samsa_v1_ShareAckType__Output);
  'delayMs': (number);
}
