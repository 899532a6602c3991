// Original file: proto/samsa/v1/broker.proto

import type { ReplicaSelection as _samsa_v1_ReplicaSelection, ReplicaSelection__Output as _samsa_v1_ReplicaSelection__Output } from '../../samsa/v1/ReplicaSelection.js';

export interface DescribeReplicasRequest {
  'topics'?: (_samsa_v1_ReplicaSelection)[];
}

export interface DescribeReplicasRequest__Output {
  'topics': (_samsa_v1_ReplicaSelection__Output)[];
}
