import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import {
  BATCH_HEADER_SIZE,
  COMPRESSION_MASK,
  OFF_ATTRIBUTES,
  buildBatch,
  compress,
  compressBatch,
  decodeBatch,
  decodeRecordsFrom,
  decompress,
  sealBatch,
  stampBatch,
  validateBatch,
  type CompressionCodec,
  type RecordInput,
} from '../../../libs/record/index.js';
import { NOW_MS, expectedTimestamp, reasonOf, recordInputs } from './arbitraries.js';

const CODECS: CompressionCodec[] = ['gzip', 'snappy', 'lz4', 'zstd'];

const sameBytes = (a: Buffer | null, b: Buffer | null): boolean => (a === null || b === null ? a === b : a.equals(b));

/** Every record as given, at its offset; compared by hand and asserted once (10,000 expects are slow). */
function expectRecords(batch: Buffer, inputs: readonly RecordInput[], baseOffset: number): void {
  const decoded = decodeBatch(batch);
  expect(decoded).toHaveLength(inputs.length);
  const wrong = decoded.flatMap((d, i) => {
    const r = inputs[i] as RecordInput;
    const headers = r.headers ?? [];
    const ok =
      d.offset === baseOffset + i &&
      d.timestampMs === expectedTimestamp(r) &&
      sameBytes(d.key, r.key ?? null) &&
      sameBytes(d.value, r.value) &&
      d.headers.length === headers.length &&
      d.headers.every((h, j) => h.key === headers[j]?.key && sameBytes(h.value, headers[j]?.value ?? null));
    return ok ? [] : [i];
  });
  expect(wrong).toEqual([]);
}

/** 1 KiB-ish JSON-like values, compressible like real payloads. */
function jsonRecords(count: number): RecordInput[] {
  return Array.from({ length: count }, (_, i) => ({
    key: i % 3 === 0 ? null : Buffer.from(`user-${i % 97}`),
    value:
      i % 11 === 0
        ? Buffer.alloc(0)
        : Buffer.from(JSON.stringify({ id: i, name: `name-${i}`, tags: ['a', 'b', String(i % 7)], pad: 'x'.repeat(i % 900) })),
    headers: i % 5 === 0 ? [{ key: 'h', value: Buffer.from([i & 0xff]) }] : [],
  }));
}

describe('compressed batches', () => {
  for (const codec of CODECS) {
    it(`${codec}: arbitrary records (null keys, empty values, headers) round-trip, stamped like any batch`, async () => {
      await fc.assert(
        fc.asyncProperty(recordInputs(), fc.nat({ max: 1_000_000 }), async (inputs, baseOffset) => {
          const batch = await compressBatch(buildBatch(inputs, { nowMs: NOW_MS }), codec);
          expect(batch.readInt16BE(OFF_ATTRIBUTES) & COMPRESSION_MASK).toBe(['none', ...CODECS].indexOf(codec));
          stampBatch(batch, baseOffset, 3);
          expect(validateBatch(batch).recordCount).toBe(inputs.length);
          expectRecords(batch, inputs, baseOffset);
        }),
        { numRuns: 60 },
      );
    });

    it(`${codec}: 1 record and 10,000 records round-trip; decodeRecordsFrom skips below the offset`, async () => {
      for (const inputs of [jsonRecords(1), jsonRecords(10_000)]) {
        const plain = buildBatch(inputs, { nowMs: NOW_MS });
        const batch = await compressBatch(plain, codec);
        if (inputs.length > 1) expect(batch.length).toBeLessThan(plain.length / 3);
        stampBatch(batch, 500, 1);
        expectRecords(batch, inputs, 500);
        if (inputs.length > 1) expect(decodeRecordsFrom(batch, 9_000).map((r) => r.offset)[0]).toBe(9_000);
      }
    });

    it(`${codec}: a batch whose records would decompress past the limit is refused, not expanded`, async () => {
      const bomb = await compressBatch(buildBatch([{ value: Buffer.alloc(4 * 1024 * 1024) }], { nowMs: NOW_MS }), codec);
      expect(bomb.length).toBeLessThan(256 * 1024);
      expect(reasonOf(() => decodeBatch(bomb, { maxDecompressedBytes: 1024 * 1024 }))).toBe('CORRUPT_MESSAGE');
      expect(() => decodeBatch(bomb, { maxDecompressedBytes: 1024 * 1024 })).toThrow(/exceeds the limit of 1048576 bytes/);
      expect(decodeBatch(bomb, { maxDecompressedBytes: 5 * 1024 * 1024 })).toHaveLength(1);
    });

    it(`${codec}: corrupt compressed bytes (CRC resealed) are CORRUPT_MESSAGE, never a crash`, async () => {
      const batch = await compressBatch(buildBatch(jsonRecords(50), { nowMs: NOW_MS }), codec);
      await fc.assert(
        fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
          const bad = Buffer.from(batch);
          const pos = BATCH_HEADER_SIZE + (at % (bad.length - BATCH_HEADER_SIZE));
          bad[pos] = (bad[pos] as number) ^ xor;
          sealBatch(bad);
          const reason = reasonOf(() => decodeBatch(bad));
          // Some flips land in ignored checksums or literal bytes and still decode (to other values).
          expect(['CORRUPT_MESSAGE', 'no error']).toContain(reason);
        }),
        { numRuns: 100 },
      );
    });
  }

  it('the compressed bytes are the codec framing Kafka writes', async () => {
    const data = Buffer.from('hello hello hello hello');
    const snappy = await compress('snappy', data);
    expect(snappy.subarray(0, 8)).toEqual(Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])); // xerial
    expect((await compress('lz4', data)).readUInt32LE(0)).toBe(0x184d2204); // LZ4 frame
    expect((await compress('zstd', data)).readUInt32LE(0)).toBe(0xfd2fb528); // zstd frame
    expect((await compress('gzip', data)).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    for (const id of [1, 2, 3, 4]) expect(decompress(id, await compress(CODECS[id - 1] as CompressionCodec, data))).toEqual(data);
  });

  it('a gzip batch written by another client (zlib directly) decodes', () => {
    const plain = buildBatch([{ key: Buffer.from('k'), value: Buffer.from('v') }], { nowMs: NOW_MS });
    const records = gzipSync(plain.subarray(BATCH_HEADER_SIZE));
    const batch = Buffer.concat([plain.subarray(0, BATCH_HEADER_SIZE), records]);
    batch.writeInt32BE(batch.length - 12, 8);
    batch.writeInt16BE(1, OFF_ATTRIBUTES);
    sealBatch(batch);
    expect(decodeBatch(batch)[0]?.value).toEqual(Buffer.from('v'));
  });

  it('codec ids 5-7 are refused by validateBatch (what the broker checks on produce)', () => {
    const batch = buildBatch([{ value: Buffer.from('v') }], { nowMs: NOW_MS });
    batch.writeInt16BE(5, OFF_ATTRIBUTES);
    sealBatch(batch);
    expect(() => validateBatch(batch)).toThrow(/compression codec 5/);
  });
});
