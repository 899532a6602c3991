// Original file: /work/wt-bench/proto/samsa/v1/controller.proto


export interface CreatePartitionsRequest {
  'name'?: (string);
  'totalPartitions'?: (number);
  'validateOnly'?: (boolean);
}

export interface CreatePartitionsRequest__Output {
  'name': (string);
  'totalPartitions': (number);
  'validateOnly': (boolean);
}
