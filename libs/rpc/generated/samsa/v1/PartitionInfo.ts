// Original file: /work/wt-bench/proto/samsa/v1/common.proto


export interface PartitionInfo {
  'partition'?: (number);
  'leaderId'?: (number);
  'leaderEpoch'?: (number);
  'replicas'?: (number)[];
  'isr'?: (number)[];
}

export interface PartitionInfo__Output {
  'partition': (number);
  'leaderId': (number);
  'leaderEpoch': (number);
  'replicas': (number)[];
  'isr': (number)[];
}
