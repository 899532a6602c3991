// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto


export interface DeleteGroupRequest {
  'groupId'?: (string);
}

export interface DeleteGroupRequest__Output {
  'groupId': (string);
}
