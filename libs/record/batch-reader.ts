/**
 * Reads v2 record batches back: one batch into records, a run of concatenated batches (what a
 * Fetch returns and what a segment holds) into batch headers or records. Layouts: batch-header.ts
 * and records.ts.
 *
 * Decoded keys, values and header values are views into the input (no copies): they stay valid
 * only as long as the caller does not reuse the input buffer.
 */
import { SamsaError } from '../errors/index.js';
import {
  BATCH_HEADER_SIZE,
  COMPRESSION_MASK,
  MAGIC_V2,
  OFF_MAGIC,
  batchSizeAt,
  lastOffsetOf,
  readBatchHeader,
  validateStoredBatch,
  type BatchHeader,
} from './batch-header.js';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, decompress } from './compression.js';
import { readRecordInto, type DecodedRecord, type RecordContext } from './records.js';
import type { ReadCursor } from './varint.js';

export type { DecodedRecord, RecordHeader } from './records.js';

/** Attribute bit 3: the broker's append time is every record's timestamp (maxTimestamp). */
const TIMESTAMP_TYPE_LOG_APPEND = 0x08;

export interface DecodeOptions {
  /**
   * The most bytes one compressed batch's records may decompress to; a batch that would pass it is
   * refused with CORRUPT_MESSAGE before it is expanded. Default DEFAULT_MAX_DECOMPRESSED_BYTES (64 MiB).
   */
  maxDecompressedBytes?: number;
}

/** One complete batch inside a run of concatenated batches. */
export interface BatchPosition {
  /** Byte position of the batch's first byte in the run. */
  position: number;
  header: BatchHeader;
}

/**
 * Decodes every record of the one batch that occupies exactly `batch`, in offset order. Checks
 * what validateStoredBatch checks (length field, magic, counts, CRC-32C) and that the records fill
 * the batch exactly, with strictly increasing offset deltas up to lastOffsetDelta (0, 1, 2, ... as
 * produced; with gaps once the log cleaner dropped records). Throws
 * CORRUPT_MESSAGE otherwise. A compressed batch (codecs in compression.ts) is decompressed, within
 * `options.maxDecompressedBytes`; its decoded keys and values are views into the decompressed copy.
 */
export function decodeBatch(batch: Buffer, options: DecodeOptions = {}): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  decodeInto(batch, validateStoredBatch(batch), 0, collect(out), options.maxDecompressedBytes);
  return out;
}

/**
 * Receives the records of {@link forEachRecordFrom} one at a time, in one object that is reused for
 * every record: copy out the fields to keep (key, value and the headers array are the record's own).
 * Returning false stops the reading.
 */
export type RecordSink = (record: Readonly<DecodedRecord>) => boolean | void;

/** A sink that keeps a copy of every record in `out`. */
function collect(out: DecodedRecord[]): RecordSink {
  return (r) => {
    out.push({ offset: r.offset, timestampMs: r.timestampMs, key: r.key, value: r.value, headers: r.headers, leaderEpoch: r.leaderEpoch });
  };
}

/**
 * Yields the complete batches of `bytes`, a run of concatenated batches starting at byte 0, with
 * their parsed headers. Stops silently at a trailing partial batch (a read may end mid-batch).
 * Reads headers only: CRCs and records are not checked. Throws CORRUPT_MESSAGE for a batch whose
 * length field is shorter than a header or whose magic is not 2, since nothing after it can be
 * located.
 */
export function* iterateBatches(bytes: Buffer): Generator<BatchPosition, void, undefined> {
  let position = 0;
  for (;;) {
    const size = completeBatchSizeAt(bytes, position);
    if (size < 0) return;
    yield { position, header: readBatchHeader(bytes, position) };
    position += size;
  }
}

/**
 * Decodes the records with offset >= `fromOffset` from a run of concatenated batches, in order;
 * an empty array when there are none. A Fetch may begin with a batch that starts before the
 * requested offset: its earlier records are skipped, and batches wholly below `fromOffset` are
 * skipped without being decoded or CRC-checked. A trailing partial batch is ignored. Every batch
 * that is decoded is checked as by {@link decodeBatch} (CORRUPT_MESSAGE).
 */
export function decodeRecordsFrom(bytes: Buffer, fromOffset: number, options: DecodeOptions = {}): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  forEachRecordFrom(bytes, fromOffset, collect(out), options);
  return out;
}

