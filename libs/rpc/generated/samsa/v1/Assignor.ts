// Original file: /work/wt-bench/proto/samsa/v1/coordinator.proto

export const Assignor = {
  ASSIGNOR_UNSPECIFIED: 'ASSIGNOR_UNSPECIFIED',
  ASSIGNOR_RANGE: 'ASSIGNOR_RANGE',
  ASSIGNOR_ROUND_ROBIN: 'ASSIGNOR_ROUND_ROBIN',
  ASSIGNOR_STICKY: 'ASSIGNOR_STICKY',
} as const;

export type Assignor =
  | 'ASSIGNOR_UNSPECIFIED'
  | 0
  | 'ASSIGNOR_RANGE'
  | 1
  | 'ASSIGNOR_ROUND_ROBIN'
  | 2
  | 'ASSIGNOR_STICKY'
  | 3

export type Assignor__Output = typeof Assignor[keyof typeof Assignor]
