// Original file: proto/samsa/v1/controller.proto

export const ElectionType = {
  ELECTION_TYPE_PREFERRED: 'ELECTION_TYPE_PREFERRED',
  ELECTION_TYPE_UNCLEAN: 'ELECTION_TYPE_UNCLEAN',
} as const;

export type ElectionType =
  | 'ELECTION_TYPE_PREFERRED'
  | 0
  | 'ELECTION_TYPE_UNCLEAN'
  | 1

export type ElectionType__Output = typeof ElectionType[keyof typeof ElectionType]
