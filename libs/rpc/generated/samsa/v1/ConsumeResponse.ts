// Original file: proto/samsa/v1/broker.proto

import type { ConsumedRecord as _samsa_v1_ConsumedRecord, ConsumedRecord__Output as _samsa_v1_ConsumedRecord__Output } from '../../samsa/v1/ConsumedRecord.js';
import type { Long } from '@grpc/proto-loader';

export interface ConsumeResponse {
  'partition'?: (number);
  'highWatermark'?: (number | string | Long);
  'records'?: (_samsa_v1_ConsumedRecord)[];
  'batches'?: (Buffer | Uint8Array | string);
  'nextOffset'?: (number | string | Long);
  'throttleTimeMs'?: (number);
}

export interface ConsumeResponse__Output {
  'partition': (number);
  'highWatermark': (number);
  'records': (_samsa_v1_ConsumedRecord__Output)[];
  'batches': (Buffer);
  'nextOffset': (number);
  'throttleTimeMs': (number);
}
