// Original file: proto/samsa/v1/controller.proto


export interface ReplicaAssignment {
  'topic'?: (string);
  'partition'?: (number);
  'replicas'?: (number)[];
}

export interface ReplicaAssignment__Output {
  'topic': (string);
  'partition': (number);
  'replicas': (number)[];
}
