// Original file: proto/samsa/v1/coordinator.proto

import type { Assignment as _samsa_v1_Assignment, Assignment__Output as _samsa_v1_Assignment__Output } from '../../samsa/v1/Assignment.js';
import type { GroupRecords as _samsa_v1_GroupRecords, GroupRecords__Output as _samsa_v1_GroupRecords__Output } from '../../samsa/v1/GroupRecords.js';
import type { GroupCommitted as _samsa_v1_GroupCommitted, GroupCommitted__Output as _samsa_v1_GroupCommitted__Output } from '../../samsa/v1/GroupCommitted.js';

export interface GroupConsumeResponse {
  'assignment'?: (_samsa_v1_Assignment | null);
  'records'?: (_samsa_v1_GroupRecords | null);
  'committed'?: (_samsa_v1_GroupCommitted | null);
  'kind'?: "assignment"|"records"|"committed";
}

export interface GroupConsumeResponse__Output {
  'assignment'?: (_samsa_v1_Assignment__Output | null);
  'records'?: (_samsa_v1_GroupRecords__Output | null);
  'committed'?: (_samsa_v1_GroupCommitted__Output | null);
  'kind'?: "assignment"|"records"|"committed";
}
