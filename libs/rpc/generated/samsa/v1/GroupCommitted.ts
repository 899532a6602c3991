// Original file: proto/samsa/v1/coordinator.proto

import type { ProcessedOffset as _samsa_v1_ProcessedOffset, ProcessedOffset__Output as _samsa_v1_ProcessedOffset__Output } from '../../samsa/v1/ProcessedOffset.js';

export interface GroupCommitted {
  'offsets'?: (_samsa_v1_ProcessedOffset)[];
}

export interface GroupCommitted__Output {
  'offsets': (_samsa_v1_ProcessedOffset__Output)[];
}
