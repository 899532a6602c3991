// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto


export interface DeleteGroupResponse {
}

export interface DeleteGroupResponse__Output {
}
