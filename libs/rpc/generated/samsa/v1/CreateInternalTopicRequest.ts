// Original file: proto/samsa/v1/controller.proto


export interface CreateInternalTopicRequest {
  'name'?: (string);
  'partitions'?: (number);
  'replicationFactor'?: (number);
}

export interface CreateInternalTopicRequest__Output {
  'name': (string);
  'partitions': (number);
  'replicationFactor': (number);
}
