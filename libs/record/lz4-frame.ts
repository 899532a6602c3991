/**
 * A bounded decoder for the LZ4 frame format (lz4 frame spec v1.6.x), which is what Kafka's
 * KafkaLZ4BlockOutputStream writes for magic v2 batches (compression codec 3). Written here rather
 * than taken from a library so that the output is capped: a frame is decoded block by block and
 * decoding stops with CORRUPT_MESSAGE as soon as the output would pass `maxBytes`, so a small
 * frame can never expand into memory without bound.
 *
 *   frame   magic 0x184D2204 (LE) | FLG | BD | [content size u64 LE] | [dict id u32 LE] | HC
 *           then blocks, then an end mark 0x00000000, then [content checksum u32 LE]
 *   block   size u32 LE (high bit set: stored uncompressed) | data | [block checksum u32 LE]
 *
 * The header checksum (HC) and the optional xxHash32 checksums are skipped, not verified: the
 * batch CRC-32C already covers the compressed bytes (Kafka's reader verifies none of them either
 * for block checksums). Skippable frames (magic 0x184D2A5?) are skipped. Several frames in a row
 * are decoded one after the other.
 */
import { SamsaError } from '../errors/index.js';

const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const BLOCK_MAX_SIZES: Readonly<Record<number, number>> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };

function corrupt(message: string): SamsaError {
  return new SamsaError('CORRUPT_MESSAGE', `lz4: ${message}`);
}

/** Decodes every frame of `input`; throws CORRUPT_MESSAGE if it is malformed or would exceed `maxBytes`. */
export function lz4FrameDecode(input: Buffer, maxBytes: number): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  let pos = 0;
  while (pos < input.length) {
    if (input.length - pos < 4) throw corrupt(`${input.length - pos} stray bytes after the last frame`);
    const magic = input.readUInt32LE(pos);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (input.length - pos < 8) throw corrupt('truncated skippable frame');
      pos += 8 + input.readUInt32LE(pos + 4);
      continue;
    }
    if (magic !== FRAME_MAGIC) throw corrupt(`frame magic is ${magic.toString(16)}, expected ${FRAME_MAGIC.toString(16)}`);
    pos += 4;
    if (input.length - pos < 3) throw corrupt('truncated frame descriptor');
    const flg = input[pos] as number;
    const bd = input[pos + 1] as number;
    if (flg >> 6 !== 1) throw corrupt(`frame version ${flg >> 6}, expected 1`);
    const blockChecksum = (flg & 0x10) !== 0;
    const contentSize = (flg & 0x08) !== 0;
    const contentChecksum = (flg & 0x04) !== 0;
    const dictId = (flg & 0x01) !== 0;
    const blockMax = BLOCK_MAX_SIZES[(bd >> 4) & 0x07];
    if (blockMax === undefined) throw corrupt(`block max size code ${(bd >> 4) & 0x07} is not 4-7`);
    pos += 2 + (contentSize ? 8 : 0) + (dictId ? 4 : 0) + 1;
    if (pos > input.length) throw corrupt('truncated frame descriptor');
    for (;;) {
      if (input.length - pos < 4) throw corrupt('truncated block size');
      const word = input.readUInt32LE(pos);
      pos += 4;
      if (word === 0) break;
      const stored = (word & 0x80000000) !== 0;
      const size = word & 0x7fffffff;
      if (size > blockMax || size > input.length - pos)
        throw corrupt(`block of ${size} bytes does not fit (max ${blockMax}, ${input.length - pos} left)`);
      const block = input.subarray(pos, pos + size);
      pos += size + (blockChecksum ? 4 : 0);
      const room = Math.min(blockMax, maxBytes - total);
      const out = stored ? Buffer.from(block) : decodeBlock(block, room, maxBytes);
      if (stored && out.length > room) throw tooLarge(maxBytes);
      total += out.length;
      parts.push(out);
    }
    pos += contentChecksum ? 4 : 0;
    if (pos > input.length) throw corrupt('truncated content checksum');
  }
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, total);
}

function tooLarge(maxBytes: number): SamsaError {
  return corrupt(`decompressed data exceeds the limit of ${maxBytes} bytes`);
}

/** Decodes one LZ4 block (independent: no reference before its own output) of at most `room` bytes. */
function decodeBlock(src: Buffer, room: number, maxBytes: number): Buffer {
  const dst = Buffer.allocUnsafe(Math.max(0, room));
  let s = 0;
  let d = 0;
  const end = src.length;
  while (s < end) {
    const token = src[s++] as number;
    let literals = token >> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (s >= end) throw corrupt('truncated literal length');
        b = src[s++] as number;
        literals += b;
      } while (b === 255);
    }
    if (literals > end - s) throw corrupt('literals run past the block');
    if (literals > room - d) throw tooLarge(maxBytes);
    src.copy(dst, d, s, s + literals);
    s += literals;
    d += literals;
    if (s === end) break; // the last sequence has literals only
    if (end - s < 2) throw corrupt('truncated match offset');
    const offset = (src[s] as number) | ((src[s + 1] as number) << 8);
    s += 2;
    if (offset === 0 || offset > d) throw corrupt(`match offset ${offset} reaches before the block start`);
    let length = (token & 0x0f) + 4;
    if ((token & 0x0f) === 15) {
      let b: number;
      do {
        if (s >= end) throw corrupt('truncated match length');
        b = src[s++] as number;
        length += b;
      } while (b === 255);
    }
    if (length > room - d) throw tooLarge(maxBytes);
    let from = d - offset;
    if (offset >= length && length > 16) {
      dst.copyWithin(d, from, from + length);
      d += length;
    } else {
      // Byte by byte: a match may overlap its own output (offset < length); short ones are cheaper so.
      for (let i = 0; i < length; i++) dst[d++] = dst[from++] as number;
    }
  }
  return dst.subarray(0, d);
}
