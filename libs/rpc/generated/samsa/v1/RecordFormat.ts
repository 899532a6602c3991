// Original file: /work/wt-bench/proto/samsa/v1/common.proto

export const RecordFormat = {
  RECORD_FORMAT_UNSPECIFIED: 'RECORD_FORMAT_UNSPECIFIED',
  RECORD_FORMAT_STRUCTURED: 'RECORD_FORMAT_STRUCTURED',
  RECORD_FORMAT_BATCHES: 'RECORD_FORMAT_BATCHES',
} as const;

export type RecordFormat =
  | 'RECORD_FORMAT_UNSPECIFIED'
  | 0
  | 'RECORD_FORMAT_STRUCTURED'
  | 1
  | 'RECORD_FORMAT_BATCHES'
  | 2

export type RecordFormat__Output = typeof RecordFormat[keyof typeof RecordFormat]
