// Original file: proto/samsa/v1/security.proto

export const AclPatternType = {
  ACL_PATTERN_TYPE_UNSPECIFIED: 'ACL_PATTERN_TYPE_UNSPECIFIED',
  ACL_PATTERN_TYPE_ANY: 'ACL_PATTERN_TYPE_ANY',
  ACL_PATTERN_TYPE_LITERAL: 'ACL_PATTERN_TYPE_LITERAL',
  ACL_PATTERN_TYPE_PREFIXED: 'ACL_PATTERN_TYPE_PREFIXED',
  ACL_PATTERN_TYPE_MATCH: 'ACL_PATTERN_TYPE_MATCH',
} as const;

export type AclPatternType =
  | 'ACL_PATTERN_TYPE_UNSPECIFIED'
  | 0
  | 'ACL_PATTERN_TYPE_ANY'
  | 1
  | 'ACL_PATTERN_TYPE_LITERAL'
  | 2
  | 'ACL_PATTERN_TYPE_PREFIXED'
  | 3
  | 'ACL_PATTERN_TYPE_MATCH'
  | 4

export type AclPatternType__Output = typeof AclPatternType[keyof typeof AclPatternType]
