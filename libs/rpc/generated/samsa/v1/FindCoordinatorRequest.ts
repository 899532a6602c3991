// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto


export interface FindCoordinatorRequest {
  'groupId'?: (string);
}

export interface FindCoordinatorRequest__Output {
  'groupId': (string);
}
