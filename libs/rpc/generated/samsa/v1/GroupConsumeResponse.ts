// Original file: proto/samsa/v1/coordinator.proto

import type { Assignment as _samsa_v1_Assignment, Assignment__Output as _samsa_v1_Assignment__Output } from '../../samsa/v1/Assignment.js';
import type { GroupRecords as _samsa_v1_GroupRecords, GroupRecords__Output as _samsa_v1_GroupRecords__Output } from '../../samsa/v1/GroupRecords.js';

export interface GroupConsumeResponse {
  'assignment'?: (_samsa_v1_Assignment | null);
  'records'?: (_samsa_v1_GroupRecords | null);
  'kind'?: "assignment"|"records";
}

export interface GroupConsumeResponse__Output {
  'assignment'?: (_samsa_v1_Assignment__Output | null);
  'records'?: (_samsa_v1_GroupRecords__Output | null);
  'kind'?: "assignment"|"records";
}
