// Original file: /work/wt-bench/proto/samsa/v1/common.proto

import type { RecordHeader as _samsa_v1_RecordHeader, RecordHeader__Output as _samsa_v1_RecordHeader__Output } from '../../samsa/v1/RecordHeader.js';
import type { Long } from '@grpc/proto-loader';

export interface ConsumedRecord {
  'partition'?: (number);
  'offset'?: (number | string | Long);
  'timestampMs'?: (number | string | Long);
  'key'?: (Buffer | Uint8Array | string);
  'value'?: (Buffer | Uint8Array | string);
  'headers'?: (_samsa_v1_RecordHeader)[];
  'leaderEpoch'?: (number);
  '_key'?: "key";
}

export interface ConsumedRecord__Output {
  'partition': (number);
  'offset': (number);
  'timestampMs': (number);
  'key'?: (Buffer);
  'value': (Buffer);
  'headers': (_samsa_v1_RecordHeader__Output)[];
  'leaderEpoch': (number);
  '_key'?: "key";
}
