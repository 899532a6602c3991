// Original file: proto/samsa/v1/broker.proto


export interface InitProducerIdRequest {
}

export interface InitProducerIdRequest__Output {
}
