// Original file: proto/samsa/v1/replication.proto


export interface ReplicaPartitionRef {
  'topic'?: (string);
  'partition'?: (number);
}

export interface ReplicaPartitionRef__Output {
  'topic': (string);
  'partition': (number);
}
