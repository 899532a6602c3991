import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  VARLONG_MAX,
  VARLONG_MIN,
  encodeVarint,
  encodeVarlong,
  readVarint,
  readVarlong,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
} from '../../../libs/record/index.js';
import { SamsaError, type ErrorReason } from '../../../libs/errors/index.js';

/** Zigzag + LEB128 over BigInt, the textbook definition: an oracle independent of the code under test. */
function reference(value: bigint, bits: 32 | 64): Buffer {
  let u = BigInt.asUintN(bits, (value << 1n) ^ (value >> BigInt(bits - 1)));
  const out: number[] = [];
  while (u > 0x7fn) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return Buffer.from(out);
}

function reasonOf(fn: () => unknown): ErrorReason | 'no error' {
  try {
    fn();
  } catch (err) {
    if (err instanceof SamsaError) return err.reason;
    throw err;
  }
  return 'no error';
}

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const varlongValue = fc.oneof(
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  int32,
  fc.constantFrom(VARLONG_MAX, VARLONG_MIN, VARLONG_MAX - 1, VARLONG_MIN + 1, 2 ** 32, -(2 ** 32), 2 ** 31, -(2 ** 31) - 1, 0, -1),
);

describe('varint (32-bit zigzag)', () => {
  it('encodes as Kafka ByteUtils does (ByteUtilsTest vectors)', () => {
    const cases: [number, number[]][] = [
      [0, [0x00]],
      [-1, [0x01]],
      [1, [0x02]],
      [63, [0x7e]],
      [-64, [0x7f]],
      [64, [0x80, 0x01]],
      [-65, [0x81, 0x01]],
      [8191, [0xfe, 0x7f]],
      [-8192, [0xff, 0x7f]],
      [8192, [0x80, 0x80, 0x01]],
      [-8193, [0x81, 0x80, 0x01]],
      [2147483647, [0xfe, 0xff, 0xff, 0xff, 0x0f]],
      [-2147483648, [0xff, 0xff, 0xff, 0xff, 0x0f]],
    ];
    for (const [value, bytes] of cases) {
      expect([...encodeVarint(value)]).toEqual(bytes);
      expect(readVarint(Buffer.from(bytes), { pos: 0 })).toBe(value);
    }
  });

  it('round-trips every int32, with the size it promised, matching the oracle', () => {
    fc.assert(
      fc.property(int32, (v) => {
        const encoded = encodeVarint(v);
        expect(encoded).toEqual(reference(BigInt(v), 32));
        expect(encoded.length).toBe(sizeOfVarint(v));
        const cursor = { pos: 0 };
        expect(readVarint(encoded, cursor)).toBe(v);
        expect(cursor.pos).toBe(encoded.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads at the cursor and within `end`, leaving the bytes around it alone', () => {
    const buf = Buffer.alloc(10, 0xaa);
    const end = writeVarint(buf, 3, -300);
    expect(buf[2]).toBe(0xaa);
    expect(buf[end]).toBe(0xaa);
    const cursor = { pos: 3 };
    expect(readVarint(buf, cursor, end)).toBe(-300);
    expect(cursor.pos).toBe(end);
    expect(reasonOf(() => readVarint(buf, { pos: 3 }, end - 1))).toBe('CORRUPT_MESSAGE');
  });

  it('throws CORRUPT_MESSAGE for every truncation', () => {
    fc.assert(
      fc.property(int32, (v) => {
        const encoded = encodeVarint(v);
        for (let cut = 0; cut < encoded.length; cut++) {
          expect(reasonOf(() => readVarint(encoded.subarray(0, cut), { pos: 0 }))).toBe('CORRUPT_MESSAGE');
        }
      }),
    );
  });

  it('throws CORRUPT_MESSAGE past 5 bytes or 32 bits', () => {
    expect(reasonOf(() => readVarint(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), { pos: 0 }))).toBe('CORRUPT_MESSAGE');
    expect(reasonOf(() => readVarint(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x1f]), { pos: 0 }))).toBe('CORRUPT_MESSAGE');
  });

  it('refuses to encode what is not an int32', () => {
    for (const v of [2 ** 31, -(2 ** 31) - 1, 1.5, Number.NaN, Infinity]) {
      expect(reasonOf(() => sizeOfVarint(v))).toBe('INVALID_REQUEST');
      expect(reasonOf(() => writeVarint(Buffer.alloc(10), 0, v))).toBe('INVALID_REQUEST');
    }
  });

  it('fails loudly instead of writing past the end of the buffer', () => {
    expect(reasonOf(() => writeVarint(Buffer.alloc(1), 0, 1000))).toBe('INTERNAL_ERROR');
    expect(reasonOf(() => writeVarlong(Buffer.alloc(4), 0, 2 ** 40))).toBe('INTERNAL_ERROR');
  });
});

describe('varlong (64-bit zigzag, JS numbers up to ±2^53)', () => {
  it('round-trips every value in [-2^53, 2^53], with the size it promised, matching the oracle', () => {
    fc.assert(
      fc.property(varlongValue, (v) => {
        const encoded = encodeVarlong(v);
        expect(encoded).toEqual(reference(BigInt(v), 64));
        expect(encoded.length).toBe(sizeOfVarlong(v));
        const cursor = { pos: 0 };
        expect(readVarlong(encoded, cursor)).toBe(v);
        expect(cursor.pos).toBe(encoded.length);
      }),
      { numRuns: 3000 },
    );
  });

  it('encodes small values exactly as varints do', () => {
    fc.assert(
      fc.property(int32, (v) => {
        expect(encodeVarlong(v)).toEqual(encodeVarint(v));
      }),
    );
  });

  it('encodes the extremes of the range exactly', () => {
    expect([...encodeVarlong(VARLONG_MAX)]).toEqual([...reference(2n ** 53n, 64)]);
    expect([...encodeVarlong(VARLONG_MIN)]).toEqual([...reference(-(2n ** 53n), 64)]);
    expect(readVarlong(reference(-(2n ** 53n), 64), { pos: 0 })).toBe(VARLONG_MIN);
  });

  it('reads any int64 inside the range and refuses any outside it with CORRUPT_MESSAGE', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
        const bytes = reference(v, 64);
        const inRange = v >= -(2n ** 53n) && v <= 2n ** 53n;
        if (inRange) expect(readVarlong(bytes, { pos: 0 })).toBe(Number(v));
        else expect(reasonOf(() => readVarlong(bytes, { pos: 0 }))).toBe('CORRUPT_MESSAGE');
      }),
      { numRuns: 2000 },
    );
    for (const v of [2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n)]) {
      expect(reasonOf(() => readVarlong(reference(v, 64), { pos: 0 }))).toBe('CORRUPT_MESSAGE');
    }
  });

  it('throws CORRUPT_MESSAGE for every truncation', () => {
    fc.assert(
      fc.property(varlongValue, (v) => {
        const encoded = encodeVarlong(v);
        for (let cut = 0; cut < encoded.length; cut++) {
          expect(reasonOf(() => readVarlong(encoded.subarray(0, cut), { pos: 0 }))).toBe('CORRUPT_MESSAGE');
        }
      }),
    );
  });

  it('throws CORRUPT_MESSAGE for more than 10 bytes', () => {
    const eleven = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]);
    expect(reasonOf(() => readVarlong(eleven, { pos: 0 }))).toBe('CORRUPT_MESSAGE');
  });

  it('accepts non-minimal encodings, as Kafka does', () => {
    expect(readVarlong(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), { pos: 0 })).toBe(0);
    expect(readVarint(Buffer.from([0x82, 0x00]), { pos: 0 })).toBe(1);
  });

  it('refuses to encode what lies outside [-2^53, 2^53] or is not an integer', () => {
    for (const v of [2 ** 53 + 2, -(2 ** 53) - 2, 0.5, Number.NaN, -Infinity]) {
      expect(reasonOf(() => sizeOfVarlong(v))).toBe('INVALID_REQUEST');
      expect(reasonOf(() => writeVarlong(Buffer.alloc(16), 0, v))).toBe('INVALID_REQUEST');
    }
  });
});
