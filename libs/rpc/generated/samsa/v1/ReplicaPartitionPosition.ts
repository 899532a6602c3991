// Original file: proto/samsa/v1/replication.proto

import type { Long } from '@grpc/proto-loader';

export interface ReplicaPartitionPosition {
  'topic'?: (string);
  'partition'?: (number);
  'fetchOffset'?: (number | string | Long);
  'lastFetchedEpoch'?: (number);
  'currentLeaderEpoch'?: (number);
  'maxBytes'?: (number);
}

export interface ReplicaPartitionPosition__Output {
  'topic': (string);
  'partition': (number);
  'fetchOffset': (number);
  'lastFetchedEpoch': (number);
  'currentLeaderEpoch': (number);
  'maxBytes': (number);
}
