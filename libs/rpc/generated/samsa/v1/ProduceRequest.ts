// Original file: /work/wt-bench/proto/samsa/v1/broker.proto

import type { Acks as _samsa_v1_Acks, Acks__Output as _samsa_v1_Acks__Output } from '../../samsa/v1/Acks.js';
import type { Record as _samsa_v1_Record, Record__Output as _samsa_v1_Record__Output } from '../../samsa/v1/Record.js';
import type { PartitionBatch as _samsa_v1_PartitionBatch, PartitionBatch__Output as _samsa_v1_PartitionBatch__Output } from '../../samsa/v1/PartitionBatch.js';

export interface ProduceRequest {
  'topic'?: (string);
  'acks'?: (_samsa_v1_Acks);
  'timeoutMs'?: (number);
  'records'?: (_samsa_v1_Record)[];
  'partition'?: (number);
  'batches'?: (_samsa_v1_PartitionBatch)[];
  '_partition'?: "partition";
}

export interface ProduceRequest__Output {
  'topic': (string);
  'acks': (_samsa_v1_Acks__Output);
  'timeoutMs': (number);
  'records': (_samsa_v1_Record__Output)[];
  'partition'?: (number);
  'batches': (_samsa_v1_PartitionBatch__Output)[];
  '_partition'?: "partition";
}
