// Original file: proto/samsa/v1/controller.proto

import type { ElectionType as _samsa_v1_ElectionType, ElectionType__Output as _samsa_v1_ElectionType__Output } from '../../samsa/v1/ElectionType.js';
import type { PartitionSelection as _samsa_v1_PartitionSelection, PartitionSelection__Output as _samsa_v1_PartitionSelection__Output } from '../../samsa/v1/PartitionSelection.js';

export interface ElectLeadersRequest {
  'electionType'?: (_samsa_v1_ElectionType);
  'partitions'?: (_samsa_v1_PartitionSelection)[];
}

export interface ElectLeadersRequest__Output {
  'electionType': (_samsa_v1_ElectionType__Output);
  'partitions': (_samsa_v1_PartitionSelection__Output)[];
}
