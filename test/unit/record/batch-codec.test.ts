import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  BATCH_HEADER_SIZE,
  CRC_START,
  OFF_LEADER_EPOCH,
  OFF_RECORD_COUNT,
  OFF_LAST_OFFSET_DELTA,
  buildBatch,
  crc32c,
  decodeBatch,
  readBatchHeader,
  sealBatch,
  stampBatch,
  validateBatch,
  type RecordInput,
} from '../../../libs/record/index.js';
import { NOW_MS, expectedTimestamp, reasonOf, recordInputs } from './arbitraries.js';

function expectDecodedAs(batch: Buffer, inputs: RecordInput[], baseOffset: number, leaderEpoch: number): void {
  const decoded = decodeBatch(batch);
  expect(decoded).toHaveLength(inputs.length);
  decoded.forEach((d, i) => {
    const r = inputs[i] as RecordInput;
    expect(d.offset).toBe(baseOffset + i);
    expect(d.leaderEpoch).toBe(leaderEpoch);
    expect(d.timestampMs).toBe(expectedTimestamp(r));
    expect(d.key).toEqual(r.key ?? null);
    expect(d.value).toEqual(r.value);
    expect(d.headers).toEqual((r.headers ?? []).map((h) => ({ key: h.key, value: h.value })));
  });
}

describe('buildBatch -> validateBatch -> decodeBatch', () => {
  it('round-trips arbitrary records (null and empty keys and values, headers, timestamps)', () => {
    fc.assert(
      fc.property(recordInputs(), (inputs) => {
        const batch = buildBatch(inputs, { nowMs: NOW_MS });
        const header = validateBatch(batch);
        const timestamps = inputs.map((r) => expectedTimestamp(r));
        expect(header).toMatchObject({
          baseOffset: 0,
          sizeInBytes: batch.length,
          partitionLeaderEpoch: -1,
          magic: 2,
          attributes: 0,
          lastOffsetDelta: inputs.length - 1,
          baseTimestamp: timestamps[0],
          maxTimestamp: Math.max(...timestamps),
          producerId: -1,
          producerEpoch: -1,
          baseSequence: -1,
          recordCount: inputs.length,
        });
        expectDecodedAs(batch, inputs, 0, -1);
      }),
      { numRuns: 500 },
    );
  });

  it('writes the options into the header', () => {
    const batch = buildBatch([{ value: Buffer.from('v') }], {
      baseOffset: 42,
      leaderEpoch: 7,
      producerId: 1234567890123,
      producerEpoch: 3,
      baseSequence: 99,
      nowMs: 5,
    });
    expect(validateBatch(batch)).toMatchObject({
      baseOffset: 42,
      partitionLeaderEpoch: 7,
      producerId: 1234567890123,
      producerEpoch: 3,
      baseSequence: 99,
      baseTimestamp: 5,
      maxTimestamp: 5,
    });
    expect(decodeBatch(batch)[0]).toMatchObject({ offset: 42, leaderEpoch: 7, timestampMs: 5 });
  });

  it('reads the clock once when no nowMs is given', () => {
    const before = Date.now();
    const batch = buildBatch([{ value: null }, { value: null }]);
    const [a, b] = decodeBatch(batch);
    expect(a?.timestampMs).toBeGreaterThanOrEqual(before);
    expect(a?.timestampMs).toBeLessThanOrEqual(Date.now());
    expect(b?.timestampMs).toBe(a?.timestampMs);
  });

  it('lays a record out as documented in records.ts and docs/record-batch.md', () => {
    const batch = buildBatch([{ key: Buffer.from('k'), value: Buffer.from('v'), timestampMs: 1000 }], { nowMs: 1 });
    // length 8 (zigzag 0x10), attributes, timestampDelta 0, offsetDelta 0, key (len 1 -> 0x02) 'k', value 'v', 0 headers
    expect([...batch.subarray(BATCH_HEADER_SIZE)]).toEqual([0x10, 0x00, 0x00, 0x00, 0x02, 0x6b, 0x02, 0x76, 0x00]);
    expect(batch.length).toBe(70);
    expect(batch.readInt32BE(8)).toBe(58);
    expect(batch.readUInt32BE(17)).toBe(crc32c(batch.subarray(CRC_START)));

    const nulls = buildBatch(
      [
        { key: null, value: null, headers: [{ key: 'h', value: Buffer.alloc(0) }], timestampMs: 1001 },
        { value: null, timestampMs: 1000 },
      ],
      { nowMs: 1 },
    );
    const records = nulls.subarray(BATCH_HEADER_SIZE);
    // first: length 9 (0x12), attrs, tsDelta 0, offDelta 0, key -1 (0x01), value -1, 1 header (0x02):
    // key length 1 (0x02) 'h', value length 0
    expect([...records.subarray(0, 10)]).toEqual([0x12, 0x00, 0x00, 0x00, 0x01, 0x01, 0x02, 0x02, 0x68, 0x00]);
    // second: length 6 (0x0c), attrs, timestampDelta -1 (0x01), offsetDelta 1 (0x02), key -1, value -1, 0 headers
    expect([...records.subarray(10)]).toEqual([0x0c, 0x00, 0x01, 0x02, 0x01, 0x01, 0x00]);
    expect(readBatchHeader(nulls)).toMatchObject({ baseTimestamp: 1001, maxTimestamp: 1001 });
  });

  it('produces the worked example of docs/record-batch.md byte for byte', () => {
    const batch = buildBatch(
      [
        {
          key: Buffer.from('k'),
          value: Buffer.from('hello'),
          headers: [{ key: 'h', value: Buffer.from('v') }],
          timestampMs: 1_700_000_000_000,
        },
        { key: null, value: null, timestampMs: 1_699_999_999_999 },
      ],
      { nowMs: 1 },
    );
    const hex = [
      '0000000000000000 00000049 ffffffff 02 8a4e7118',
      '0000 00000001 0000018bcfe56800 0000018bcfe56800 ffffffffffffffff ffff ffffffff 00000002',
      '20 00 00 00 026b 0a68656c6c6f 02 0268 0276',
      '0c 00 01 02 01 01 00',
    ]
      .join('')
      .replace(/ /g, '');
    expect(batch.toString('hex')).toBe(hex);
  });

  it('checks the CRC-32C against the standard check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('gives keys and values as views into the batch, not copies', () => {
    const batch = buildBatch([{ key: Buffer.from('key'), value: Buffer.from('value'), headers: [{ key: 'h', value: Buffer.from('x') }] }], {
      nowMs: 1,
    });
    const [r] = decodeBatch(batch);
    expect(r?.key?.buffer).toBe(batch.buffer);
    expect(r?.value?.buffer).toBe(batch.buffer);
    expect(r?.headers[0]?.value.buffer).toBe(batch.buffer);
  });

  it('uses maxTimestamp for every record of a LogAppendTime batch (attribute bit 3)', () => {
    const batch = buildBatch(
      [
        { value: null, timestampMs: 10 },
        { value: null, timestampMs: 30 },
        { value: null, timestampMs: 20 },
      ],
      { attributes: 0x08 },
    );
    expect(decodeBatch(batch).map((r) => r.timestampMs)).toEqual([30, 30, 30]);
  });

  it('encodes multi-byte UTF-8 header keys by their byte length', () => {
    const headers = [{ key: 'ключ-🔑', value: Buffer.from('v') }];
    const [r] = decodeBatch(buildBatch([{ value: null, headers }], { nowMs: 1 }));
    expect(r?.headers).toEqual(headers);
  });
});

