// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto


export interface GroupSummary {
  'groupId'?: (string);
  'state'?: (string);
  'members'?: (number);
}

export interface GroupSummary__Output {
  'groupId': (string);
  'state': (string);
  'members': (number);
}
