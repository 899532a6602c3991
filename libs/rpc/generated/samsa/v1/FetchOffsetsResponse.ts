// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto

import type { CommittedOffset as _samsa_v1_CommittedOffset, CommittedOffset__Output as _samsa_v1_CommittedOffset__Output } from '../../samsa/v1/CommittedOffset.js';

export interface FetchOffsetsResponse {
  'offsets'?: (_samsa_v1_CommittedOffset)[];
}

export interface FetchOffsetsResponse__Output {
  'offsets': (_samsa_v1_CommittedOffset__Output)[];
}
