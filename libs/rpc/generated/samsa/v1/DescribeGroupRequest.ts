// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto


export interface DescribeGroupRequest {
  'groupId'?: (string);
}

export interface DescribeGroupRequest__Output {
  'groupId': (string);
}
