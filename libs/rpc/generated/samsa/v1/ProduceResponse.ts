// Original file: proto/samsa/v1/broker.proto

import type { PartitionProduceResult as _samsa_v1_PartitionProduceResult, PartitionProduceResult__Output as _samsa_v1_PartitionProduceResult__Output } from '../../samsa/v1/PartitionProduceResult.js';

export interface ProduceResponse {
  'results'?: (_samsa_v1_PartitionProduceResult)[];
  'throttleTimeMs'?: (number);
}

export interface ProduceResponse__Output {
  'results': (_samsa_v1_PartitionProduceResult__Output)[];
  'throttleTimeMs': (number);
}
