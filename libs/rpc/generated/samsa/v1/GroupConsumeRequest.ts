// Original file: proto/samsa/v1/coordinator.proto

import type { JoinGroup as _samsa_v1_JoinGroup, JoinGroup__Output as _samsa_v1_JoinGroup__Output } from '../../samsa/v1/JoinGroup.js';
import type { ProcessedOffset as _samsa_v1_ProcessedOffset, ProcessedOffset__Output as _samsa_v1_ProcessedOffset__Output } from '../../samsa/v1/ProcessedOffset.js';
import type { TopicPartitions as _samsa_v1_TopicPartitions, TopicPartitions__Output as _samsa_v1_TopicPartitions__Output } from '../../samsa/v1/TopicPartitions.js';

export interface GroupConsumeRequest {
  'join'?: (_samsa_v1_JoinGroup | null);
  'processed'?: (_samsa_v1_ProcessedOffset | null);
  'leave'?: (boolean);
  'pause'?: (_samsa_v1_TopicPartitions | null);
  'resume'?: (_samsa_v1_TopicPartitions | null);
  'heartbeat'?: (boolean);
  'taken'?: (_samsa_v1_TopicPartitions | null);
  'revoked'?: (_samsa_v1_TopicPartitions | null);
  'kind'?: "join"|"processed"|"leave"|"pause"|"resume"|"heartbeat"|"taken"|"revoked";
}

export interface GroupConsumeRequest__Output {
  'join'?: (_samsa_v1_JoinGroup__Output | null);
  'processed'?: (_samsa_v1_ProcessedOffset__Output | null);
  'leave'?: (boolean);
  'pause'?: (_samsa_v1_TopicPartitions__Output | null);
  'resume'?: (_samsa_v1_TopicPartitions__Output | null);
  'heartbeat'?: (boolean);
  'taken'?: (_samsa_v1_TopicPartitions__Output | null);
  'revoked'?: (_samsa_v1_TopicPartitions__Output | null);
  'kind'?: "join"|"processed"|"leave"|"pause"|"resume"|"heartbeat"|"taken"|"revoked";
}
