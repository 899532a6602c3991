/**
 * Builds one uncompressed v2 record batch (header layout in batch-header.ts, records in
 * records.ts). The builder measures every record first and writes into one buffer of exactly the
 * right size, then seals the CRC-32C: no intermediate buffers per record or field.
 *
 * Timestamps follow Kafka's producer: baseTimestamp is the first record's timestamp, each record
 * stores its delta from it (negative when records are out of time order), maxTimestamp is the
 * largest. Offsets deltas are 0..n-1; the leader stamps the real base offset on append.
 */
import { SamsaError } from '../errors/index.js';
import { systemClock } from '../runtime/index.js';
import {
  BATCH_HEADER_SIZE,
  COMPRESSION_MASK,
  LOG_OVERHEAD,
  MAGIC_V2,
  OFF_ATTRIBUTES,
  OFF_BASE_OFFSET,
  OFF_BASE_SEQUENCE,
  OFF_BASE_TIMESTAMP,
  OFF_BATCH_LENGTH,
  OFF_CRC,
  OFF_LAST_OFFSET_DELTA,
  OFF_LEADER_EPOCH,
  OFF_MAGIC,
  OFF_MAX_TIMESTAMP,
  OFF_PRODUCER_EPOCH,
  OFF_PRODUCER_ID,
  OFF_RECORD_COUNT,
  sealBatch,
  writeSafeInt64,
  type BatchHeader,
} from './batch-header.js';
import { CODECS, codecId, compress, type CompressionCodec } from './compression.js';
import { recordBodySize, recordSize, writeRecord, type DecodedRecord, type RecordHeader } from './records.js';

export interface RecordInput {
  /** Absent or null: no key (-1 on the wire). An empty buffer is a key of zero bytes. */
  key?: Buffer | null;
  /** null: a tombstone (-1 on the wire). */
  value: Buffer | null;
  headers?: RecordHeader[];
  /** ms since the epoch; absent or 0 means the batch's `nowMs`. Must be a non-negative safe integer. */
  timestampMs?: number;
}

export interface BuildBatchOptions {
  /** Default 0; leaders overwrite it with stampBatch. */
  baseOffset?: number;
  /** Default -1; leaders overwrite it with stampBatch. */
  leaderEpoch?: number;
  /** Default -1 (not idempotent). */
  producerId?: number;
  /** Default -1. */
  producerEpoch?: number;
  /** Default -1. */
  baseSequence?: number;
  /** Timestamp for records without one (or with 0). Default: the system clock, read once per batch when needed. */
  nowMs?: number;
  /** Batch attributes (int16). Default 0. Compression bits must be 0: this builder writes uncompressed. */
  attributes?: number;
  /**
   * Free bytes in front of the batch in the buffer it is built in (default 0): the caller may write
   * up to that many bytes just before the returned view, e.g. the fields of the request that carries
   * the batch (libs/rpc encodeProduceRequest), so that the request needs no copy of the batch.
   */
  headroom?: number;
  /** Where the batch's buffer (headroom included) comes from: a buffer of exactly the size asked. Default Buffer.allocUnsafe. */
  alloc?: (size: number) => Buffer;
}

const NO_HEADERS: readonly RecordHeader[] = [];
const INT32_MAX = 0x7fffffff;

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new SamsaError('INVALID_REQUEST', `${name} is ${value}, expected an integer in [${min}, ${max}]`);
  }
  return value;
}

function checkTimestamp(index: number, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new SamsaError('INVALID_REQUEST', `record ${index} has timestamp ${value}, expected a non-negative integer (ms since the epoch)`);
  }
  return value;
}

/**
 * Encodes `records` (at least one) as one v2 batch with a valid CRC-32C. Keys, values and header
 * values are copied into the batch. Throws INVALID_REQUEST for an empty list, a bad option or
 * timestamp, and RECORD_TOO_LARGE when the batch would exceed the int32 length field.
 */
