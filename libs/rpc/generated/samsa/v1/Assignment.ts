// Original file: proto/samsa/v1/coordinator.proto

import type { TopicPartitions as _samsa_v1_TopicPartitions, TopicPartitions__Output as _samsa_v1_TopicPartitions__Output } from '../../samsa/v1/TopicPartitions.js';
import type { ProcessedOffset as _samsa_v1_ProcessedOffset, ProcessedOffset__Output as _samsa_v1_ProcessedOffset__Output } from '../../samsa/v1/ProcessedOffset.js';

export interface Assignment {
  'memberId'?: (string);
  'generation'?: (number);
  'partitions'?: (_samsa_v1_TopicPartitions)[];
  'committed'?: (_samsa_v1_ProcessedOffset)[];
}

export interface Assignment__Output {
  'memberId': (string);
  'generation': (number);
  'partitions': (_samsa_v1_TopicPartitions__Output)[];
  'committed': (_samsa_v1_ProcessedOffset__Output)[];
}
