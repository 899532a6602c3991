import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  buildBatch,
  countRecords,
  decodeBatch,
  decodeRecordsFrom,
  forEachRecordFrom,
  iterateBatches,
  stampBatch,
  validateBatch,
  type DecodedRecord,
} from '../../../libs/record/index.js';
import { NOW_MS, reasonOf, recordInputs } from './arbitraries.js';

interface Run {
  bytes: Buffer;
  batches: Buffer[];
  positions: number[];
  all: DecodedRecord[];
}

/** Batches stamped as a leader would (consecutive offsets, one epoch each), concatenated as on disk. */
const run: fc.Arbitrary<Run> = fc
  .tuple(fc.array(recordInputs(5), { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 1_000_000 }))
  .map(([groups, firstOffset]) => {
    let next = firstOffset;
    let position = 0;
    const batches: Buffer[] = [];
    const positions: number[] = [];
    groups.forEach((inputs, epoch) => {
      const batch = buildBatch(inputs, { nowMs: NOW_MS });
      stampBatch(batch, next, epoch);
      next += inputs.length;
      batches.push(batch);
      positions.push(position);
      position += batch.length;
    });
    const bytes = Buffer.concat(batches);
    return { bytes, batches, positions, all: batches.flatMap((b) => decodeBatch(b)) };
  });

describe('iterateBatches', () => {
  it('yields every batch of a concatenation with its position and header', () => {
    fc.assert(
      fc.property(run, ({ bytes, batches, positions }) => {
        const seen = [...iterateBatches(bytes)];
        expect(seen.map((b) => b.position)).toEqual(positions);
        expect(seen.map((b) => b.header)).toEqual(batches.map((b) => validateBatch(b)));
      }),
      { numRuns: 200 },
    );
  });

  it('stops quietly at a trailing partial batch, wherever the read ended', () => {
    fc.assert(
      fc.property(run, fc.nat(), ({ bytes, positions, batches }, at) => {
        const cut = at % (bytes.length + 1);
        const complete = positions.filter((p, i) => p + (batches[i] as Buffer).length <= cut);
        expect([...iterateBatches(bytes.subarray(0, cut))].map((b) => b.position)).toEqual(complete);
      }),
      { numRuns: 300 },
    );
  });

  it('yields nothing for empty input', () => {
    expect([...iterateBatches(Buffer.alloc(0))]).toEqual([]);
  });

  it('throws CORRUPT_MESSAGE when a length field is shorter than a header or the magic is wrong', () => {
    const batch = buildBatch([{ value: Buffer.from('x') }], { nowMs: 1 });
    const shortLength = Buffer.concat([batch, batch]);
    shortLength.writeInt32BE(10, batch.length + 8);
    expect(reasonOf(() => [...iterateBatches(shortLength)])).toBe('CORRUPT_MESSAGE');
    const badMagic = Buffer.concat([batch, batch]);
    badMagic.writeInt8(1, batch.length + 16);
    expect(reasonOf(() => [...iterateBatches(badMagic)])).toBe('CORRUPT_MESSAGE');
  });
});

describe('countRecords', () => {
  it('sums the header record counts of the complete batches, wherever the read ended', () => {
    fc.assert(
      fc.property(run, fc.nat(), ({ bytes, positions, batches }, at) => {
        expect(countRecords(bytes)).toBe(batches.reduce((n, b) => n + decodeBatch(b).length, 0));
        const cut = at % (bytes.length + 1);
        const complete = batches.filter((b, i) => (positions[i] as number) + b.length <= cut);
        expect(countRecords(bytes.subarray(0, cut))).toBe(complete.reduce((n, b) => n + decodeBatch(b).length, 0));
      }),
      { numRuns: 200 },
    );
  });

  it('stops at a length field shorter than a header', () => {
    const batch = buildBatch([{ value: Buffer.from('x') }, { value: Buffer.from('y') }], { nowMs: 1 });
    const bad = Buffer.concat([batch, batch]);
    bad.writeInt32BE(10, batch.length + 8);
    expect(countRecords(bad)).toBe(2);
    expect(countRecords(Buffer.alloc(0))).toBe(0);
  });
});

