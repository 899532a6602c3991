/**
 * One record inside a v2 record batch (after the 61-byte header of batch-header.ts), laid out as
 * Kafka's DefaultRecord. "varint" / "varlong" are the zigzag encodings of varint.ts.
 *
 *   field            type      meaning
 *   length           varint    bytes of the record after this field
 *   attributes       int8      unused, written as 0 and ignored on read
 *   timestampDelta   varlong   record timestamp minus the batch's baseTimestamp (may be negative)
 *   offsetDelta      varint    record offset minus the batch's baseOffset; Samsa writes 0, 1, 2, ...
 *   keyLength        varint    -1 for a null key
 *   key              bytes     keyLength bytes
 *   valueLength      varint    -1 for a null value
 *   value            bytes     valueLength bytes
 *   headerCount      varint    number of headers, >= 0
 *   then headerCount times:
 *     headerKeyLength    varint  >= 0
 *     headerKey          bytes   UTF-8
 *     headerValueLength  varint  -1 for a null value
 *     headerValue        bytes
 *
 * A record's fields must use exactly `length` bytes. Readers here bound every read by the record's
 * end and throw CORRUPT_MESSAGE on anything that does not add up; decoded keys and values are
 * views into the input buffer, not copies.
 */
import { SamsaError } from '../errors/index.js';
import { readVarint, readVarlong, sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong, type ReadCursor } from './varint.js';

export interface RecordHeader {
  key: string;
  value: Buffer;
}

/** A record read back from a batch, with its absolute offset and timestamp. */
export interface DecodedRecord {
  offset: number;
  timestampMs: number;
  /** A view into the batch bytes (not a copy); null when the record had no key. */
  key: Buffer | null;
  /** A view into the batch bytes (not a copy); null for a tombstone. */
  value: Buffer | null;
  /** Header values are views into the batch bytes; a null header value reads as an empty buffer. */
  headers: RecordHeader[];
  /** The partitionLeaderEpoch of the batch the record came in. */
  leaderEpoch: number;
}

/** What a reader needs from the batch header to give records absolute offsets and timestamps. */
export interface RecordContext {
  baseOffset: number;
  baseTimestamp: number;
  leaderEpoch: number;
  /** For LogAppendTime batches (attribute bit 3), the timestamp of every record; otherwise -1. */
  logAppendTimeMs: number;
}

/** Bytes of a record after its length varint. Header keys are measured as UTF-8. */
export function recordBodySize(
  timestampDelta: number,
  offsetDelta: number,
  key: Buffer | null,
  value: Buffer | null,
  headers: readonly RecordHeader[],
): number {
  let size = 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta);
  size += key === null ? 1 : sizeOfVarint(key.length) + key.length;
  size += value === null ? 1 : sizeOfVarint(value.length) + value.length;
  size += sizeOfVarint(headers.length);
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i] as RecordHeader;
    const keyBytes = Buffer.byteLength(h.key, 'utf8');
    size += sizeOfVarint(keyBytes) + keyBytes + sizeOfVarint(h.value.length) + h.value.length;
  }
  return size;
}

/** Whole size of a record whose body is `bodySize` bytes (length varint included). */
export function recordSize(bodySize: number): number {
  return sizeOfVarint(bodySize) + bodySize;
}

/**
 * Writes one record at `pos` and returns the position after it. `bodySize` must be what
 * {@link recordBodySize} gave for the same fields; the caller has made room for recordSize(bodySize).
 */
export function writeRecord(
  buf: Buffer,
  pos: number,
  bodySize: number,
  timestampDelta: number,
  offsetDelta: number,
  key: Buffer | null,
  value: Buffer | null,
  headers: readonly RecordHeader[],
): number {
  pos = writeVarint(buf, pos, bodySize);
  buf[pos++] = 0;
  pos = writeVarlong(buf, pos, timestampDelta);
  pos = writeVarint(buf, pos, offsetDelta);
  pos = writeBytes(buf, pos, key);
  pos = writeBytes(buf, pos, value);
  pos = writeVarint(buf, pos, headers.length);
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i] as RecordHeader;
    pos = writeVarint(buf, pos, Buffer.byteLength(h.key, 'utf8'));
    pos += buf.write(h.key, pos, 'utf8');
    pos = writeBytes(buf, pos, h.value);
  }
  return pos;
}

