import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { murmur2, toPositive, partitionForKey, RoundRobinPartitioner } from '../../../libs/partitioner/index.js';
import { SamsaError } from '../../../libs/errors/index.js';

// Published in Kafka's own test: clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, testMurmur2.
const KAFKA_UTILS_TEST_VECTORS: [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

// Printed by a copy of Kafka's Utils.murmur2 (kafkajs, src/producer/partitioners/defaultJava/Test.java and
// murmur2.spec.js; not kafkajs' legacy "default" partitioner, whose hashes differ from Java's). They add
// keys with 1- and 3-byte tails, which the vectors above barely cover.
const JAVA_PRINTED_VECTORS: [string, number][] = [
  ['0', 971027396],
  ['1', -1993445489],
  ['128', -326012175],
  ['2187', -1508407203],
  ['16384', -325739742],
  ['78125', -1654490814],
  ['279936', 1462227128],
  ['823543', -2014198330],
  ['2097152', 607668903],
  ['4782969', -1182699775],
  ['10000000', -1830336757],
  ['19487171', -1603849305],
  ['35831808', -857013643],
  ['62748517', -1167431028],
  ['105413504', -381294639],
  ['170859375', -1658323481],
  ['100:48069', 1009543857],
];

/** Java int arithmetic spelled out with BigInt, independent of Math.imul: a second opinion. */
function referenceMurmur2(data: Uint8Array): number {
  const mask = 0xffffffffn;
  const toInt = (x: bigint): bigint => BigInt.asIntN(32, x);
  const ushr = (x: bigint, n: bigint): bigint => (x & mask) >> n;
  const m = 0x5bd1e995n;
  let h = toInt(0x9747b28cn ^ BigInt(data.length));
  const n4 = Math.floor(data.length / 4);
  for (let i = 0; i < n4; i++) {
    let k = 0n;
    for (let j = 3; j >= 0; j--) k = (k << 8n) | BigInt(data[i * 4 + j] as number);
    k = toInt(k);
    k = toInt(k * m);
    k = toInt(k ^ ushr(k, 24n));
    k = toInt(k * m);
    h = toInt(h * m);
    h = toInt(h ^ k);
  }
  const t = n4 * 4;
  const rest = data.length % 4;
  if (rest >= 3) h = toInt(h ^ (BigInt(data[t + 2] as number) << 16n));
  if (rest >= 2) h = toInt(h ^ (BigInt(data[t + 1] as number) << 8n));
  if (rest >= 1) {
    h = toInt(h ^ BigInt(data[t] as number));
    h = toInt(h * m);
  }
  h = toInt(h ^ ushr(h, 13n));
  h = toInt(h * m);
  h = toInt(h ^ ushr(h, 15n));
  return Number(h);
}

describe('murmur2', () => {
  it.each(KAFKA_UTILS_TEST_VECTORS)('hashes %j as Kafka UtilsTest.testMurmur2 says (%i)', (key, expected) => {
    expect(murmur2(Buffer.from(key, 'utf8'))).toBe(expected);
  });

  it.each(JAVA_PRINTED_VECTORS)('hashes %j as Java Utils.murmur2 printed (%i)', (key, expected) => {
    expect(murmur2(Buffer.from(key, 'utf8'))).toBe(expected);
  });

  it('agrees with a BigInt transcription of the Java code on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(murmur2(bytes)).toBe(referenceMurmur2(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('hashes the empty key like Java (seed ^ 0, mixed)', () => {
    expect(murmur2(new Uint8Array(0))).toBe(referenceMurmur2(new Uint8Array(0)));
  });

  it('is a signed 32-bit integer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }), (bytes) => {
        const h = murmur2(bytes);
        expect(h | 0).toBe(h);
      }),
    );
  });
});

describe('toPositive', () => {
  it('clears only the sign bit, as Kafka Utils.toPositive', () => {
    expect(toPositive(0)).toBe(0);
    expect(toPositive(5)).toBe(5);
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(-973932308)).toBe(-973932308 & 0x7fffffff);
  });
});

describe('partitionForKey', () => {
  it('puts keys where Kafka BuiltInPartitioner.partitionForKey does', () => {
    // toPositive(-973932308) = 1173551340; 1173551340 % 10 = 0, % 7 = 1173551340 - 7 * 167650191 = 3.
    expect(partitionForKey(Buffer.from('21'), 10)).toBe(0);
    expect(partitionForKey(Buffer.from('21'), 7)).toBe(3);
    for (const [key, hash] of [...KAFKA_UTILS_TEST_VECTORS, ...JAVA_PRINTED_VECTORS]) {
      for (const n of [1, 2, 3, 6, 12, 100]) {
        expect(partitionForKey(Buffer.from(key), n)).toBe((hash & 0x7fffffff) % n);
      }
    }
  });

  it('always returns a partition in [0, numPartitions), the same every time', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 1, max: 10_000 }), (bytes, n) => {
        const p = partitionForKey(Buffer.from(bytes), n);
        expect(Number.isInteger(p) && p >= 0 && p < n).toBe(true);
        expect(partitionForKey(Buffer.from(bytes), n)).toBe(p);
      }),
    );
  });

  it('refuses a partition count that is not a positive integer', () => {
    for (const n of [0, -1, 1.5, Number.NaN]) {
      expect(() => partitionForKey(Buffer.from('k'), n)).toThrowError(SamsaError);
    }
  });
});

describe('RoundRobinPartitioner', () => {
  it('cycles through the partitions from its start', () => {
    const rr = new RoundRobinPartitioner();
    expect(Array.from({ length: 7 }, () => rr.next(3))).toEqual([0, 1, 2, 0, 1, 2, 0]);
    const from5 = new RoundRobinPartitioner(5);
    expect(from5.next(4)).toBe(1);
  });

  it('follows a changing partition count without leaving the range', () => {
    const rr = new RoundRobinPartitioner();
    for (let i = 0; i < 50; i++) {
      const n = (i % 5) + 1;
      const p = rr.next(n);
      expect(p >= 0 && p < n).toBe(true);
    }
  });

  it('stays in range when its counter wraps past 2^31', () => {
    const rr = new RoundRobinPartitioner(0x7ffffffe);
    const seen = Array.from({ length: 4 }, () => rr.next(6));
    for (const p of seen) expect(p >= 0 && p < 6).toBe(true);
  });

  it('refuses a partition count that is not a positive integer', () => {
    expect(() => new RoundRobinPartitioner().next(0)).toThrowError(SamsaError);
  });
});
