// Original file: /work/wt-bench/proto/samsa/v1/controller.proto


export interface DeleteTopicRequest {
  'name'?: (string);
}

export interface DeleteTopicRequest__Output {
  'name': (string);
}
