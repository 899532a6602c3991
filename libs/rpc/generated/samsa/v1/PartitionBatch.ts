// Original file: /work/wt-bench/proto/samsa/v1/broker.proto


export interface PartitionBatch {
  'partition'?: (number);
  'batch'?: (Buffer | Uint8Array | string);
}

export interface PartitionBatch__Output {
  'partition': (number);
  'batch': (Buffer);
}
