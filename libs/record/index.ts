/**
 * The record batch codec: Kafka's v2 record batch as Samsa's one format on the wire and on disk.
 * The public face of libs/record; import this file, not the modules behind it.
 *
 *   batch-header.ts   the 61-byte header: validate, stamp, seal, read
 *   validated-batch.ts a producer's batch with its header, checked once and carried to the log
 *   records.ts        the varint-encoded records after the header
 *   batch-builder.ts  records -> one batch (buildBatch)
 *   batch-reader.ts   batches -> records (decodeBatch, decodeRecordsFrom, iterateBatches)
 *   compression.ts    the four codecs of attributes bits 0-2 (gzip, snappy, lz4, zstd), bounded
 *   lz4-frame.ts      the LZ4 frame decoder behind compression.ts
 *   varint.ts         zigzag varint / varlong
 *   crc32c.ts         CRC-32C
 *
 * Byte layout for client authors in other languages: docs/record-batch.md.
 */
export * from './batch-header.js';
export { validatedBatch, builtBatch, batchWithHeader, type ValidatedBatch } from './validated-batch.js';
export { crc32c } from './crc32c.js';
export {
  VARLONG_MAX,
  VARLONG_MIN,
  MAX_VARLONG_SIZE,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
  readVarint,
  readVarlong,
  encodeVarint,
  encodeVarlong,
  type ReadCursor,
} from './varint.js';
export type { RecordHeader, DecodedRecord } from './records.js';
export { buildBatch, compressBatch, rebuildBatch, type RecordInput, type BuildBatchOptions } from './batch-builder.js';
export {
  decodeBatch,
  iterateBatches,
  decodeRecordsFrom,
  forEachRecordFrom,
  type BatchPosition,
  type DecodeOptions,
  type RecordSink,
} from './batch-reader.js';
export { CODECS, DEFAULT_MAX_DECOMPRESSED_BYTES, codecId, compress, decompress, type CompressionCodec } from './compression.js';
