// Original file: /work/wt-bench/proto/samsa/v1/controller.proto


export interface ListTopicsRequest {
  'includeInternal'?: (boolean);
}

export interface ListTopicsRequest__Output {
  'includeInternal': (boolean);
}
