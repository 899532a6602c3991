// Original file: proto/samsa/v1/security.proto

import type { AclBindingFilter as _samsa_v1_AclBindingFilter, AclBindingFilter__Output as _samsa_v1_AclBindingFilter__Output } from '../../samsa/v1/AclBindingFilter.js';

export interface DeleteAclsRequest {
  'filters'?: (_samsa_v1_AclBindingFilter)[];
}

export interface DeleteAclsRequest__Output {
  'filters': (_samsa_v1_AclBindingFilter__Output)[];
}