export function buildBatch(records: readonly RecordInput[], options: BuildBatchOptions = {}): Buffer {
  const count = records.length;
  if (count === 0) throw new SamsaError('INVALID_REQUEST', 'a record batch needs at least one record');
  const baseOffset = checkInteger('baseOffset', options.baseOffset ?? 0, 0, Number.MAX_SAFE_INTEGER);
  const leaderEpoch = checkInteger('leaderEpoch', options.leaderEpoch ?? -1, -1, INT32_MAX);
  const producerId = checkInteger('producerId', options.producerId ?? -1, -1, Number.MAX_SAFE_INTEGER);
  const producerEpoch = checkInteger('producerEpoch', options.producerEpoch ?? -1, -1, 0x7fff);
  const baseSequence = checkInteger('baseSequence', options.baseSequence ?? -1, -1, INT32_MAX);
  const attributes = checkInteger('attributes', options.attributes ?? 0, 0, 0x7fff);
  if ((attributes & COMPRESSION_MASK) !== 0) {
    throw new SamsaError('INVALID_REQUEST', `attributes ${attributes} ask for compression, which buildBatch does not do`);
  }
  const headroom = checkInteger('headroom', options.headroom ?? 0, 0, 64 * 1024);
  const nowMs = timestampSource(options.nowMs);

  // Pass 1: timestamps and sizes. Body sizes are kept for pass 2, which must write them first.
  const first = records[0] as RecordInput;
  const baseTimestamp = checkTimestamp(0, timestampOf(first, nowMs));
  let maxTimestamp = baseTimestamp;
  const bodySizes = new Float64Array(count);
  let total = BATCH_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const r = records[i] as RecordInput;
    const ts = i === 0 ? baseTimestamp : checkTimestamp(i, timestampOf(r, nowMs));
    if (ts > maxTimestamp) maxTimestamp = ts;
    const body = recordBodySize(ts - baseTimestamp, i, r.key ?? null, r.value ?? null, r.headers ?? NO_HEADERS);
    bodySizes[i] = body;
    total += recordSize(body);
  }
  if (total - LOG_OVERHEAD > INT32_MAX) {
    throw new SamsaError('RECORD_TOO_LARGE', `a batch of ${count} records would take ${total} bytes, more than a batch can hold`);
  }

  // Pass 2: every byte of the batch is written below, so the unzeroed allocation is safe (the
  // headroom is the caller's to fill).
  const buf = (options.alloc ?? Buffer.allocUnsafe)(headroom + total).subarray(headroom);
  writeSafeInt64(buf, OFF_BASE_OFFSET, baseOffset);
  buf.writeInt32BE(total - LOG_OVERHEAD, OFF_BATCH_LENGTH);
  buf.writeInt32BE(leaderEpoch, OFF_LEADER_EPOCH);
  buf.writeInt8(MAGIC_V2, OFF_MAGIC);
  buf.writeUInt32BE(0, OFF_CRC);
  buf.writeInt16BE(attributes, OFF_ATTRIBUTES);
  buf.writeInt32BE(count - 1, OFF_LAST_OFFSET_DELTA);
  writeSafeInt64(buf, OFF_BASE_TIMESTAMP, baseTimestamp);
  writeSafeInt64(buf, OFF_MAX_TIMESTAMP, maxTimestamp);
  writeSafeInt64(buf, OFF_PRODUCER_ID, producerId);
  buf.writeInt16BE(producerEpoch, OFF_PRODUCER_EPOCH);
  buf.writeInt32BE(baseSequence, OFF_BASE_SEQUENCE);
  buf.writeInt32BE(count, OFF_RECORD_COUNT);
  let pos = BATCH_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const r = records[i] as RecordInput;
    const ts = i === 0 ? baseTimestamp : timestampOf(r, nowMs);
    pos = writeRecord(buf, pos, bodySizes[i] as number, ts - baseTimestamp, i, r.key ?? null, r.value ?? null, r.headers ?? NO_HEADERS);
  }
  if (pos !== total) {
    // Measuring and writing disagree: a bug here, and the unwritten bytes must never leave.
    throw new SamsaError('INTERNAL_ERROR', `batch builder wrote ${pos} bytes but measured ${total}`);
  }
  sealBatch(buf, 0, total);
  return buf;
}

function timestampOf(r: RecordInput, nowMs: () => number): number {
  const ts = r.timestampMs;
  return ts === undefined || ts === 0 ? nowMs() : ts;
}

/** Returns a function giving the batch's "now", read from the clock at most once per batch. */
function timestampSource(nowMs: number | undefined): () => number {
  if (nowMs !== undefined) {
    checkInteger('nowMs', nowMs, 0, Number.MAX_SAFE_INTEGER);
    return () => nowMs;
  }
  let cached = -1;
  return () => (cached >= 0 ? cached : (cached = systemClock.nowMs()));
}

/**
 * Compresses the records section of `batch` (one uncompressed batch, as buildBatch returns) with
 * `codec`: the header is kept, its compression bits and length set, and the CRC-32C resealed over
 * the compressed bytes (Kafka's layout: only bytes after the 61-byte header are compressed). 'none'
 * returns `batch` itself. Throws INVALID_REQUEST for a batch that is already compressed.
 */
