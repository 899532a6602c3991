// Original file: /work/wt-bench/proto/samsa/v1/common.proto

export const OffsetPosition = {
  OFFSET_POSITION_UNSPECIFIED: 'OFFSET_POSITION_UNSPECIFIED',
  OFFSET_POSITION_EARLIEST: 'OFFSET_POSITION_EARLIEST',
  OFFSET_POSITION_LATEST: 'OFFSET_POSITION_LATEST',
} as const;

export type OffsetPosition =
  | 'OFFSET_POSITION_UNSPECIFIED'
  | 0
  | 'OFFSET_POSITION_EARLIEST'
  | 1
  | 'OFFSET_POSITION_LATEST'
  | 2

export type OffsetPosition__Output = typeof OffsetPosition[keyof typeof OffsetPosition]
