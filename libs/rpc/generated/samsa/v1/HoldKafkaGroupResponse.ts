// Original file: proto/samsa/v1/coordinator.proto


export interface HoldKafkaGroupResponse {
}

export interface HoldKafkaGroupResponse__Output {
}
