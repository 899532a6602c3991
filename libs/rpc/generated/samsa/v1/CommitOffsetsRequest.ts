// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto

import type { OffsetCommit as _samsa_v1_OffsetCommit, OffsetCommit__Output as _samsa_v1_OffsetCommit__Output } from '../../samsa/v1/OffsetCommit.js';

export interface CommitOffsetsRequest {
  'groupId'?: (string);
  'memberId'?: (string);
  'generation'?: (number);
  'offsets'?: (_samsa_v1_OffsetCommit)[];
}

export interface CommitOffsetsRequest__Output {
  'groupId': (string);
  'memberId': (string);
  'generation': (number);
  'offsets': (_samsa_v1_OffsetCommit__Output)[];
}
