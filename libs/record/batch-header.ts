/**
 * The record batch header: Samsa's on-disk and on-wire unit, laid out as Kafka's v2 record batch.
 * All integers are big-endian.
 *
 *   offset  size  field
 *   0       8     baseOffset            int64   offset of the first record (stamped by the leader)
 *   8       4     batchLength           int32   bytes after this field (= total size - 12)
 *   12      4     partitionLeaderEpoch  int32   stamped by the leader
 *   16      1     magic                 int8    always 2
 *   17      4     crc                   uint32  CRC-32C of bytes [21, end)
 *   21      2     attributes            int16   bits 0-2 compression (0 none, 1 gzip, 2 snappy, 3 lz4,
 *                                               4 zstd: compression.ts), bit 3 timestamp type,
 *                                               bit 4 transactional, bit 5 control
 *   23      4     lastOffsetDelta       int32   offset of the last record minus baseOffset
 *   27      8     baseTimestamp         int64   ms since epoch
 *   35      8     maxTimestamp          int64
 *   43      8     producerId            int64   -1 when not idempotent
 *   51      2     producerEpoch         int16
 *   53      4     baseSequence          int32
 *   57      4     recordCount           int32
 *   61      ...   records (see records.ts)
 *
 * Because baseOffset, batchLength and partitionLeaderEpoch sit before the CRC'd range, the leader
 * stamps offsets and epoch without recomputing the CRC: the broker never decodes records on the
 * hot path. Header readers here touch only the 61 header bytes.
 */
import { SamsaError } from '../errors/index.js';
import { crc32c } from './crc32c.js';

export const BATCH_HEADER_SIZE = 61;
/** Bytes before batchLength's range: baseOffset (8) + batchLength (4). */
export const LOG_OVERHEAD = 12;
export const MAGIC_V2 = 2;

export const OFF_BASE_OFFSET = 0;
export const OFF_BATCH_LENGTH = 8;
export const OFF_LEADER_EPOCH = 12;
export const OFF_MAGIC = 16;
export const OFF_CRC = 17;
export const OFF_ATTRIBUTES = 21;
export const OFF_LAST_OFFSET_DELTA = 23;
export const OFF_BASE_TIMESTAMP = 27;
export const OFF_MAX_TIMESTAMP = 35;
export const OFF_PRODUCER_ID = 43;
export const OFF_PRODUCER_EPOCH = 51;
export const OFF_BASE_SEQUENCE = 53;
export const OFF_RECORD_COUNT = 57;
/** Start of the CRC-32C'd range. */
export const CRC_START = OFF_ATTRIBUTES;

export const COMPRESSION_MASK = 0x07;
/** The highest codec id in use (4, zstd); 5-7 are refused. Codecs: compression.ts. */
export const MAX_COMPRESSION_CODEC = 4;

export interface BatchHeader {
  baseOffset: number;
  /** Total size of the batch in bytes, header included (batchLength + 12). */
  sizeInBytes: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Reads an int64 that must fit in a JS number exactly; larger values are corrupt for Samsa. */
export function readSafeInt64(buf: Buffer, pos: number): number {
  const v = buf.readBigInt64BE(pos);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new SamsaError('CORRUPT_MESSAGE', `int64 at byte ${pos} is outside the safe integer range`);
  }
  return Number(v);
}

export function writeSafeInt64(buf: Buffer, pos: number, value: number): void {
  buf.writeBigInt64BE(BigInt(value), pos);
}

/**
 * Total size (header included) of the batch starting at `pos`, read from its length field, or -1
 * when fewer than 12 bytes remain. Does not validate anything else.
 */
export function batchSizeAt(buf: Buffer, pos: number): number {
  if (buf.length - pos < LOG_OVERHEAD) return -1;
  return buf.readInt32BE(pos + OFF_BATCH_LENGTH) + LOG_OVERHEAD;
}

/** Parses the 61-byte header at `pos`. The caller ensures 61 bytes are there. */
export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader {
  return {
    baseOffset: readSafeInt64(buf, pos + OFF_BASE_OFFSET),
    sizeInBytes: buf.readInt32BE(pos + OFF_BATCH_LENGTH) + LOG_OVERHEAD,
    partitionLeaderEpoch: buf.readInt32BE(pos + OFF_LEADER_EPOCH),
    magic: buf.readInt8(pos + OFF_MAGIC),
    crc: buf.readUInt32BE(pos + OFF_CRC),
    attributes: buf.readInt16BE(pos + OFF_ATTRIBUTES),
    lastOffsetDelta: buf.readInt32BE(pos + OFF_LAST_OFFSET_DELTA),
    baseTimestamp: readSafeInt64(buf, pos + OFF_BASE_TIMESTAMP),
    maxTimestamp: readSafeInt64(buf, pos + OFF_MAX_TIMESTAMP),
    producerId: readSafeInt64(buf, pos + OFF_PRODUCER_ID),
    producerEpoch: buf.readInt16BE(pos + OFF_PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + OFF_BASE_SEQUENCE),
    recordCount: buf.readInt32BE(pos + OFF_RECORD_COUNT),
  };
}

