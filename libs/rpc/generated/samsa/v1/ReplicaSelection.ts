// Original file: proto/samsa/v1/broker.proto


export interface ReplicaSelection {
  'topic'?: (string);
  'partitions'?: (number)[];
}

export interface ReplicaSelection__Output {
  'topic': (string);
  'partitions': (number)[];
}
