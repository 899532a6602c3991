/**
 * Kafka's four compression codecs for the records section of a v2 batch (attributes bits 0-2):
 *
 *   id  name    bytes after the 61-byte header                     library (ADR 0018)
 *   0   none    the records as they are
 *   1   gzip    one gzip member (RFC 1952)                          node:zlib
 *   2   snappy  xerial framing of raw snappy blocks (what Kafka's   snappy (napi-rs prebuilt)
 *               Java client writes); a bare raw snappy block is
 *               also read
 *   3   lz4     LZ4 frame format (KafkaLZ4BlockOutputStream)        lz4-napi to write, lz4-frame.ts to read
 *   4   zstd    zstd frames                                         @mongodb-js/zstd to write, fzstd to read
 *
 * Xerial framing: the 8 bytes 82 'SNAPPY' 00, int32 BE version (1), int32 BE compatible version (1),
 * then blocks of int32 BE compressed length + raw snappy block (Kafka writes 32 KiB blocks).
 *
 * Compressing is asynchronous (the native libraries and zlib run it off the event loop).
 * Decompressing is synchronous and bounded: every codec stops with CORRUPT_MESSAGE as soon as the
 * output would pass `maxBytes`, before allocating more than that, so a decompression bomb is
 * refused rather than expanded (gzip: zlib's maxOutputLength; snappy: each block's length
 * preamble is checked before it is expanded; lz4: lz4-frame.ts caps per block; zstd: fzstd's
 * streaming decoder fed in 64 KiB pieces, stopped at the cap).
 */
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { SamsaError } from '../errors/index.js';
import { lz4FrameDecode } from './lz4-frame.js';

export type CompressionCodec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** The codec names in attribute-id order: CODECS[id] is the codec with that id. */
export const CODECS: readonly CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/**
 * The default bound on one batch's decompressed records: 64 MiB, the largest gRPC message Samsa
 * accepts (libs/rpc/options.ts), so no batch a reader could be sent uncompressed is refused.
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

export function codecId(codec: CompressionCodec): number {
  const id = CODECS.indexOf(codec);
  if (id < 0) throw new SamsaError('INVALID_REQUEST', `compression '${String(codec)}' is not one of ${CODECS.join(', ')}`);
  return id;
}

// Native modules are CommonJS; loaded lazily so a process that never compresses never loads them.
const requireNative = createRequire(import.meta.url);
interface SnappyModule {
  compress(data: Buffer): Promise<Buffer>;
  uncompressSync(data: Buffer): Buffer | string;
}
interface Lz4Module {
  compressFrame(data: Buffer): Promise<Buffer>;
}
interface ZstdModule {
  compress(data: Buffer, level?: number): Promise<Buffer>;
}
let snappyModule: SnappyModule | undefined;
let lz4Module: Lz4Module | undefined;
let zstdModule: ZstdModule | undefined;
const snappy = (): SnappyModule => (snappyModule ??= requireNative('snappy') as SnappyModule);
const lz4 = (): Lz4Module => (lz4Module ??= requireNative('lz4-napi') as Lz4Module);
const zstd = (): ZstdModule => (zstdModule ??= requireNative('@mongodb-js/zstd') as ZstdModule);

const gzipAsync = promisify(gzip);

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
const XERIAL_BLOCK_SIZE = 32 * 1024;
/** zstd level 3, zstd's own default and Kafka's. */
const ZSTD_LEVEL = 3;
const ZSTD_FEED = 64 * 1024;

/** Compresses `data` with `codec` ('none' returns `data` itself). */
export async function compress(codec: CompressionCodec, data: Buffer): Promise<Buffer> {
  switch (codec) {
    case 'none':
      return data;
    case 'gzip':
      return gzipAsync(data);
    case 'snappy':
      return xerialCompress(data);
    case 'lz4':
      return lz4().compressFrame(data);
    case 'zstd':
      return zstd().compress(data, ZSTD_LEVEL);
  }
}

/**
 * Decompresses `data` written with codec `id` (0-4). Throws CORRUPT_MESSAGE for an unknown id,
 * data the codec cannot decode, or output that would exceed `maxBytes`.
 */
