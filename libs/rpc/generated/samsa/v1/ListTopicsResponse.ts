// Original file: /work/wt-bench/proto/samsa/v1/controller.proto


export interface ListTopicsResponse {
  'names'?: (string)[];
}

export interface ListTopicsResponse__Output {
  'names': (string)[];
}
