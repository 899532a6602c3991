// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto

import type { Assignor as _samsa_v1_Assignor, Assignor__Output as _samsa_v1_Assignor__Output } from '../../samsa/v1/Assignor.js';

export interface JoinGroup {
  'groupId'?: (string);
  'topics'?: (string)[];
  'sessionTimeoutMs'?: (number);
  'groupInstanceId'?: (string);
  'assignor'?: (_samsa_v1_Assignor);
  '_groupInstanceId'?: "groupInstanceId";
}

export interface JoinGroup__Output {
  'groupId': (string);
  'topics': (string)[];
  'sessionTimeoutMs': (number);
  'groupInstanceId'?: (string);
  'assignor': (_samsa_v1_Assignor__Output);
  '_groupInstanceId'?: "groupInstanceId";
}
