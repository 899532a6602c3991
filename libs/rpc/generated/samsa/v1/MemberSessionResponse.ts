// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto

import type { Assignment as _samsa_v1_Assignment, Assignment__Output as _samsa_v1_Assignment__Output } from '../../samsa/v1/Assignment.js';
import type { TopicPartitions as _samsa_v1_TopicPartitions, TopicPartitions__Output as _samsa_v1_TopicPartitions__Output } from '../../samsa/v1/TopicPartitions.js';

export interface MemberSessionResponse {
  'assignment'?: (_samsa_v1_Assignment | null);
  'revoke'?: (_samsa_v1_TopicPartitions | null);
  'kind'?: "assignment"|"revoke";
}

export interface MemberSessionResponse__Output {
  'assignment'?: (_samsa_v1_Assignment__Output | null);
  'revoke'?: (_samsa_v1_TopicPartitions__Output | null);
  'kind'?: "assignment"|"revoke";
}
