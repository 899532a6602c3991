// Original file: proto/samsa/v1/controller.proto

import type { PartitionReassignment as _samsa_v1_PartitionReassignment, PartitionReassignment__Output as _samsa_v1_PartitionReassignment__Output } from '../../samsa/v1/PartitionReassignment.js';

export interface ListPartitionReassignmentsResponse {
  'reassignments'?: (_samsa_v1_PartitionReassignment)[];
}

export interface ListPartitionReassignmentsResponse__Output {
  'reassignments': (_samsa_v1_PartitionReassignment__Output)[];
}
