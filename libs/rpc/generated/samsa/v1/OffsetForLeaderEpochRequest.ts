// Original file: /work/wt-bench/proto/samsa/v1/replication.proto


export interface OffsetForLeaderEpochRequest {
  'topic'?: (string);
  'partition'?: (number);
  'leaderEpoch'?: (number);
  'currentLeaderEpoch'?: (number);
}

export interface OffsetForLeaderEpochRequest__Output {
  'topic': (string);
  'partition': (number);
  'leaderEpoch': (number);
  'currentLeaderEpoch': (number);
}
