// Original file: proto/samsa/v1/security.proto

import type { QuotaEntity as _samsa_v1_QuotaEntity, QuotaEntity__Output as _samsa_v1_QuotaEntity__Output } from '../../samsa/v1/QuotaEntity.js';
import type { QuotaLimits as _samsa_v1_QuotaLimits, QuotaLimits__Output as _samsa_v1_QuotaLimits__Output } from '../../samsa/v1/QuotaLimits.js';

export interface Quota {
  'entity'?: (_samsa_v1_QuotaEntity | null);
  'limits'?: (_samsa_v1_QuotaLimits | null);
}

export interface Quota__Output {
  'entity': (_samsa_v1_QuotaEntity__Output | null);
  'limits': (_samsa_v1_QuotaLimits__Output | null);
}
