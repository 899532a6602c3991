// Original file: proto/samsa/v1/security.proto

import type { AclResourceType as _samsa_v1_AclResourceType, AclResourceType__Output as _samsa_v1_AclResourceType__Output } from '../../samsa/v1/AclResourceType.js';
import type { AclPatternType as _samsa_v1_AclPatternType, AclPatternType__Output as _samsa_v1_AclPatternType__Output } from '../../samsa/v1/AclPatternType.js';
import type { AclOperation as _samsa_v1_AclOperation, AclOperation__Output as _samsa_v1_AclOperation__Output } from '../../samsa/v1/AclOperation.js';
import type { AclPermission as _samsa_v1_AclPermission, AclPermission__Output as _samsa_v1_AclPermission__Output } from '../../samsa/v1/AclPermission.js';

export interface AclBindingFilter {
  'resourceType'?: (_samsa_v1_AclResourceType);
  'resourceName'?: (string);
  'patternType'?: (_samsa_v1_AclPatternType);
  'principal'?: (string);
  'host'?: (string);
  'operation'?: (_samsa_v1_AclOperation);
  'permission'?: (_samsa_v1_AclPermission);
}

export interface AclBindingFilter__Output {
  'resourceType': (_samsa_v1_AclResourceType__Output);
  'resourceName': (string);
  'patternType': (_samsa_v1_AclPatternType__Output);
  'principal': (string);
  'host': (string);
  'operation': (_samsa_v1_AclOperation__Output);
  'permission': (_samsa_v1_AclPermission__Output);
}