describe('buildBatch refuses what it cannot encode', () => {
  it('throws INVALID_REQUEST for zero records', () => {
    expect(reasonOf(() => buildBatch([]))).toBe('INVALID_REQUEST');
  });

  it('throws INVALID_REQUEST for negative or non-integer timestamps', () => {
    for (const timestampMs of [-1, 1.5, Number.NaN, 2 ** 60]) {
      expect(reasonOf(() => buildBatch([{ value: null, timestampMs }], { nowMs: 1 }))).toBe('INVALID_REQUEST');
    }
    expect(reasonOf(() => buildBatch([{ value: null }], { nowMs: -5 }))).toBe('INVALID_REQUEST');
  });

  it('throws INVALID_REQUEST for out-of-range options and for compression attributes', () => {
    const one = [{ value: null }];
    for (const options of [
      { baseOffset: -1 },
      { baseOffset: 2 ** 53 },
      { leaderEpoch: 2 ** 31 },
      { producerId: -2 },
      { producerEpoch: 0x8000 },
      { baseSequence: 1.5 },
      { attributes: 1 },
      { attributes: 0x10000 },
    ]) {
      expect(reasonOf(() => buildBatch(one, { nowMs: 1, ...options }))).toBe('INVALID_REQUEST');
    }
  });
});

