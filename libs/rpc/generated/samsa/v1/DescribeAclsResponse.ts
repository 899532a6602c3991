// Original file: proto/samsa/v1/security.proto

import type { AclBinding as _samsa_v1_AclBinding, AclBinding__Output as _samsa_v1_AclBinding__Output } from '../../samsa/v1/AclBinding.js';

export interface DescribeAclsResponse {
  'acls'?: (_samsa_v1_AclBinding)[];
}

export interface DescribeAclsResponse__Output {
  'acls': (_samsa_v1_AclBinding__Output)[];
}
