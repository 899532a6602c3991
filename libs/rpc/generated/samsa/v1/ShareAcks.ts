// Original file: proto/samsa/v1/coordinator.proto

import type { ShareAck as _samsa_v1_ShareAck, ShareAck__Output as _samsa_v1_ShareAck__Output } from '../../samsa/v1/ShareAck.js';
import type { Long } from '@grpc/proto-loader';

export interface ShareAcks {
  'acks'?: (_samsa_v1_ShareAck)[];
  'sequence'?: (number | string | Long);
}

export interface ShareAcks__Output {
  'acks': (_samsa_v1_ShareAck__Output)[];
  'sequence': (number);
}
