// Original file: proto/samsa/v1/security.proto

import type { AclBindingFilter as _samsa_v1_AclBindingFilter, AclBindingFilter__Output as _samsa_v1_AclBindingFilter__Output } from '../../samsa/v1/AclBindingFilter.js';

export interface DescribeAclsRequest {
  'filter'?: (_samsa_v1_AclBindingFilter | null);
}

export interface DescribeAclsRequest__Output {
  'filter': (_samsa_v1_AclBindingFilter__Output | null);
}
