// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto

import type { JoinGroup as _samsa_v1_JoinGroup, JoinGroup__Output as _samsa_v1_JoinGroup__Output } from '../../samsa/v1/JoinGroup.js';
import type { TopicPartitions as _samsa_v1_TopicPartitions, TopicPartitions__Output as _samsa_v1_TopicPartitions__Output } from '../../samsa/v1/TopicPartitions.js';

export interface MemberSessionRequest {
  'join'?: (_samsa_v1_JoinGroup | null);
  'heartbeatGeneration'?: (number);
  'revoked'?: (_samsa_v1_TopicPartitions | null);
  'leave'?: (boolean);
  'kind'?: "join"|"heartbeatGeneration"|"revoked"|"leave";
}

export interface MemberSessionRequest__Output {
  'join'?: (_samsa_v1_JoinGroup__Output | null);
  'heartbeatGeneration'?: (number);
  'revoked'?: (_samsa_v1_TopicPartitions__Output | null);
  'leave'?: (boolean);
  'kind'?: "join"|"heartbeatGeneration"|"revoked"|"leave";
}
