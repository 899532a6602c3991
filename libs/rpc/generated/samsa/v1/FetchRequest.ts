// Original file: /work/wt-bench/proto/samsa/v1/broker.proto

import type { RecordFormat as _samsa_v1_RecordFormat, RecordFormat__Output as _samsa_v1_RecordFormat__Output } from '../../samsa/v1/RecordFormat.js';
import type { Long } from '@grpc/proto-loader';

export interface FetchRequest {
  'topic'?: (string);
  'partition'?: (number);
  'offset'?: (number | string | Long);
  'maxBytes'?: (number);
  'minBytes'?: (number);
  'maxWaitMs'?: (number);
  'format'?: (_samsa_v1_RecordFormat);
}

export interface FetchRequest__Output {
  'topic': (string);
  'partition': (number);
  'offset': (number);
  'maxBytes': (number);
  'minBytes': (number);
  'maxWaitMs': (number);
  'format': (_samsa_v1_RecordFormat__Output);
}
