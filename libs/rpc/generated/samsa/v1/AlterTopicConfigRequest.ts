// Original file: /work/wt-bench/proto/samsa/v1/controller.proto

import type { TopicConfig as _samsa_v1_TopicConfig, TopicConfig__Output as _samsa_v1_TopicConfig__Output } from '../../samsa/v1/TopicConfig.js';

export interface AlterTopicConfigRequest {
  'name'?: (string);
  'config'?: (_samsa_v1_TopicConfig | null);
  'validateOnly'?: (boolean);
}

export interface AlterTopicConfigRequest__Output {
  'name': (string);
  'config': (_samsa_v1_TopicConfig__Output | null);
  'validateOnly': (boolean);
}
