/**
 * 32-bit MurmurHash2 exactly as Kafka's Java client computes it
 * (org.apache.kafka.common.utils.Utils.murmur2), so that a key lands on the same partition number
 * in Samsa as it would in Kafka. Kafka's variant fixes the seed (0x9747b28c), reads 4-byte blocks
 * little-endian, and mixes the 1..3 tail bytes highest first (Java's switch fall-through). Java
 * ints wrap at 32 bits: Math.imul and `| 0` / `>>>` reproduce that arithmetic here.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/** Kafka's murmur2 of `data`, as a signed 32-bit integer (what Java's `int` result would be). */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const blocks = length >>> 2;
  for (let i = 0; i < blocks; i++) {
    const i4 = i << 2;
    let k = (data[i4] as number) | ((data[i4 + 1] as number) << 8) | ((data[i4 + 2] as number) << 16) | ((data[i4 + 3] as number) << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // Java's fall-through switch on length % 4: the tail bytes are mixed highest first, then one multiply.
  const tail = length & ~3;
  const rest = length & 3;
  if (rest >= 3) h ^= (data[tail + 2] as number) << 16;
  if (rest >= 2) h ^= (data[tail + 1] as number) << 8;
  if (rest >= 1) {
    h ^= data[tail] as number;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * Kafka's Utils.toPositive: clears the sign bit (not Math.abs, which would map -2^31 to itself in
 * Java and give a different partition for negative hashes).
 */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}
