// Original file: proto/samsa/v1/replication.proto

import type { ReplicaPartitionData as _samsa_v1_ReplicaPartitionData, ReplicaPartitionData__Output as _samsa_v1_ReplicaPartitionData__Output } from '../../samsa/v1/ReplicaPartitionData.js';

export interface ReplicaFetchResponse {
  'partitions'?: (_samsa_v1_ReplicaPartitionData)[];
  'session'?: (boolean);
}

export interface ReplicaFetchResponse__Output {
  'partitions': (_samsa_v1_ReplicaPartitionData__Output)[];
  'session': (boolean);
}
