// Original file: proto/samsa/v1/replication.proto

import type { ReplicaPartitionPosition as _samsa_v1_ReplicaPartitionPosition, ReplicaPartitionPosition__Output as _samsa_v1_ReplicaPartitionPosition__Output } from '../../samsa/v1/ReplicaPartitionPosition.js';
import type { ReplicaPartitionRef as _samsa_v1_ReplicaPartitionRef, ReplicaPartitionRef__Output as _samsa_v1_ReplicaPartitionRef__Output } from '../../samsa/v1/ReplicaPartitionRef.js';
import type { Long } from '@grpc/proto-loader';

export interface ReplicaFetchRequest {
  'followerId'?: (number);
  'partitions'?: (_samsa_v1_ReplicaPartitionPosition)[];
  'maxBytes'?: (number);
  'maxWaitMs'?: (number);
  'followerBrokerEpoch'?: (number | string | Long);
  'leaderBrokerEpoch'?: (number | string | Long);
  'incremental'?: (boolean);
  'forgotten'?: (_samsa_v1_ReplicaPartitionRef)[];
}

export interface ReplicaFetchRequest__Output {
  'followerId': (number);
  'partitions': (_samsa_v1_ReplicaPartitionPosition__Output)[];
  'maxBytes': (number);
  'maxWaitMs': (number);
  'followerBrokerEpoch': (number);
  'leaderBrokerEpoch': (number);
  'incremental': (boolean);
  'forgotten': (_samsa_v1_ReplicaPartitionRef__Output)[];
}
