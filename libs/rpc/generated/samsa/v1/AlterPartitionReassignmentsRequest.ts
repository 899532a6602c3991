// Original file: proto/samsa/v1/controller.proto

import type { ReplicaAssignment as _samsa_v1_ReplicaAssignment, ReplicaAssignment__Output as _samsa_v1_ReplicaAssignment__Output } from '../../samsa/v1/ReplicaAssignment.js';
import type { Long } from '@grpc/proto-loader';

export interface AlterPartitionReassignmentsRequest {
  'reassignments'?: (_samsa_v1_ReplicaAssignment)[];
  'throttleBytesPerSecond'?: (number | string | Long);
  'validateOnly'?: (boolean);
}

export interface AlterPartitionReassignmentsRequest__Output {
  'reassignments': (_samsa_v1_ReplicaAssignment__Output)[];
  'throttleBytesPerSecond': (number);
  'validateOnly': (boolean);
}
