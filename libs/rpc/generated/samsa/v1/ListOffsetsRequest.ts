// Original file: /work/wt-bench/proto/samsa/v1/broker.proto

import type { OffsetSpec as _samsa_v1_OffsetSpec, OffsetSpec__Output as _samsa_v1_OffsetSpec__Output } from '../../samsa/v1/OffsetSpec.js';

export interface ListOffsetsRequest {
  'topic'?: (string);
  'partition'?: (number);
  'spec'?: (_samsa_v1_OffsetSpec | null);
}

export interface ListOffsetsRequest__Output {
  'topic': (string);
  'partition': (number);
  'spec': (_samsa_v1_OffsetSpec__Output | null);
}
