// Original file: /work/wt-bench/proto/samsa/v1/common.proto

import type { BrokerInfo as _samsa_v1_BrokerInfo, BrokerInfo__Output as _samsa_v1_BrokerInfo__Output } from '../../samsa/v1/BrokerInfo.js';
import type { TopicInfo as _samsa_v1_TopicInfo, TopicInfo__Output as _samsa_v1_TopicInfo__Output } from '../../samsa/v1/TopicInfo.js';

export interface GetMetadataResponse {
  'clusterId'?: (string);
  'controller'?: (_samsa_v1_BrokerInfo | null);
  'brokers'?: (_samsa_v1_BrokerInfo)[];
  'topics'?: (_samsa_v1_TopicInfo)[];
  '_controller'?: "controller";
}

export interface GetMetadataResponse__Output {
  'clusterId': (string);
  'controller'?: (_samsa_v1_BrokerInfo__Output | null);
  'brokers': (_samsa_v1_BrokerInfo__Output)[];
  'topics': (_samsa_v1_TopicInfo__Output)[];
  '_controller'?: "controller";
}
