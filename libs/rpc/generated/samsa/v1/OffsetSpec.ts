// Original file: /work/wt-bench/proto/samsa/v1/common.proto

import type { OffsetPosition as _samsa_v1_OffsetPosition, OffsetPosition__Output as _samsa_v1_OffsetPosition__Output } from '../../samsa/v1/OffsetPosition.js';
import type { Long } from '@grpc/proto-loader';

export interface OffsetSpec {
  'offset'?: (number | string | Long);
  'position'?: (_samsa_v1_OffsetPosition);
  'timestampMs'?: (number | string | Long);
  'spec'?: "offset"|"position"|"timestampMs";
}

export interface OffsetSpec__Output {
  'offset'?: (number);
  'position'?: (_samsa_v1_OffsetPosition__Output);
  'timestampMs'?: (number);
  'spec'?: "offset"|"position"|"timestampMs";
}