function writeBytes(buf: Buffer, pos: number, bytes: Buffer | null): number {
  if (bytes === null) return writeVarint(buf, pos, -1);
  pos = writeVarint(buf, pos, bytes.length);
  buf.set(bytes, pos);
  return pos + bytes.length;
}

function corrupt(message: string): SamsaError {
  return new SamsaError('CORRUPT_MESSAGE', message);
}

/**
 * Reads the record at `cursor.pos`, which must end at or before `end` (the end of the batch), into
 * `into` (every field overwritten: a reader of many records reuses one object), and advances the
 * cursor past it. Key, value and the headers array are the record's own (a new array per record;
 * the buffers are views into `buf`). Throws CORRUPT_MESSAGE when a length is out of bounds, a field
 * crosses the record's end, or the fields do not use exactly the record's length.
 */
export function readRecordInto(buf: Buffer, cursor: ReadCursor, end: number, ctx: RecordContext, into: DecodedRecord): void {
  const start = cursor.pos;
  const length = readVarint(buf, cursor, end);
  const recordEnd = cursor.pos + length;
  if (length < 1 || recordEnd > end) {
    throw corrupt(`record at byte ${start} claims ${length} bytes but ${end - cursor.pos} remain in the batch`);
  }
  cursor.pos++; // attributes: unused in v2 records
  const timestampDelta = readVarlong(buf, cursor, recordEnd);
  const offsetDelta = readVarint(buf, cursor, recordEnd);
  const key = readBytes(buf, cursor, recordEnd, 'key');
  const value = readBytes(buf, cursor, recordEnd, 'value');
  const headerCount = readVarint(buf, cursor, recordEnd);
  if (headerCount < 0) throw corrupt(`record at byte ${start} has a negative header count ${headerCount}`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < headerCount; i++) {
    const keyLength = readVarint(buf, cursor, recordEnd);
    if (keyLength < 0 || keyLength > recordEnd - cursor.pos) {
      throw corrupt(`header key of record at byte ${start} has length ${keyLength} with ${recordEnd - cursor.pos} bytes left`);
    }
    const headerKey = buf.toString('utf8', cursor.pos, cursor.pos + keyLength);
    cursor.pos += keyLength;
    // Kafka allows null header values; Samsa's header type has none, so null reads as empty.
    const headerValue = readBytes(buf, cursor, recordEnd, 'header value') ?? buf.subarray(cursor.pos, cursor.pos);
    headers.push({ key: headerKey, value: headerValue });
  }
  if (cursor.pos !== recordEnd) {
    throw corrupt(`record at byte ${start} claims ${length} bytes but its fields use ${cursor.pos - (recordEnd - length)}`);
  }
  const timestampMs = ctx.logAppendTimeMs >= 0 ? ctx.logAppendTimeMs : ctx.baseTimestamp + timestampDelta;
  if (!Number.isSafeInteger(timestampMs)) throw corrupt(`record at byte ${start} has timestamp delta ${timestampDelta} out of range`);
  into.offset = ctx.baseOffset + offsetDelta;
  into.timestampMs = timestampMs;
  into.key = key;
  into.value = value;
  into.headers = headers;
  into.leaderEpoch = ctx.leaderEpoch;
}

function readBytes(buf: Buffer, cursor: ReadCursor, recordEnd: number, what: string): Buffer | null {
  const at = cursor.pos;
  const length = readVarint(buf, cursor, recordEnd);
  if (length === -1) return null;
  if (length < -1 || length > recordEnd - cursor.pos) {
    throw corrupt(`${what} at byte ${at} has length ${length} with ${recordEnd - cursor.pos} bytes left in the record`);
  }
  const bytes = buf.subarray(cursor.pos, cursor.pos + length);
  cursor.pos += length;
  return bytes;
}
