// Original file: proto/samsa/v1/common.proto

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
  'deleteRetentionMs'?: (number | string | Long);
  'minCleanableDirtyRatio'?: (number | string);
  'minCompactionLagMs'?: (number | string | Long);
  'maxCompactionLagMs'?: (number | string | Long);
  'compressionType'?: (string);
  '_retentionMs'?: "retentionMs";
  '_retentionBytes'?: "retentionBytes";
  '_segmentBytes'?: "segmentBytes";
  '_segmentMs'?: "segmentMs";
  '_cleanupPolicy'?: "cleanupPolicy";
  '_minInsyncReplicas'?: "minInsyncReplicas";
  '_maxMessageBytes'?: "maxMessageBytes";
  '_uncleanLeaderElection'?: "uncleanLeaderElection";
  '_deleteRetentionMs'?: "deleteRetentionMs";
  '_minCleanableDirtyRatio'?: "minCleanableDirtyRatio";
  '_minCompactionLagMs'?: "minCompactionLagMs";
  '_maxCompactionLagMs'?: "maxCompactionLagMs";
  '_compressionType'?: "compressionType";
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
  'deleteRetentionMs'?: (number);
  'minCleanableDirtyRatio'?: (number);
  'minCompactionLagMs'?: (number);
  'maxCompactionLagMs'?: (number);
  'compressionType'?: (string);
  '_retentionMs'?: "retentionMs";
  '_retentionBytes'?: "retentionBytes";
  '_segmentBytes'?: "segmentBytes";
  '_segmentMs'?: "segmentMs";
  '_cleanupPolicy'?: "cleanupPolicy";
  '_minInsyncReplicas'?: "minInsyncReplicas";
  '_maxMessageBytes'?: "maxMessageBytes";
  '_uncleanLeaderElection'?: "uncleanLeaderElection";
  '_deleteRetentionMs'?: "deleteRetentionMs";
  '_minCleanableDirtyRatio'?: "minCleanableDirtyRatio";
  '_minCompactionLagMs'?: "minCompactionLagMs";
  '_maxCompactionLagMs'?: "maxCompactionLagMs";
  '_compressionType'?: "compressionType";
}