export async function compressBatch(batch: Buffer, codec: CompressionCodec): Promise<Buffer> {
  const id = codecId(codec);
  if (id === 0) return batch;
  const attributes = batch.readInt16BE(OFF_ATTRIBUTES);
  if ((attributes & COMPRESSION_MASK) !== 0) throw new SamsaError('INVALID_REQUEST', 'the batch is already compressed');
  const records = await compress(codec, batch.subarray(BATCH_HEADER_SIZE));
  const total = BATCH_HEADER_SIZE + records.length;
  if (total - LOG_OVERHEAD > INT32_MAX)
    throw new SamsaError('RECORD_TOO_LARGE', `a compressed batch of ${total} bytes is more than a batch can hold`);
  const out = Buffer.allocUnsafe(total);
  batch.copy(out, 0, 0, BATCH_HEADER_SIZE);
  records.copy(out, BATCH_HEADER_SIZE);
  out.writeInt32BE(total - LOG_OVERHEAD, OFF_BATCH_LENGTH);
  out.writeInt16BE((attributes & ~COMPRESSION_MASK) | id, OFF_ATTRIBUTES);
  sealBatch(out, 0, total);
  return out;
}

/** Attribute bit 3: the broker's append time is every record's timestamp (maxTimestamp). */
const TIMESTAMP_TYPE_LOG_APPEND = 0x08;

/**
 * The batch `header` describes, holding only `records` (a non-empty subset of its records, in
 * offset order): what the log cleaner writes in place of a batch some of whose records it drops.
 * As Kafka's MemoryRecords.filterTo, the base offset, last offset delta, leader epoch, producer
 * id/epoch/base sequence, attributes and codec stay, so the batch spans the same offsets (a
 * producer's last sequence still maps to its last offset) and each record keeps its offset delta;
 * the records are compressed again with the batch's codec (or `codec`: the leader recompressing to
 * a topic's compression.type). The base timestamp stays too (record
 * deltas are relative to it); maxTimestamp becomes the largest kept record's, except for a
 * LogAppendTime batch, whose maxTimestamp is every record's timestamp.
 */
export async function rebuildBatch(
  header: BatchHeader,
  records: readonly DecodedRecord[],
  codec: CompressionCodec = CODECS[header.attributes & COMPRESSION_MASK] ?? 'none',
): Promise<Buffer> {
  if (records.length === 0) throw new SamsaError('INTERNAL_ERROR', 'a rebuilt batch needs at least one record');
  const base = header.baseOffset;
  const baseTimestamp = header.baseTimestamp;
  const logAppendTime = (header.attributes & TIMESTAMP_TYPE_LOG_APPEND) !== 0;
  let maxTimestamp = logAppendTime ? header.maxTimestamp : -1;
  const bodySizes = new Float64Array(records.length);
  let total = BATCH_HEADER_SIZE;
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as DecodedRecord;
    const offsetDelta = r.offset - base;
    if (offsetDelta < 0 || offsetDelta > header.lastOffsetDelta) {
      throw new SamsaError(
        'INTERNAL_ERROR',
        `record at offset ${r.offset} is outside the batch [${base}, ${base + header.lastOffsetDelta}]`,
      );
    }
    if (!logAppendTime && r.timestampMs > maxTimestamp) maxTimestamp = r.timestampMs;
    const body = recordBodySize(r.timestampMs - baseTimestamp, offsetDelta, r.key, r.value, r.headers);
    bodySizes[i] = body;
    total += recordSize(body);
  }
  const buf = Buffer.allocUnsafe(total);
  writeSafeInt64(buf, OFF_BASE_OFFSET, base);
  buf.writeInt32BE(total - LOG_OVERHEAD, OFF_BATCH_LENGTH);
  buf.writeInt32BE(header.partitionLeaderEpoch, OFF_LEADER_EPOCH);
  buf.writeInt8(MAGIC_V2, OFF_MAGIC);
  buf.writeUInt32BE(0, OFF_CRC);
  buf.writeInt16BE(header.attributes & ~COMPRESSION_MASK, OFF_ATTRIBUTES);
  buf.writeInt32BE(header.lastOffsetDelta, OFF_LAST_OFFSET_DELTA);
  writeSafeInt64(buf, OFF_BASE_TIMESTAMP, baseTimestamp);
  writeSafeInt64(buf, OFF_MAX_TIMESTAMP, maxTimestamp);
  writeSafeInt64(buf, OFF_PRODUCER_ID, header.producerId);
  buf.writeInt16BE(header.producerEpoch, OFF_PRODUCER_EPOCH);
  buf.writeInt32BE(header.baseSequence, OFF_BASE_SEQUENCE);
  buf.writeInt32BE(records.length, OFF_RECORD_COUNT);
  let pos = BATCH_HEADER_SIZE;
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as DecodedRecord;
    pos = writeRecord(buf, pos, bodySizes[i] as number, r.timestampMs - baseTimestamp, r.offset - base, r.key, r.value, r.headers);
  }
  if (pos !== total) throw new SamsaError('INTERNAL_ERROR', `batch rebuild wrote ${pos} bytes but measured ${total}`);
  sealBatch(buf, 0, total);
  return compressBatch(buf, codec);
}
