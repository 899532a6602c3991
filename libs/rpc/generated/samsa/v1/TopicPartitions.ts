// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto


export interface TopicPartitions {
  'topic'?: (string);
  'partitions'?: (number)[];
}

export interface TopicPartitions__Output {
  'topic': (string);
  'partitions': (number)[];
}
