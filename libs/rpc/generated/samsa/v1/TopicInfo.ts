// Original file: /work/wt-bench/proto/samsa/v1/common.proto

import type { PartitionInfo as _samsa_v1_PartitionInfo, PartitionInfo__Output as _samsa_v1_PartitionInfo__Output } from '../../samsa/v1/PartitionInfo.js';
import type { TopicConfig as _samsa_v1_TopicConfig, TopicConfig__Output as _samsa_v1_TopicConfig__Output } from '../../samsa/v1/TopicConfig.js';

export interface TopicInfo {
  'name'?: (string);
  'topicId'?: (string);
  'partitions'?: (_samsa_v1_PartitionInfo)[];
  'replicationFactor'?: (number);
  'config'?: (_samsa_v1_TopicConfig | null);
}

export interface TopicInfo__Output {
  'name': (string);
  'topicId': (string);
  'partitions': (_samsa_v1_PartitionInfo__Output)[];
  'replicationFactor': (number);
  'config': (_samsa_v1_TopicConfig__Output | null);
}
