// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto

import type { TopicPartitions as _samsa_v1_TopicPartitions, TopicPartitions__Output as _samsa_v1_TopicPartitions__Output } from '../../samsa/v1/TopicPartitions.js';

export interface FetchOffsetsRequest {
  'groupId'?: (string);
  'partitions'?: (_samsa_v1_TopicPartitions)[];
}

export interface FetchOffsetsRequest__Output {
  'groupId': (string);
  'partitions': (_samsa_v1_TopicPartitions__Output)[];
}
