// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto


export interface ListGroupsRequest {
}

export interface ListGroupsRequest__Output {
}
