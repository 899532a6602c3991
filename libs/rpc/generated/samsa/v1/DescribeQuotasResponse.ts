// Original file: proto/samsa/v1/security.proto

import type { Quota as _samsa_v1_Quota, Quota__Output as _samsa_v1_Quota__Output } from '../../samsa/v1/Quota.js';

export interface DescribeQuotasResponse {
  'quotas'?: (_samsa_v1_Quota)[];
}

export interface DescribeQuotasResponse__Output {
  'quotas': (_samsa_v1_Quota__Output)[];
}
