// Original file: proto/samsa/v1/security.proto

export const AclPermission = {
  ACL_PERMISSION_UNSPECIFIED: 'ACL_PERMISSION_UNSPECIFIED',
  ACL_PERMISSION_ANY: 'ACL_PERMISSION_ANY',
  ACL_PERMISSION_DENY: 'ACL_PERMISSION_DENY',
  ACL_PERMISSION_ALLOW: 'ACL_PERMISSION_ALLOW',
} as const;

export type AclPermission =
  | 'ACL_PERMISSION_UNSPECIFIED'
  | 0
  | 'ACL_PERMISSION_ANY'
  | 1
  | 'ACL_PERMISSION_DENY'
  | 2
  | 'ACL_PERMISSION_ALLOW'
  | 3

export type AclPermission__Output = typeof AclPermission[keyof typeof AclPermission]
