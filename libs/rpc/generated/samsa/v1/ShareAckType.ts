// Original file: proto/samsa/v1/coordinator.proto

export const ShareAckType = {
  SHARE_ACK_TYPE_UNSPECIFIED: 'SHARE_ACK_TYPE_UNSPECIFIED',
  SHARE_ACK_ACCEPT: 'SHARE_ACK_ACCEPT',
  SHARE_ACK_RELEASE: 'SHARE_ACK_RELEASE',
  SHARE_ACK_REJECT: 'SHARE_ACK_REJECT',
  SHARE_ACK_EXTEND: 'SHARE_ACK_EXTEND',
} as const;

export type ShareAckType =
  | 'SHARE_ACK_TYPE_UNSPECIFIED'
  | 0
  | 'SHARE_ACK_ACCEPT'
  | 1
  | 'SHARE_ACK_RELEASE'
  | 2
  | 'SHARE_ACK_REJECT'
  | 3
  | 'SHARE_ACK_EXTEND'
  | 4

export type ShareAckType__Output = typeof ShareAckType[keyof typeof ShareAckType]
