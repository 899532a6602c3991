/**
 * Zigzag variable-length integers, as in Kafka's v2 record format
 * (org.apache.kafka.common.utils.ByteUtils: writeVarint/readVarint, writeVarlong/readVarlong).
 *
 * A signed value v is first zigzag-mapped to an unsigned u (0 -> 0, -1 -> 1, 1 -> 2, -2 -> 3, ...)
 * so that small magnitudes of either sign stay short; u is then written 7 bits per byte, least
 * significant group first, with the high bit (0x80) of a byte set when another byte follows.
 *
 *   varint   a 32-bit signed value, 1..5 bytes
 *   varlong  a 64-bit signed value, 1..10 bytes. Samsa holds it in a JS number, so only values in
 *            [-2^53, 2^53] (both exactly representable) are accepted: writers refuse others with
 *            INVALID_REQUEST, readers with CORRUPT_MESSAGE.
 *
 * JS bit operators truncate to 32 bits, so beyond 32 bits the varlong code works on a low part
 * and a high part with plain arithmetic.
 *
 * Readers take a {@link ReadCursor} and advance it, so a decoder walks a buffer without allocating
 * a result object per field. They never read at or past `end`; non-minimal encodings (e.g. 0x80
 * 0x00 for 0) are accepted, as Kafka accepts them.
 */
import { SamsaError } from '../errors/index.js';

/** Largest magnitude a varlong may carry in Samsa (2^53). */
export const VARLONG_MAX = 2 ** 53;
export const VARLONG_MIN = -(2 ** 53);
/** Most bytes a varlong takes. */
export const MAX_VARLONG_SIZE = 10;

/** A read position inside a buffer; readers advance `pos` past what they consumed. */
export interface ReadCursor {
  pos: number;
}

const TWO_POW_27 = 2 ** 27;
const TWO_POW_26 = 2 ** 26;
const TWO_POW_32 = 2 ** 32;

function invalid(kind: string, value: number): SamsaError {
  return new SamsaError('INVALID_REQUEST', `${value} cannot be encoded as a ${kind}`);
}

function checkInt32(value: number): void {
  if ((value | 0) !== value) throw invalid('varint (32-bit signed integer)', value);
}

function checkVarlong(value: number): void {
  if (!Number.isInteger(value) || value > VARLONG_MAX || value < VARLONG_MIN) {
    throw invalid(`varlong (integer in [-2^53, 2^53])`, value);
  }
}

