// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto

import type { Assignment as _samsa_v1_Assignment, Assignment__Output as _samsa_v1_Assignment__Output } from '../../samsa/v1/Assignment.js';
import type { ConsumedRecord as _samsa_v1_ConsumedRecord, ConsumedRecord__Output as _samsa_v1_ConsumedRecord__Output } from '../../samsa/v1/ConsumedRecord.js';

export interface GroupConsumeResponse {
  'assignment'?: (_samsa_v1_Assignment | null);
  'record'?: (_samsa_v1_ConsumedRecord | null);
  'kind'?: "assignment"|"record";
}

export interface GroupConsumeResponse__Output {
  'assignment'?: (_samsa_v1_Assignment__Output | null);
  'record'?: (_samsa_v1_ConsumedRecord__Output | null);
  'kind'?: "assignment"|"record";
}
