// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto

import type { JoinGroup as _samsa_v1_JoinGroup, JoinGroup__Output as _samsa_v1_JoinGroup__Output } from '../../samsa/v1/JoinGroup.js';
import type { ProcessedOffset as _samsa_v1_ProcessedOffset, ProcessedOffset__Output as _samsa_v1_ProcessedOffset__Output } from '../../samsa/v1/ProcessedOffset.js';

export interface GroupConsumeRequest {
  'join'?: (_samsa_v1_JoinGroup | null);
  'processed'?: (_samsa_v1_ProcessedOffset | null);
  'kind'?: "join"|"processed";
}

export interface GroupConsumeRequest__Output {
  'join'?: (_samsa_v1_JoinGroup__Output | null);
  'processed'?: (_samsa_v1_ProcessedOffset__Output | null);
  'kind'?: "join"|"processed";
}
