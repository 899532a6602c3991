// Original file: proto/samsa/v1/coordinator.proto

import type { ShareAck as _samsa_v1_ShareAck, ShareAck__Output as _samsa_v1_ShareAck__Output } from '../../samsa/v1/ShareAck.js';

export interface ShareAcks {
  'acks'?: (_samsa_v1_ShareAck)[];
}

export interface ShareAcks__Output {
  'acks': (_samsa_v1_ShareAck__Output)[];
}
