// Original file: /work/wt-bench/proto/samsa/v1/broker.proto

import type { OffsetSpec as _samsa_v1_OffsetSpec, OffsetSpec__Output as _samsa_v1_OffsetSpec__Output } from '../../samsa/v1/OffsetSpec.js';
import type { RecordFormat as _samsa_v1_RecordFormat, RecordFormat__Output as _samsa_v1_RecordFormat__Output } from '../../samsa/v1/RecordFormat.js';

export interface ConsumeRequest {
  'topic'?: (string);
  'partition'?: (number);
  'start'?: (_samsa_v1_OffsetSpec | null);
  'format'?: (_samsa_v1_RecordFormat);
  'maxBytes'?: (number);
}

export interface ConsumeRequest__Output {
  'topic': (string);
  'partition': (number);
  'start': (_samsa_v1_OffsetSpec__Output | null);
  'format': (_samsa_v1_RecordFormat__Output);
  'maxBytes': (number);
}
