// Original file: /work/wt-bench/proto/samsa/v1/broker.proto


export interface InitProducerIdRequest {
}

export interface InitProducerIdRequest__Output {
}
