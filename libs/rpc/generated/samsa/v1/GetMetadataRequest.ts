// Original file: /work/wt-bench/proto/samsa/v1/common.proto


export interface GetMetadataRequest {
  'topics'?: (string)[];
}

export interface GetMetadataRequest__Output {
  'topics': (string)[];
}
