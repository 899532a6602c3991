// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto


export interface FindCoordinatorResponse {
  'coordinatorId'?: (number);
  'host'?: (string);
  'port'?: (number);
}

export interface FindCoordinatorResponse__Output {
  'coordinatorId': (number);
  'host': (string);
  'port': (number);
}
