/** fast-check generators and helpers shared by the record codec tests. */
import fc from 'fast-check';
import { SamsaError, type ErrorReason } from '../../../libs/errors/index.js';
import type { RecordInput } from '../../../libs/record/index.js';

export const bytes = (maxLength = 48): fc.Arbitrary<Buffer> => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));

export const header = fc.record({ key: fc.string({ unit: 'grapheme', maxLength: 8 }), value: bytes(16) });

/** Null, empty and non-empty keys and values; headers; missing, zero and explicit timestamps. */
export const recordInput: fc.Arbitrary<RecordInput> = fc.record(
  {
    key: fc.oneof(fc.constant(null), bytes(), fc.constant(Buffer.alloc(0))),
    value: fc.oneof(fc.constant(null), bytes(), fc.constant(Buffer.alloc(0))),
    headers: fc.array(header, { maxLength: 3 }),
    timestampMs: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.integer({ min: 1_600_000_000_000, max: 1_700_000_000_000 }),
    ),
  },
  { requiredKeys: ['value'] },
);

export const recordInputs = (maxLength = 8): fc.Arbitrary<RecordInput[]> => fc.array(recordInput, { minLength: 1, maxLength });

export const NOW_MS = 1_700_000_000_123;

/** The timestamp buildBatch gives a record when built with `nowMs`. */
export function expectedTimestamp(r: RecordInput, nowMs = NOW_MS): number {
  return r.timestampMs === undefined || r.timestampMs === 0 ? nowMs : r.timestampMs;
}

export function reasonOf(fn: () => unknown): ErrorReason | 'no error' {
  try {
    fn();
  } catch (err) {
    if (err instanceof SamsaError) return err.reason;
    throw err;
  }
  return 'no error';
}
