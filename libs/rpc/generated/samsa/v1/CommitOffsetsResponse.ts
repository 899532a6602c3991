// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto


export interface CommitOffsetsResponse {
}

export interface CommitOffsetsResponse__Output {
}