describe('decodeRecordsFrom', () => {
  it('returns exactly the records at or after fromOffset, in order', () => {
    fc.assert(
      fc.property(run, fc.nat(), ({ bytes, all }, pick) => {
        const first = (all[0] as DecodedRecord).offset;
        const from = first - 2 + (pick % (all.length + 5));
        expect(decodeRecordsFrom(bytes, from)).toEqual(all.filter((r) => r.offset >= from));
      }),
      { numRuns: 300 },
    );
  });

  it('ignores a trailing partial batch', () => {
    fc.assert(
      fc.property(run, fc.nat(), ({ bytes, batches, positions }, at) => {
        const cut = at % (bytes.length + 1);
        const expected = batches.filter((b, i) => (positions[i] as number) + b.length <= cut).flatMap((b) => decodeBatch(b));
        expect(decodeRecordsFrom(bytes.subarray(0, cut), 0)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('returns an empty array when every record is below fromOffset, or for no bytes', () => {
    const batch = buildBatch([{ value: Buffer.from('a') }, { value: Buffer.from('b') }], { nowMs: 1 });
    stampBatch(batch, 10, 0);
    expect(decodeRecordsFrom(batch, 12)).toEqual([]);
    expect(decodeRecordsFrom(Buffer.alloc(0), 0)).toEqual([]);
  });

  it('skips batches wholly below fromOffset without decoding them', () => {
    const early = buildBatch([{ value: Buffer.from('a') }], { nowMs: 1 });
    const late = buildBatch([{ value: Buffer.from('b') }], { nowMs: 1 });
    stampBatch(late, 1, 0);
    early[early.length - 1] = 0xff; // corrupt but never read
    const bytes = Buffer.concat([early, late]);
    expect(decodeRecordsFrom(bytes, 1).map((r) => r.value?.toString())).toEqual(['b']);
    expect(reasonOf(() => decodeRecordsFrom(bytes, 0))).toBe('CORRUPT_MESSAGE');
  });
});

describe('forEachRecordFrom', () => {
  it('hands the sink exactly what decodeRecordsFrom returns, in order, wherever the read ended', () => {
    fc.assert(
      fc.property(run, fc.nat(), fc.nat(), ({ bytes, all }, pick, at) => {
        const first = (all[0] as DecodedRecord).offset;
        const from = first - 2 + (pick % (all.length + 5));
        const cut = bytes.subarray(0, at % (bytes.length + 1));
        const seen: DecodedRecord[] = [];
        const done = forEachRecordFrom(cut, from, (r) => {
          seen.push({ ...r });
        });
        expect(done).toBe(true);
        expect(seen).toEqual(decodeRecordsFrom(cut, from));
      }),
      { numRuns: 300 },
    );
  });

  it('stops when the sink returns false, and says so', () => {
    fc.assert(
      fc.property(run, fc.nat(), ({ bytes, all }, pick) => {
        const stopAt = pick % all.length;
        const seen: number[] = [];
        const done = forEachRecordFrom(bytes, 0, (r) => {
          seen.push(r.offset);
          return seen.length <= stopAt;
        });
        expect(done).toBe(false);
        expect(seen).toEqual(all.slice(0, stopAt + 1).map((r) => r.offset));
      }),
      { numRuns: 200 },
    );
  });

  it('throws CORRUPT_MESSAGE for a batch whose CRC does not match', () => {
    const batch = buildBatch([{ value: Buffer.from('a') }, { value: Buffer.from('b') }], { nowMs: 1 });
    batch.writeUInt8((batch.at(-1) as number) ^ 0x01, batch.length - 1);
    expect(reasonOf(() => forEachRecordFrom(batch, 0, () => true))).toBe('CORRUPT_MESSAGE');
  });
});
