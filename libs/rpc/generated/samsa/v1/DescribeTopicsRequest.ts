// Original file: /work/wt-bench/proto/samsa/v1/controller.proto


export interface DescribeTopicsRequest {
  'names'?: (string)[];
}

export interface DescribeTopicsRequest__Output {
  'names': (string)[];
}