/** Offset of the last record in the batch at `pos`. */
export function lastOffsetOf(buf: Buffer, pos = 0): number {
  return readSafeInt64(buf, pos + OFF_BASE_OFFSET) + buf.readInt32BE(pos + OFF_LAST_OFFSET_DELTA);
}

/**
 * Checks one batch that occupies exactly `batch` (a producer's batch, or one read back from disk):
 * size field matches, magic is 2, counts are sane, CRC-32C matches. Throws CORRUPT_MESSAGE saying
 * what is wrong; returns the parsed header. Does not decode records, and does not decompress: for a
 * compressed batch the CRC covers the compressed bytes (as in Kafka) and only the codec id is checked.
 */
export function validateBatch(batch: Buffer): BatchHeader {
  return checkBatch(batch, false);
}

/**
 * As validateBatch, for a batch read from a log rather than sent by a producer: the log cleaner
 * (libs/log/cleaner.ts) keeps a batch's base offset and last offset delta while dropping records
 * (Kafka's layout after compaction), so `recordCount` may be smaller than `lastOffsetDelta + 1`.
 * Followers, recovery and readers accept that; a producer's batch never may.
 */
export function validateStoredBatch(batch: Buffer): BatchHeader {
  return checkBatch(batch, true);
}

function checkBatch(batch: Buffer, compacted: boolean): BatchHeader {
  if (batch.length < BATCH_HEADER_SIZE) {
    throw new SamsaError('CORRUPT_MESSAGE', `batch is ${batch.length} bytes, shorter than the ${BATCH_HEADER_SIZE}-byte header`);
  }
  const size = batchSizeAt(batch, 0);
  if (size !== batch.length) {
    throw new SamsaError('CORRUPT_MESSAGE', `batch length field says ${size} bytes but ${batch.length} were sent`);
  }
  const magic = batch.readInt8(OFF_MAGIC);
  if (magic !== MAGIC_V2) throw new SamsaError('CORRUPT_MESSAGE', `batch magic is ${magic}, expected ${MAGIC_V2}`);
  const header = readBatchHeader(batch, 0);
  const codec = header.attributes & COMPRESSION_MASK;
  if (codec > MAX_COMPRESSION_CODEC) {
    throw new SamsaError(
      'CORRUPT_MESSAGE',
      `batch attributes name compression codec ${codec}; Kafka's codecs are 0-${MAX_COMPRESSION_CODEC} (none, gzip, snappy, lz4, zstd)`,
    );
  }
  if (header.recordCount < 1) throw new SamsaError('CORRUPT_MESSAGE', `batch holds ${header.recordCount} records`);
  if (compacted ? header.lastOffsetDelta < header.recordCount - 1 : header.lastOffsetDelta !== header.recordCount - 1) {
    throw new SamsaError('CORRUPT_MESSAGE', `lastOffsetDelta ${header.lastOffsetDelta} does not match ${header.recordCount} records`);
  }
  const actual = crc32c(batch.subarray(CRC_START));
  if (actual !== header.crc) {
    throw new SamsaError('CORRUPT_MESSAGE', `batch CRC-32C is ${header.crc.toString(16)} but the bytes give ${actual.toString(16)}`);
  }
  return header;
}

/** Stamps base offset and leader epoch in place (outside the CRC'd range, so the CRC stays valid). */
export function stampBatch(batch: Buffer, baseOffset: number, leaderEpoch: number, pos = 0): void {
  writeSafeInt64(batch, pos + OFF_BASE_OFFSET, baseOffset);
  batch.writeInt32BE(leaderEpoch, pos + OFF_LEADER_EPOCH);
}

/** Recomputes and writes the CRC of the batch at `pos` whose size is `size` (builders call this last). */
export function sealBatch(batch: Buffer, pos = 0, size = batch.length - pos): void {
  batch.writeUInt32BE(crc32c(batch.subarray(pos + CRC_START, pos + size)), pos + OFF_CRC);
}

/**
 * The number of records in a run of whole batches, summed from their headers' record counts: no
 * record is decoded and no CRC is checked (for metrics on the hot path). A trailing partial batch,
 * or one whose length field is shorter than a header, ends the count.
 */
export function countRecords(bytes: Buffer): number {
  let count = 0;
  let pos = 0;
  while (bytes.length - pos >= BATCH_HEADER_SIZE) {
    const size = batchSizeAt(bytes, pos);
    if (size < BATCH_HEADER_SIZE || pos + size > bytes.length) break;
    count += bytes.readInt32BE(pos + OFF_RECORD_COUNT);
    pos += size;
  }
  return count;
}
