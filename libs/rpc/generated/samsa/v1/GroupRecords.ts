// Original file: proto/samsa/v1/coordinator.proto

import type { ConsumedRecord as _samsa_v1_ConsumedRecord, ConsumedRecord__Output as _samsa_v1_ConsumedRecord__Output } from '../../samsa/v1/ConsumedRecord.js';

export interface GroupRecords {
  'topic'?: (string);
  'partition'?: (number);
  'records'?: (_samsa_v1_ConsumedRecord)[];
}

export interface GroupRecords__Output {
  'topic': (string);
  'partition': (number);
  'records': (_samsa_v1_ConsumedRecord__Output)[];
}
