// Original file: proto/samsa/v1/coordinator.proto

import type { ShareJoined as _samsa_v1_ShareJoined, ShareJoined__Output as _samsa_v1_ShareJoined__Output } from '../../samsa/v1/ShareJoined.js';
import type { ShareRecords as _samsa_v1_ShareRecords, ShareRecords__Output as _samsa_v1_ShareRecords__Output } from '../../samsa/v1/ShareRecords.js';
import type { ShareCommitted as _samsa_v1_ShareCommitted, ShareCommitted__Output as _samsa_v1_ShareCommitted__Output } from '../../samsa/v1/ShareCommitted.js';

export interface ShareConsumeResponse {
  'joined'?: (_samsa_v1_ShareJoined | null);
  'records'?: (_samsa_v1_ShareRecords | null);
  'committed'?: (_samsa_v1_ShareCommitted | null);
  'kind'?: "joined"|"records"|"committed";
}

export interface ShareConsumeResponse__Output {
  'joined'?: (_samsa_v1_ShareJoined__Output | null);
  'records'?: (_samsa_v1_ShareRecords__Output | null);
  'committed'?: (_samsa_v1_ShareCommitted__Output | null);
  'kind'?: "joined"|"records"|"committed";
}
