// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto

import type { TopicPartitions as _samsa_v1_TopicPartitions, TopicPartitions__Output as _samsa_v1_TopicPartitions__Output } from '../../samsa/v1/TopicPartitions.js';

export interface GroupMember {
  'memberId'?: (string);
  'groupInstanceId'?: (string);
  'clientHost'?: (string);
  'partitions'?: (_samsa_v1_TopicPartitions)[];
  '_groupInstanceId'?: "groupInstanceId";
}

export interface GroupMember__Output {
  'memberId': (string);
  'groupInstanceId'?: (string);
  'clientHost': (string);
  'partitions': (_samsa_v1_TopicPartitions__Output)[];
  '_groupInstanceId'?: "groupInstanceId";
}
