// Original file: proto/samsa/v1/broker.proto

import type { ReplicaDescription as _samsa_v1_ReplicaDescription, ReplicaDescription__Output as _samsa_v1_ReplicaDescription__Output } from '../../samsa/v1/ReplicaDescription.js';

export interface DescribeReplicasResponse {
  'brokerId'?: (number);
  'replicas'?: (_samsa_v1_ReplicaDescription)[];
}

export interface DescribeReplicasResponse__Output {
  'brokerId': (number);
  'replicas': (_samsa_v1_ReplicaDescription__Output)[];
}
