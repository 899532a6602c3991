// Original file: proto/samsa/v1/controller.proto

import type { Long } from '@grpc/proto-loader';

export interface PartitionReassignment {
  'topic'?: (string);
  'partition'?: (number);
  'targetReplicas'?: (number)[];
  'originalReplicas'?: (number)[];
  'replicas'?: (number)[];
  'addingReplicas'?: (number)[];
  'removingReplicas'?: (number)[];
  'isr'?: (number)[];
  'leaderId'?: (number);
  'throttleBytesPerSecond'?: (number | string | Long);
  'startedAtMs'?: (number | string | Long);
}

export interface PartitionReassignment__Output {
  'topic': (string);
  'partition': (number);
  'targetReplicas': (number)[];
  'originalReplicas': (number)[];
  'replicas': (number)[];
  'addingReplicas': (number)[];
  'removingReplicas': (number)[];
  'isr': (number)[];
  'leaderId': (number);
  'throttleBytesPerSecond': (number);
  'startedAtMs': (number);
}
