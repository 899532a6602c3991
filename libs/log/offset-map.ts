/**
 * The log cleaner's key -> latest offset map, in one fixed buffer (Kafka's SkimpyOffsetMap): the
 * memory bound of cleaning. Keys are not kept, only their MD5 digest, so a log's key count, not
 * its key sizes, decides how much of the dirty log one pass covers.
 *
 * Layout: `slots` entries of 24 bytes, open addressing with linear probing:
 *
 *   digest  16 bytes   MD5 of the key bytes
 *   offset  float64    latest offset + 1 (0 marks an empty slot; offsets are < 2^53, ADR 0003)
 *
 * At most 90% of the slots are filled (probing stays short), so one MiB holds
 * floor(1 MiB / 24) * 0.9 = 39,321 keys; the broker's default 16 MiB about 629,000.
 *
 * Two keys with the same digest count as one (a 2^-128 chance per pair): the older record of the
 * two would be dropped. Kafka accepts the same. Not safe for concurrent use; the cleaner owns one.
 */
import { hash } from 'node:crypto';

export const OFFSET_MAP_ENTRY_BYTES = 24;
const DIGEST_BYTES = 16;
const LOAD_FACTOR = 0.9;

/** How many keys a map of `bytes` holds. */
export function offsetMapCapacity(bytes: number): number {
  return Math.floor(Math.floor(bytes / OFFSET_MAP_ENTRY_BYTES) * LOAD_FACTOR);
}

export class OffsetMap {
  private readonly buf: Buffer;
  private readonly slots: number;
  /** Most keys before put() refuses. */
  readonly capacity: number;
  private used = 0;
  /** Largest offset put since clear(), -1 when none. */
  latestOffset = -1;

  /** `bytes`: the memory to use; at least one entry's worth. */
  constructor(bytes: number) {
    this.slots = Math.floor(bytes / OFFSET_MAP_ENTRY_BYTES);
    this.capacity = offsetMapCapacity(bytes);
    if (this.capacity < 1) throw new RangeError(`an offset map needs more than ${OFFSET_MAP_ENTRY_BYTES} bytes, got ${bytes}`);
    this.buf = Buffer.alloc(this.slots * OFFSET_MAP_ENTRY_BYTES);
  }

  get size(): number {
    return this.used;
  }

  get full(): boolean {
    return this.used >= this.capacity;
  }

  clear(): void {
    this.buf.fill(0);
    this.used = 0;
    this.latestOffset = -1;
  }

  /**
   * Records that `key`'s latest record is at `offset`. Returns false, changing nothing, when the
   * key is new and the map is full.
   */
  put(key: Buffer, offset: number): boolean {
    const digest = hash('md5', key, 'buffer');
    const at = this.find(digest);
    if (this.buf.readDoubleLE(at + DIGEST_BYTES) === 0) {
      if (this.used >= this.capacity) return false;
      digest.copy(this.buf, at);
      this.used++;
    }
    this.buf.writeDoubleLE(offset + 1, at + DIGEST_BYTES);
    if (offset > this.latestOffset) this.latestOffset = offset;
    return true;
  }

  /** The latest offset recorded for `key`, or -1. */
  get(key: Buffer): number {
    const at = this.find(hash('md5', key, 'buffer'));
    return this.buf.readDoubleLE(at + DIGEST_BYTES) - 1;
  }

  /** Byte position of `digest`'s slot, or of the empty slot where it would go. */
  private find(digest: Buffer): number {
    let slot = digest.readUInt32LE(0) % this.slots;
    for (;;) {
      const at = slot * OFFSET_MAP_ENTRY_BYTES;
      if (this.buf.readDoubleLE(at + DIGEST_BYTES) === 0) return at;
      if (this.buf.compare(digest, 0, DIGEST_BYTES, at, at + DIGEST_BYTES) === 0) return at;
      slot = slot + 1 === this.slots ? 0 : slot + 1;
    }
  }
}
