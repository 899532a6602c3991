// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto

import type { TopicPartitions as _samsa_v1_TopicPartitions, TopicPartitions__Output as _samsa_v1_TopicPartitions__Output } from '../../samsa/v1/TopicPartitions.js';

export interface Assignment {
  'memberId'?: (string);
  'generation'?: (number);
  'partitions'?: (_samsa_v1_TopicPartitions)[];
}

export interface Assignment__Output {
  'memberId': (string);
  'generation': (number);
  'partitions': (_samsa_v1_TopicPartitions__Output)[];
}
