// Original file: proto/samsa/v1/coordinator.proto

import type { ConsumedRecord as _samsa_v1_ConsumedRecord, ConsumedRecord__Output as _samsa_v1_ConsumedRecord__Output } from '../../samsa/v1/ConsumedRecord.js';

export interface ShareRecord {
  'record'?: (_samsa_v1_ConsumedRecord | null);
  'deliveryCount'?: (number);
}

export interface ShareRecord__Output {
  'record': (_samsa_v1_ConsumedRecord__Output | null);
  'deliveryCount': (number);
}
