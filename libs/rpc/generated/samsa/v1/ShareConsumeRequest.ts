// Original file: proto/samsa/v1/coordinator.proto

import type { ShareJoin as _samsa_v1_ShareJoin, ShareJoin__Output as _samsa_v1_ShareJoin__Output } from '../../samsa/v1/ShareJoin.js';
import type { ShareAcks as _samsa_v1_ShareAcks, ShareAcks__Output as _samsa_v1_ShareAcks__Output } from '../../samsa/v1/ShareAcks.js';

export interface ShareConsumeRequest {
  'join'?: (_samsa_v1_ShareJoin | null);
  'acks'?: (_samsa_v1_ShareAcks | null);
  'heartbeat'?: (boolean);
  'leave'?: (boolean);
  'kind'?: "join"|"acks"|"heartbeat"|"leave";
}

export interface ShareConsumeRequest__Output {
  'join'?: (_samsa_v1_ShareJoin__Output | null);
  'acks'?: (_samsa_v1_ShareAcks__Output | null);
  'heartbeat'?: (boolean);
  'leave'?: (boolean);
  'kind'?: "join"|"acks"|"heartbeat"|"leave";
}