/**
 * As {@link decodeRecordsFrom}, handing each record to `sink` instead of making an object of it: for
 * a reader that builds its own record objects (the SDK consumer), one object per record fewer.
 * Returns false when the sink stopped the reading, true when every record was read. Checks as
 * decodeRecordsFrom does, record by record: when it throws, records before the corrupt one may have
 * been handed out already.
 */
export function forEachRecordFrom(bytes: Buffer, fromOffset: number, sink: RecordSink, options: DecodeOptions = {}): boolean {
  let position = 0;
  for (;;) {
    const size = completeBatchSizeAt(bytes, position);
    if (size < 0) return true;
    if (lastOffsetOf(bytes, position) >= fromOffset) {
      const batch = bytes.subarray(position, position + size);
      if (!decodeInto(batch, validateStoredBatch(batch), fromOffset, sink, options.maxDecompressedBytes)) return false;
    }
    position += size;
  }
}

/**
 * Size of the complete batch at `position`, or -1 when what remains is shorter than the batch
 * (or than its length field). Throws CORRUPT_MESSAGE when the batch cannot be a v2 batch.
 */
function completeBatchSizeAt(bytes: Buffer, position: number): number {
  const size = batchSizeAt(bytes, position);
  if (size < 0) return -1;
  if (size < BATCH_HEADER_SIZE) {
    throw new SamsaError(
      'CORRUPT_MESSAGE',
      `batch at byte ${position} claims ${size} bytes, less than its ${BATCH_HEADER_SIZE}-byte header`,
    );
  }
  if (size > bytes.length - position) return -1;
  const magic = bytes.readInt8(position + OFF_MAGIC);
  if (magic !== MAGIC_V2) throw new SamsaError('CORRUPT_MESSAGE', `batch at byte ${position} has magic ${magic}, expected ${MAGIC_V2}`);
  return size;
}

/**
 * Hands the records of a validated batch with offset >= fromOffset to `sink` as they are read; false
 * when the sink stopped (the batch's later records then go unchecked). A throw may come after some
 * of the batch's records were handed out: callers drop what they collected. A compressed batch is
 * decompressed first, refused (CORRUPT_MESSAGE) when its records would pass `maxDecompressedBytes`.
 */
function decodeInto(
  batch: Buffer,
  header: BatchHeader,
  fromOffset: number,
  sink: RecordSink,
  maxDecompressedBytes = DEFAULT_MAX_DECOMPRESSED_BYTES,
): boolean {
  const compression = header.attributes & COMPRESSION_MASK;
  let records = batch;
  let start = BATCH_HEADER_SIZE;
  if (compression !== 0) {
    try {
      records = decompress(compression, batch.subarray(BATCH_HEADER_SIZE), maxDecompressedBytes);
    } catch (err) {
      if (err instanceof SamsaError) throw new SamsaError(err.reason, `batch at offset ${header.baseOffset}: ${err.message}`);
      throw err;
    }
    start = 0;
  }
  const ctx: RecordContext = {
    baseOffset: header.baseOffset,
    baseTimestamp: header.baseTimestamp,
    leaderEpoch: header.partitionLeaderEpoch,
    logAppendTimeMs: (header.attributes & TIMESTAMP_TYPE_LOG_APPEND) !== 0 ? header.maxTimestamp : -1,
  };
  const cursor: ReadCursor = { pos: start };
  const record: DecodedRecord = { offset: 0, timestampMs: 0, key: null, value: null, headers: [], leaderEpoch: 0 };
  const end = records.length;
  // Offset deltas strictly increase up to lastOffsetDelta; a compacted batch has gaps between them.
  let previous = -1;
  for (let i = 0; i < header.recordCount; i++) {
    if (cursor.pos >= end) {
      throw new SamsaError('CORRUPT_MESSAGE', `batch at offset ${header.baseOffset} says ${header.recordCount} records but holds ${i}`);
    }
    readRecordInto(records, cursor, end, ctx, record);
    const delta = record.offset - header.baseOffset;
    if (delta <= previous || delta > header.lastOffsetDelta) {
      throw new SamsaError(
        'CORRUPT_MESSAGE',
        `record ${i} of batch at offset ${header.baseOffset} has offset delta ${delta} (after ${previous}, last ${header.lastOffsetDelta})`,
      );
    }
    previous = delta;
    if (record.offset >= fromOffset && sink(record) === false) return false;
  }
  if (cursor.pos !== end) {
    throw new SamsaError(
      'CORRUPT_MESSAGE',
      `batch at offset ${header.baseOffset} has ${end - cursor.pos} bytes after its ${header.recordCount} records`,
    );
  }
  return true;
}
