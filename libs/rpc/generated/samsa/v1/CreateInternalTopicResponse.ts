// Original file: proto/samsa/v1/controller.proto

import type { TopicInfo as _samsa_v1_TopicInfo, TopicInfo__Output as _samsa_v1_TopicInfo__Output } from '../../samsa/v1/TopicInfo.js';

export interface CreateInternalTopicResponse {
  'topic'?: (_samsa_v1_TopicInfo | null);
}

export interface CreateInternalTopicResponse__Output {
  'topic': (_samsa_v1_TopicInfo__Output | null);
}