/** Zigzag of an int32, as an unsigned 32-bit number. */
function zigzag32(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

function unsignedSize32(u: number): number {
  if (u < 0x80) return 1;
  if (u < 0x4000) return 2;
  if (u < 0x200000) return 3;
  if (u < 0x10000000) return 4;
  return 5;
}

function writeUnsigned32(buf: Buffer, pos: number, u: number): number {
  while (u > 0x7f) {
    buf[pos++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  buf[pos++] = u;
  return pos;
}

function checkFit(buf: Buffer, pos: number): number {
  // Typed arrays drop writes past their end silently; surface that as the bug it is.
  if (pos > buf.length) throw new SamsaError('INTERNAL_ERROR', `varint write ran ${pos - buf.length} bytes past the end of the buffer`);
  return pos;
}

/** Bytes that `value` (an int32) takes as a varint: 1..5. */
export function sizeOfVarint(value: number): number {
  checkInt32(value);
  return unsignedSize32(zigzag32(value));
}

/** Bytes that `value` (an integer in [-2^53, 2^53]) takes as a varlong: 1..8 in that range. */
export function sizeOfVarlong(value: number): number {
  if ((value | 0) === value) return unsignedSize32(zigzag32(value));
  checkVarlong(value);
  // u = 2a + sign with a = |v| or |v| - 1; u < 2^(7k) exactly when a < 2^(7k - 1).
  const a = value >= 0 ? value : -value - 1;
  let size = 1;
  for (let limit = 64; a >= limit; limit *= 128) size++;
  return size;
}

/**
 * Writes `value` (an int32) as a varint at `pos` and returns the position after it. The caller
 * makes room first ({@link sizeOfVarint}); running past the end throws INTERNAL_ERROR.
 */
export function writeVarint(buf: Buffer, pos: number, value: number): number {
  checkInt32(value);
  return checkFit(buf, writeUnsigned32(buf, pos, zigzag32(value)));
}

/**
 * Writes `value` (an integer in [-2^53, 2^53]) as a varlong at `pos` and returns the position after
 * it. The caller makes room first ({@link sizeOfVarlong}); running past the end throws INTERNAL_ERROR.
 */
export function writeVarlong(buf: Buffer, pos: number, value: number): number {
  if ((value | 0) === value) return checkFit(buf, writeUnsigned32(buf, pos, zigzag32(value)));
  checkVarlong(value);
  const negative = value < 0;
  // u = 2a + sign cannot be formed as a double (2^54 - 1 is not representable), so split a into
  // 32-bit halves and shift the pair.
  const a = negative ? -value - 1 : value;
  const aHi = Math.floor(a / TWO_POW_32);
  const aLo = a - aHi * TWO_POW_32;
  let lo = ((aLo * 2) % TWO_POW_32) + (negative ? 1 : 0);
  let hi = aHi * 2 + (aLo >= 0x80000000 ? 1 : 0);
  while (hi > 0 || lo > 0x7f) {
    buf[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
    hi >>>= 7;
  }
  buf[pos++] = lo;
  return checkFit(buf, pos);
}

/** A fresh buffer holding `value` as a varint (for tests and one-off encodings, not hot paths). */
export function encodeVarint(value: number): Buffer {
  const buf = Buffer.allocUnsafe(sizeOfVarint(value));
  writeVarint(buf, 0, value);
  return buf;
}

/** A fresh buffer holding `value` as a varlong (for tests and one-off encodings, not hot paths). */
export function encodeVarlong(value: number): Buffer {
  const buf = Buffer.allocUnsafe(sizeOfVarlong(value));
  writeVarlong(buf, 0, value);
  return buf;
}

function truncated(kind: string, start: number): SamsaError {
  return new SamsaError('CORRUPT_MESSAGE', `${kind} at byte ${start} is truncated`);
}

/**
 * Reads a varint at `cursor.pos`, never touching bytes at or past `end` (default: the buffer's
 * length; at most buf.length), and advances the cursor past it. Throws CORRUPT_MESSAGE when the
 * bytes end first, when more than 5 bytes are used, or when the value does not fit 32 bits.
 */
export function readVarint(buf: Buffer, cursor: ReadCursor, end: number = buf.length): number {
  const start = cursor.pos;
  let pos = start;
  let u = 0;
  for (let shift = 0; shift <= 28; shift += 7) {
    if (pos >= end) throw truncated('varint', start);
    const b = buf[pos++] as number;
    if (shift === 28 && b > 0x0f) {
      throw new SamsaError('CORRUPT_MESSAGE', `varint at byte ${start} is longer than 5 bytes or exceeds 32 bits`);
    }
    u |= (b & 0x7f) << shift;
    if (b < 0x80) {
      cursor.pos = pos;
      return (u >>> 1) ^ -(u & 1);
    }
  }
  // Unreachable: the fifth byte either ends the varint or fails the check above.
  throw new SamsaError('CORRUPT_MESSAGE', `varint at byte ${start} is malformed`);
}

/**
 * Reads a varlong at `cursor.pos`, never touching bytes at or past `end` (default: the buffer's
 * length; at most buf.length), and advances the cursor past it. Throws CORRUPT_MESSAGE when the
 * bytes end first, when more than 10 bytes are used, or when the value lies outside [-2^53, 2^53].
 */
export function readVarlong(buf: Buffer, cursor: ReadCursor, end: number = buf.length): number {
  const start = cursor.pos;
  let pos = start;
  // The first four bytes hold bits 0..27, which 32-bit operators carry exactly.
  let lo = 0;
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) throw truncated('varlong', start);
    const b = buf[pos++] as number;
    lo |= (b & 0x7f) << shift;
    if (b < 0x80) {
      cursor.pos = pos;
      return (lo >>> 1) ^ -(lo & 1);
    }
  }
  // Bytes 5..10 hold bits 28 and up: collect them as a double in units of 2^28 (at most 42 bits, exact).
  let high = 0;
  let scale = 1;
  for (let i = 4; i < MAX_VARLONG_SIZE; i++) {
    if (pos >= end) throw truncated('varlong', start);
    const b = buf[pos++] as number;
    high += (b & 0x7f) * scale;
    scale *= 128;
    if (b >= 0x80) continue;
    // u = high * 2^28 + lo, and the magnitude is floor(u / 2) = high * 2^27 + (lo >>> 1). Range is
    // checked on the parts so that the sum is only formed when it is exact (at most 2^53).
    const half = lo >>> 1;
    if (high > TWO_POW_26 || (high === TWO_POW_26 && half !== 0)) {
      throw new SamsaError('CORRUPT_MESSAGE', `varlong at byte ${start} is outside [-2^53, 2^53]`);
    }
    const magnitude = high * TWO_POW_27 + half;
    cursor.pos = pos;
    if ((lo & 1) === 0) return magnitude;
    if (magnitude === VARLONG_MAX) {
      throw new SamsaError('CORRUPT_MESSAGE', `varlong at byte ${start} is outside [-2^53, 2^53]`);
    }
    return -magnitude - 1;
  }
  throw new SamsaError('CORRUPT_MESSAGE', `varlong at byte ${start} is longer than 10 bytes`);
}
