// Original file: /work/wt-bench/proto/samsa/v1/replication.proto

import type { ReplicaPartitionPosition as _samsa_v1_ReplicaPartitionPosition, ReplicaPartitionPosition__Output as _samsa_v1_ReplicaPartitionPosition__Output } from '../../samsa/v1/ReplicaPartitionPosition.js';

export interface ReplicaFetchRequest {
  'followerId'?: (number);
  'partitions'?: (_samsa_v1_ReplicaPartitionPosition)[];
  'maxBytes'?: (number);
  'maxWaitMs'?: (number);
}

export interface ReplicaFetchRequest__Output {
  'followerId': (number);
  'partitions': (_samsa_v1_ReplicaPartitionPosition__Output)[];
  'maxBytes': (number);
  'maxWaitMs': (number);
}
