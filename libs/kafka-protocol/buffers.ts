/**
 * Kafka's primitive wire types: big-endian fixed-width integers, unsigned varints (7 bits a byte,
 * low group first, as protobuf), zig-zag signed varints, and the four string/bytes/array length
 * forms (int16/int32 lengths with -1 for null; "compact" lengths as uvarint(n + 1) with 0 for
 * null, used in flexible versions). Reference: Kafka's protocol guide and ByteUtils.java.
 *
 * A Reader that runs past its end throws KafkaProtocolError (the frame was truncated or lies about
 * a length); nothing is ever read from beyond the frame it was given.
 */
import { SamsaError } from '../errors/index.js';

/** A frame that cannot be decoded: the connection it came on is closed (never a partial answer). */
export class KafkaProtocolError extends SamsaError {
  constructor(message: string) {
    super('CORRUPT_MESSAGE', message);
  }
}

export class Reader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): number {
    if (n < 0 || this.pos + n > this.buf.length)
      throw new KafkaProtocolError(`truncated: needs ${n} bytes at offset ${this.pos}, the frame has ${this.buf.length}`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1));
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  /** int64 as a number; outside ±2^53 throws (ADR 0003: offsets, ids and times are numbers). */
  int64(): number {
    const v = this.buf.readBigInt64BE(this.need(8));
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER))
      throw new KafkaProtocolError(`int64 ${v} is outside the range Samsa represents exactly (±2^53)`);
    return Number(v);
  }
  float64(): number {
    return this.buf.readDoubleBE(this.need(8));
  }
  bool(): boolean {
    return this.buf.readInt8(this.need(1)) !== 0;
  }
  uvarint(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.buf.readUInt8(this.need(1));
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (result > 0xffffffff) throw new KafkaProtocolError(`unsigned varint ${result} exceeds 32 bits`);
        return result;
      }
    }
    throw new KafkaProtocolError('unsigned varint longer than 5 bytes');
  }
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }
  bytes(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }
  uuid(): Buffer {
    return Buffer.from(this.bytes(16));
  }
  /** A length: int16/int32 (classic) or uvarint - 1 (compact); -1 means null. */
  length(compact: boolean, wide: boolean): number {
    if (compact) return this.uvarint() - 1;
    return wide ? this.int32() : this.int16();
  }
  string(compact: boolean): string | null {
    const n = this.length(compact, false);
    if (n < -1) throw new KafkaProtocolError(`negative string length ${n}`);
    return n === -1 ? null : this.bytes(n).toString('utf8');
  }
  nullableBytes(compact: boolean): Buffer | null {
    const n = this.length(compact, true);
    if (n < -1) throw new KafkaProtocolError(`negative bytes length ${n}`);
    return n === -1 ? null : this.bytes(n);
  }
}

/** An append-only buffer that grows by doubling; `finish()` returns the bytes written. */
export class Writer {
  private buf: Buffer;
  private pos = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  get size(): number {
    return this.pos;
  }

  private room(n: number): number {
    if (this.pos + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < this.pos + n) size *= 2;
      const next = Buffer.allocUnsafe(size);
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  int8(v: number): this {
    const at = this.room(1);
    this.buf.writeInt8(v, at);
    return this;
  }
  int16(v: number): this {
    const at = this.room(2);
    this.buf.writeInt16BE(v, at);
    return this;
  }
  uint16(v: number): this {
    const at = this.room(2);
    this.buf.writeUInt16BE(v, at);
    return this;
  }
  int32(v: number): this {
    const at = this.room(4);
    this.buf.writeInt32BE(v, at);
    return this;
  }
  uint32(v: number): this {
    const at = this.room(4);
    this.buf.writeUInt32BE(v, at);
    return this;
  }
  int64(v: number): this {
    if (!Number.isSafeInteger(v)) throw new KafkaProtocolError(`int64 ${v} is not a safe integer`);
    const at = this.room(8);
    this.buf.writeBigInt64BE(BigInt(v), at);
    return this;
  }
  float64(v: number): this {
    const at = this.room(8);
    this.buf.writeDoubleBE(v, at);
    return this;
  }
  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }
  uvarint(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new KafkaProtocolError(`unsigned varint ${v} out of range`);
    while (v >= 0x80) {
      const at = this.room(1);
      this.buf[at] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    const last = this.room(1);
    this.buf[last] = v;
    return this;
  }
  varint(v: number): this {
    return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  raw(b: Uint8Array): this {
    const at = this.room(b.length);
    this.buf.set(b, at);
    return this;
  }
  length(n: number, compact: boolean, wide: boolean): this {
    if (compact) return this.uvarint(n + 1);
    return wide ? this.int32(n) : this.int16(n);
  }
  string(s: string | null, compact: boolean): this {
    if (s === null) return this.length(-1, compact, false);
    const b = Buffer.from(s, 'utf8');
    if (!compact && b.length > 0x7fff) throw new KafkaProtocolError(`string of ${b.length} bytes exceeds int16`);
    return this.length(b.length, compact, false).raw(b);
  }
  nullableBytes(b: Uint8Array | null, compact: boolean): this {
    if (b === null) return this.length(-1, compact, true);
    return this.length(b.length, compact, true).raw(b);
  }
  /** Patches a big-endian int32 at `at` (a length prefix written before its content was known). */
  setInt32(at: number, v: number): void {
    this.buf.writeInt32BE(v, at);
  }
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
