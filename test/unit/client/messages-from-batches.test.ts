import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { buildBatch, decodeRecordsFrom, stampBatch } from '../../../libs/record/index.js';
import { messagesFromBatches } from '../../../libs/client/runner/chunk.js';
import type { ConsumedMessage } from '../../../libs/client/index.js';
import { NOW_MS, reasonOf, recordInputs } from '../record/arbitraries.js';

/** Batches stamped with consecutive offsets from `first`, concatenated as a Consume response carries them. */
const response = fc
  .tuple(fc.array(recordInputs(5), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 1_000_000 }))
  .map(([groups, first]) => {
    let next = first;
    const batches = groups.map((inputs, epoch) => {
      const batch = buildBatch(inputs, { nowMs: NOW_MS });
      stampBatch(batch, next, epoch);
      next += inputs.length;
      return batch;
    });
    return { bytes: Buffer.concat(batches), first, next };
  });

describe('messagesFromBatches (the SDK consumer decoding a Consume response)', () => {
  it('gives the records of [from, end) as decodeRecordsFrom decodes them, with topic and partition, and says whether end was met', () => {
    fc.assert(
      fc.property(response, fc.nat(), fc.nat(), fc.nat(), ({ bytes, first, next }, a, b, at) => {
        const span = next - first + 4;
        const from = first - 2 + (a % span);
        const end = from + (b % span);
        const cut = bytes.subarray(0, at % (bytes.length + 1));
        const out: ConsumedMessage[] = [];
        const reachedEnd = messagesFromBatches('t', 3, cut, from, end, out);
        const eager = decodeRecordsFrom(cut, from);
        expect(out).toEqual(eager.filter((r) => r.offset < end).map((r) => ({ topic: 't', partition: 3, ...r })));
        expect(reachedEnd).toBe(eager.some((r) => r.offset >= end));
        // Each message owns its headers array (a handler may add to it without touching another's).
        expect(new Set(out.map((m) => m.headers)).size).toBe(out.length);
      }),
      { numRuns: 300 },
    );
  });

  it('appends to what `out` already holds', () => {
    const batch = buildBatch([{ value: Buffer.from('a') }, { value: Buffer.from('b') }], { nowMs: 1 });
    const out: ConsumedMessage[] = [];
    messagesFromBatches('t', 0, batch, 0, 10, out);
    messagesFromBatches('t', 0, batch, 1, 10, out);
    expect(out.map((m) => m.value?.toString())).toEqual(['a', 'b', 'b']);
  });

  it('throws CORRUPT_MESSAGE for a corrupt batch in range', () => {
    const batch = buildBatch([{ value: Buffer.from('a') }], { nowMs: 1 });
    batch.writeUInt8((batch.at(-1) as number) ^ 0x01, batch.length - 1);
    expect(reasonOf(() => messagesFromBatches('t', 0, batch, 0, 10, []))).toBe('CORRUPT_MESSAGE');
  });
});
