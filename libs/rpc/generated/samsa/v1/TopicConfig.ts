// Original file: /work/wt-bench/proto/samsa/v1/common.proto

import type { Long } from '@grpc/proto-loader';

export interface TopicConfig {
  'retentionMs'?: (number | string | Long);
  'retentionBytes'?: (number | string | Long);
  'segmentBytes'?: (number | string | Long);
  'segmentMs'?: (number | string | Long);
  'cleanupPolicy'?: (string);
  'minInsyncReplicas'?: (number);
  'maxMessageBytes'?: (number);
  'uncleanLeaderElection'?: (boolean);
  '_retentionMs'?: "retentionMs";
  '_retentionBytes'?: "retentionBytes";
  '_segmentBytes'?: "segmentBytes";
  '_segmentMs'?: "segmentMs";
  '_cleanupPolicy'?: "cleanupPolicy";
  '_minInsyncReplicas'?: "minInsyncReplicas";
  '_maxMessageBytes'?: "maxMessageBytes";
  '_uncleanLeaderElection'?: "uncleanLeaderElection";
}

export interface TopicConfig__Output {
  'retentionMs'?: (number);
  'retentionBytes'?: (number);
  'segmentBytes'?: (number);
  'segmentMs'?: (number);
  'cleanupPolicy'?: (string);
  'minInsyncReplicas'?: (number);
  'maxMessageBytes'?: (number);
  'uncleanLeaderElection'?: (boolean);
  '_retentionMs'?: "retentionMs";
  '_retentionBytes'?: "retentionBytes";
  '_segmentBytes'?: "segmentBytes";
  '_segmentMs'?: "segmentMs";
  '_cleanupPolicy'?: "cleanupPolicy";
  '_minInsyncReplicas'?: "minInsyncReplicas";
  '_maxMessageBytes'?: "maxMessageBytes";
  '_uncleanLeaderElection'?: "uncleanLeaderElection";
}
