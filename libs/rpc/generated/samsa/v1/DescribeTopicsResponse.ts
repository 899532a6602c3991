// Original file: /work/wt-bench/proto/samsa/v1/controller.proto

import type { TopicInfo as _samsa_v1_TopicInfo, TopicInfo__Output as _samsa_v1_TopicInfo__Output } from '../../samsa/v1/TopicInfo.js';

export interface DescribeTopicsResponse {
  'topics'?: (_samsa_v1_TopicInfo)[];
}

export interface DescribeTopicsResponse__Output {
  'topics': (_samsa_v1_TopicInfo__Output)[];
}