export function decompress(id: number, data: Buffer, maxBytes = DEFAULT_MAX_DECOMPRESSED_BYTES): Buffer {
  try {
    switch (id) {
      case 0:
        if (data.length > maxBytes) throw tooLarge('none', maxBytes);
        return data;
      case 1:
        return gunzipSync(data, { maxOutputLength: maxBytes });
      case 2:
        return snappyDecompress(data, maxBytes);
      case 3:
        return lz4FrameDecode(data, maxBytes);
      case 4:
        return zstdDecompress(data, maxBytes);
      default:
        throw new SamsaError('CORRUPT_MESSAGE', `compression codec ${id} is not one of 0-4 (${CODECS.join(', ')})`);
    }
  } catch (err) {
    if (err instanceof SamsaError) throw err;
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(CODECS[id] ?? String(id), maxBytes);
    throw new SamsaError('CORRUPT_MESSAGE', `${CODECS[id] ?? id}: cannot decompress: ${(err as Error).message}`);
  }
}

function tooLarge(codec: string, maxBytes: number): SamsaError {
  return new SamsaError('CORRUPT_MESSAGE', `${codec}: decompressed data exceeds the limit of ${maxBytes} bytes`);
}

async function xerialCompress(data: Buffer): Promise<Buffer> {
  const blocks: Promise<Buffer>[] = [];
  for (let pos = 0; pos < data.length; pos += XERIAL_BLOCK_SIZE)
    blocks.push(snappy().compress(data.subarray(pos, pos + XERIAL_BLOCK_SIZE)));
  const compressed = await Promise.all(blocks);
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  const parts: Buffer[] = [header];
  for (const block of compressed) {
    const length = Buffer.allocUnsafe(4);
    length.writeInt32BE(block.length, 0);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

function snappyDecompress(data: Buffer, maxBytes: number): Buffer {
  const xerial = data.length >= XERIAL_HEADER_SIZE && data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
  if (!xerial) return snappyBlock(data, maxBytes, maxBytes);
  const parts: Buffer[] = [];
  let total = 0;
  let pos = XERIAL_HEADER_SIZE;
  while (pos < data.length) {
    if (data.length - pos < 4) throw new SamsaError('CORRUPT_MESSAGE', 'snappy: truncated xerial block length');
    const size = data.readInt32BE(pos);
    pos += 4;
    if (size < 0 || size > data.length - pos)
      throw new SamsaError('CORRUPT_MESSAGE', `snappy: xerial block of ${size} bytes with ${data.length - pos} left`);
    const block = snappyBlock(data.subarray(pos, pos + size), maxBytes - total, maxBytes);
    pos += size;
    total += block.length;
    parts.push(block);
  }
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, total);
}

/** One raw snappy block: its varint preamble (the uncompressed length) is checked before expanding. */
function snappyBlock(block: Buffer, room: number, maxBytes: number): Buffer {
  let length = 0;
  let shift = 0;
  let pos = 0;
  for (;;) {
    if (pos >= block.length || pos >= 5) throw new SamsaError('CORRUPT_MESSAGE', 'snappy: bad length preamble');
    const b = block[pos++] as number;
    length += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) break;
  }
  if (length > room) throw tooLarge('snappy', maxBytes);
  const out = snappy().uncompressSync(block);
  return typeof out === 'string' ? Buffer.from(out) : out;
}

function zstdDecompress(data: Buffer, maxBytes: number): Buffer {
  const parts: Uint8Array[] = [];
  let total = 0;
  let over = false;
  const stream = new ZstdDecompress((chunk) => {
    total += chunk.length;
    if (total > maxBytes) over = true;
    else parts.push(chunk.slice()); // a copy: the decoder may reuse its window
  });
  for (let pos = 0; pos < data.length && !over; pos += ZSTD_FEED) {
    stream.push(data.subarray(pos, pos + ZSTD_FEED), pos + ZSTD_FEED >= data.length);
  }
  if (over) throw tooLarge('zstd', maxBytes);
  if (data.length === 0) throw new SamsaError('CORRUPT_MESSAGE', 'zstd: no data');
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
