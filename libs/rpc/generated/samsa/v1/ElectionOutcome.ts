// Original file: proto/samsa/v1/controller.proto

export const ElectionOutcome = {
  ELECTION_OUTCOME_ELECTED: 'ELECTION_OUTCOME_ELECTED',
  ELECTION_OUTCOME_NOT_NEEDED: 'ELECTION_OUTCOME_NOT_NEEDED',
  ELECTION_OUTCOME_NOT_AVAILABLE: 'ELECTION_OUTCOME_NOT_AVAILABLE',
} as const;

export type ElectionOutcome =
  | 'ELECTION_OUTCOME_ELECTED'
  | 0
  | 'ELECTION_OUTCOME_NOT_NEEDED'
  | 1
  | 'ELECTION_OUTCOME_NOT_AVAILABLE'
  | 2

export type ElectionOutcome__Output = typeof ElectionOutcome[keyof typeof ElectionOutcome]
