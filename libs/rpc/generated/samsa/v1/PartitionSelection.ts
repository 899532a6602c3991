// Original file: proto/samsa/v1/controller.proto


export interface PartitionSelection {
  'topic'?: (string);
  'partitions'?: (number)[];
}

export interface PartitionSelection__Output {
  'topic': (string);
  'partitions': (number)[];
}
