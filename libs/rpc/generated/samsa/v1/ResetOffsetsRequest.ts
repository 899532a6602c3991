// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto

import type { OffsetSpec as _samsa_v1_OffsetSpec, OffsetSpec__Output as _samsa_v1_OffsetSpec__Output } from '../../samsa/v1/OffsetSpec.js';

export interface ResetOffsetsRequest {
  'groupId'?: (string);
  'topic'?: (string);
  'partitions'?: (number)[];
  'to'?: (_samsa_v1_OffsetSpec | null);
  'dryRun'?: (boolean);
}

export interface ResetOffsetsRequest__Output {
  'groupId': (string);
  'topic': (string);
  'partitions': (number)[];
  'to': (_samsa_v1_OffsetSpec__Output | null);
  'dryRun': (boolean);
}
