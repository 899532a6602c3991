// Original file: proto/samsa/v1/coordinator.proto

import type { ShareRecord as _samsa_v1_ShareRecord, ShareRecord__Output as _samsa_v1_ShareRecord__Output } from '../../samsa/v1/ShareRecord.js';

export interface ShareRecords {
  'topic'?: (string);
  'partition'?: (number);
  'records'?: (_samsa_v1_ShareRecord)[];
}

export interface ShareRecords__Output {
  'topic': (string);
  'partition': (number);
  'records': (_samsa_v1_ShareRecord__Output)[];
}
