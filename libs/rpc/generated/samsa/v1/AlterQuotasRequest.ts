// Original file: proto/samsa/v1/security.proto

import type { Quota as _samsa_v1_Quota, Quota__Output as _samsa_v1_Quota__Output } from '../../samsa/v1/Quota.js';
import type { QuotaEntity as _samsa_v1_QuotaEntity, QuotaEntity__Output as _samsa_v1_QuotaEntity__Output } from '../../samsa/v1/QuotaEntity.js';

export interface AlterQuotasRequest {
  'set'?: (_samsa_v1_Quota)[];
  'remove'?: (_samsa_v1_QuotaEntity)[];
}

export interface AlterQuotasRequest__Output {
  'set': (_samsa_v1_Quota__Output)[];
  'remove': (_samsa_v1_QuotaEntity__Output)[];
}
