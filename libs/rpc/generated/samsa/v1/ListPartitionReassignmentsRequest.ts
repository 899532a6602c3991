// Original file: proto/samsa/v1/controller.proto

import type { PartitionSelection as _samsa_v1_PartitionSelection, PartitionSelection__Output as _samsa_v1_PartitionSelection__Output } from '../../samsa/v1/PartitionSelection.js';

export interface ListPartitionReassignmentsRequest {
  'partitions'?: (_samsa_v1_PartitionSelection)[];
}

export interface ListPartitionReassignmentsRequest__Output {
  'partitions': (_samsa_v1_PartitionSelection__Output)[];
}
