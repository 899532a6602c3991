// Original file: /work/wt-bench/proto/samsa/v1/common.proto

import type { RecordHeader as _samsa_v1_RecordHeader, RecordHeader__Output as _samsa_v1_RecordHeader__Output } from '../../samsa/v1/RecordHeader.js';
import type { Long } from '@grpc/proto-loader';

export interface Record {
  'key'?: (Buffer | Uint8Array | string);
  'value'?: (Buffer | Uint8Array | string);
  'headers'?: (_samsa_v1_RecordHeader)[];
  'timestampMs'?: (number | string | Long);
  '_key'?: "key";
}

export interface Record__Output {
  'key'?: (Buffer);
  'value': (Buffer);
  'headers': (_samsa_v1_RecordHeader__Output)[];
  'timestampMs': (number);
  '_key'?: "key";
}
