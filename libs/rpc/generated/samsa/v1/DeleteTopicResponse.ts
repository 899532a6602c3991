// Original file: /work/wt-bench/proto/samsa/v1/controller.proto


export interface DeleteTopicResponse {
}

export interface DeleteTopicResponse__Output {
}