describe('corruption', () => {
  const batchWithFlip = fc
    .tuple(recordInputs(4), fc.nat(), fc.integer({ min: 1, max: 255 }))
    .map(([inputs, at, xor]) => ({ batch: buildBatch(inputs, { nowMs: NOW_MS }), at, xor }));

  it('any single flipped byte in the CRC field or the CRC range fails validateBatch and decodeBatch with CORRUPT_MESSAGE', () => {
    fc.assert(
      fc.property(batchWithFlip, ({ batch, at, xor }) => {
        const i = 17 + (at % (batch.length - 17));
        batch[i] = (batch[i] as number) ^ xor;
        expect(reasonOf(() => validateBatch(batch))).toBe('CORRUPT_MESSAGE');
        expect(reasonOf(() => decodeBatch(batch))).toBe('CORRUPT_MESSAGE');
      }),
      { numRuns: 1000 },
    );
  });

  it('a flipped length or magic byte fails with CORRUPT_MESSAGE', () => {
    fc.assert(
      fc.property(batchWithFlip, ({ batch, at, xor }) => {
        const i = [8, 9, 10, 11, 16][at % 5] as number;
        batch[i] = (batch[i] as number) ^ xor;
        expect(reasonOf(() => validateBatch(batch))).toBe('CORRUPT_MESSAGE');
        expect(reasonOf(() => decodeBatch(batch))).toBe('CORRUPT_MESSAGE');
      }),
      { numRuns: 300 },
    );
  });

  it('truncation at any length fails with CORRUPT_MESSAGE', () => {
    fc.assert(
      fc.property(recordInputs(4), (inputs) => {
        const batch = buildBatch(inputs, { nowMs: NOW_MS });
        for (let cut = 0; cut < batch.length; cut++) {
          const short = batch.subarray(0, cut);
          expect(reasonOf(() => validateBatch(short))).toBe('CORRUPT_MESSAGE');
          expect(reasonOf(() => decodeBatch(short))).toBe('CORRUPT_MESSAGE');
        }
      }),
      { numRuns: 100 },
    );
  });

  it('records that do not add up fail decodeBatch with CORRUPT_MESSAGE even under a valid CRC', () => {
    // A buggy (not malicious on the wire) producer: the CRC is right, the contents are not.
    fc.assert(
      fc.property(recordInputs(4), fc.nat(), fc.integer({ min: 1, max: 255 }), (inputs, at, xor) => {
        const batch = buildBatch(inputs, { nowMs: NOW_MS });
        const i = BATCH_HEADER_SIZE + (at % (batch.length - BATCH_HEADER_SIZE));
        batch[i] = (batch[i] as number) ^ xor;
        sealBatch(batch);
        // Some flips still decode (a changed key byte); none may escape as anything but CORRUPT_MESSAGE.
        const reason = reasonOf(() => decodeBatch(batch));
        expect(['no error', 'CORRUPT_MESSAGE']).toContain(reason);
      }),
      { numRuns: 2000 },
    );
  });

  it('a record count that disagrees with the records fails with CORRUPT_MESSAGE', () => {
    const batch = buildBatch([{ value: Buffer.from('a') }, { value: Buffer.from('b') }], { nowMs: 1 });
    for (const count of [1, 3]) {
      const copy = Buffer.from(batch);
      copy.writeInt32BE(count, OFF_RECORD_COUNT);
      copy.writeInt32BE(count - 1, OFF_LAST_OFFSET_DELTA);
      sealBatch(copy);
      expect(validateBatch(copy).recordCount).toBe(count);
      expect(reasonOf(() => decodeBatch(copy))).toBe('CORRUPT_MESSAGE');
    }
  });

  it('a compressed batch is refused with CORRUPT_MESSAGE rather than misread', () => {
    const batch = buildBatch([{ value: Buffer.from('a') }], { nowMs: 1 });
    batch.writeInt16BE(1, 21); // gzip
    sealBatch(batch);
    expect(reasonOf(() => decodeBatch(batch))).toBe('CORRUPT_MESSAGE');
  });
});

describe('stampBatch', () => {
  it('keeps the CRC valid and changes the offsets and epoch the reader sees', () => {
    fc.assert(
      fc.property(
        recordInputs(6),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 10 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (inputs, baseOffset, epoch) => {
          const batch = buildBatch(inputs, { nowMs: NOW_MS });
          const crc = batch.readUInt32BE(17);
          stampBatch(batch, baseOffset, epoch);
          expect(batch.readUInt32BE(17)).toBe(crc);
          expect(validateBatch(batch)).toMatchObject({ baseOffset, partitionLeaderEpoch: epoch });
          expect(batch.readInt32BE(OFF_LEADER_EPOCH)).toBe(epoch);
          expectDecodedAs(batch, inputs, baseOffset, epoch);
        },
      ),
      { numRuns: 300 },
    );
  });
});
