/**
 * A chunk: records of one partition handed to a handler together, in offset order. It comes in
 * one of two bodies:
 *
 * - `messages`: records decoded already (the group consumer's stream carries them structured; the
 *   assigned consumer decodes them when handlers run on its own thread);
 * - `batches`: the v2 record batch bytes as the broker streamed them, not decoded (the assigned
 *   consumer feeding worker threads: the worker decodes, so the consumer's thread never does).
 *
 * To reach a worker a chunk becomes one ArrayBuffer that is transferred, not cloned per record:
 * the batch bytes copied once into a buffer of their own (a gRPC message's Buffer may be a view
 * into memory the transport reuses, so it is never transferred itself), or decoded records packed
 * into one buffer in this layout (little-endian):
 *
 *   count u32, then per record:
 *     offset f64 | timestampMs f64 | leaderEpoch i32 | keyLength i32 (-1: null) | key
 *     | valueLength i32 (-1: null) | value | headerCount u32
 *     | per header: keyLength u32 | key (UTF-8) | valueLength u32 | value
 *
 * Records decoded from a transferred buffer are views into it (no copies).
 */
import { SamsaError } from '../../errors/index.js';
import { forEachRecordFrom, iterateBatches } from '../../record/index.js';
import type { ConsumedMessage } from '../consumer/partition-stream.js';

export interface RecordChunk {
  topic: string;
  partition: number;
  /** Offset of the first record to handle. */
  first: number;
  /** Offset of the last record (inclusive). */
  last: number;
  body: { kind: 'messages'; messages: ConsumedMessage[] } | { kind: 'batches'; bytes: Buffer; end: number };
}

/** A chunk as posted to a worker: `buffer` goes in the transfer list. */
export interface WireChunk {
  topic: string;
  partition: number;
  first: number;
  last: number;
  kind: 'batches' | 'packed';
  /** For 'batches': records at or after this offset are not the chunk's. */
  end: number;
  buffer: ArrayBuffer;
}

export function messagesChunk(messages: ConsumedMessage[]): RecordChunk {
  const first = messages[0] as ConsumedMessage;
  return {
    topic: first.topic,
    partition: first.partition,
    first: first.offset,
    last: (messages[messages.length - 1] as ConsumedMessage).offset,
    body: { kind: 'messages', messages },
  };
}

/**
 * A chunk of the records in [from, end) of a run of batches, reading batch headers only; undefined
 * when no complete batch reaches `from`.
 */
export function batchesChunk(topic: string, partition: number, bytes: Buffer, from: number, end: number): RecordChunk | undefined {
  let last = -1;
  for (const { header } of iterateBatches(bytes)) last = Math.max(last, header.baseOffset + header.lastOffsetDelta);
  last = Math.min(last, end - 1);
  if (last < from) return undefined;
  return { topic, partition, first: from, last, body: { kind: 'batches', bytes, end } };
}

/** The chunk's records, decoding batches (views into the bytes). */
export function chunkMessages(chunk: RecordChunk): ConsumedMessage[] {
  if (chunk.body.kind === 'messages') return chunk.body.messages;
  return decodeBatches(chunk.topic, chunk.partition, chunk.body.bytes, chunk.first, chunk.body.end);
}

/**
 * The records with offsets [from, end) of a run of batches, as messages appended to `out` (checked
 * as decodeRecordsFrom checks). True when a record at or past `end` was met. Each message is the one
 * object made per record: key, value and header values are views into `batches`, and its headers
 * array is its own.
 */
export function messagesFromBatches(
  topic: string,
  partition: number,
  batches: Buffer,
  from: number,
  end: number,
  out: ConsumedMessage[],
): boolean {
  let reachedEnd = false;
  forEachRecordFrom(batches, from, (r) => {
    if (r.offset >= end) {
      reachedEnd = true;
      return false;
    }
    out.push({
      topic,
      partition,
      offset: r.offset,
      timestampMs: r.timestampMs,
      key: r.key,
      value: r.value,
      headers: r.headers,
      leaderEpoch: r.leaderEpoch,
    });
    return true;
  });
  return reachedEnd;
}

/**
 * The messages of `chunks`, one array per chunk, each chunk decoded only when the next array is
 * asked for; a chunk with no record for us (a compacted range) is skipped, so no array is empty.
 * `onDecoded` sees each array before it is handed out (tracing). For a reader that holds chunks
 * ahead of its caller (mergeStreams keeps every source's next chunk in hand): undecoded, a held
 * chunk is a few objects over the response bytes instead of an object per record.
 */
export async function* decodeAsTaken(
  chunks: AsyncIterable<RecordChunk>,
  onDecoded?: (chunk: RecordChunk, messages: ConsumedMessage[]) => void,
): AsyncGenerator<ConsumedMessage[], void, undefined> {
  for await (const chunk of chunks) {
    const messages = chunkMessages(chunk);
    if (messages.length === 0) continue;
    onDecoded?.(chunk, messages);
    yield messages;
  }
}

function decodeBatches(topic: string, partition: number, bytes: Buffer, from: number, end: number): ConsumedMessage[] {
  const out: ConsumedMessage[] = [];
  messagesFromBatches(topic, partition, bytes, from, end, out);
  return out;
}

export function toWire(chunk: RecordChunk): WireChunk {
  const base = { topic: chunk.topic, partition: chunk.partition, first: chunk.first, last: chunk.last };
  if (chunk.body.kind === 'batches') {
    const buffer = new ArrayBuffer(chunk.body.bytes.length);
    new Uint8Array(buffer).set(chunk.body.bytes);
    return { ...base, kind: 'batches', end: chunk.body.end, buffer };
  }
  return { ...base, kind: 'packed', end: chunk.last + 1, buffer: packMessages(chunk.body.messages) };
}

export function fromWire(wire: WireChunk): ConsumedMessage[] {
  const bytes = Buffer.from(wire.buffer);
  if (wire.kind === 'batches') return decodeBatches(wire.topic, wire.partition, bytes, wire.first, wire.end);
  return unpackMessages(wire.topic, wire.partition, bytes);
}

const byteLength = (b: Buffer | null): number => (b === null ? 0 : b.length);

export function packMessages(messages: readonly ConsumedMessage[]): ArrayBuffer {
  let size = 4;
  for (const m of messages) {
    size += 8 + 8 + 4 + 4 + byteLength(m.key) + 4 + byteLength(m.value) + 4;
    for (const h of m.headers) size += 4 + Buffer.byteLength(h.key) + 4 + h.value.length;
  }
  const buffer = new ArrayBuffer(size);
  const out = Buffer.from(buffer);
  let at = out.writeUInt32LE(messages.length, 0);
  const bytes = (b: Buffer | null): void => {
    at = out.writeInt32LE(b === null ? -1 : b.length, at);
    if (b !== null) at += b.copy(out, at);
  };
  for (const m of messages) {
    at = out.writeDoubleLE(m.offset, at);
    at = out.writeDoubleLE(m.timestampMs, at);
    at = out.writeInt32LE(m.leaderEpoch, at);
    bytes(m.key);
    bytes(m.value);
    at = out.writeUInt32LE(m.headers.length, at);
    for (const h of m.headers) {
      const key = Buffer.from(h.key);
      at = out.writeUInt32LE(key.length, at);
      at += key.copy(out, at);
      at = out.writeUInt32LE(h.value.length, at);
      at += h.value.copy(out, at);
    }
  }
  return buffer;
}

export function unpackMessages(topic: string, partition: number, bytes: Buffer): ConsumedMessage[] {
  let at = 0;
  const need = (n: number): void => {
    if (at + n > bytes.length)
      throw new SamsaError('CORRUPT_MESSAGE', `packed records end at byte ${bytes.length}, ${n} more needed at byte ${at}`);
  };
  const u32 = (): number => {
    need(4);
    const v = bytes.readUInt32LE(at);
    at += 4;
    return v;
  };
  const slice = (n: number): Buffer => {
    need(n);
    const b = bytes.subarray(at, at + n);
    at += n;
    return b;
  };
  const nullable = (): Buffer | null => {
    need(4);
    const n = bytes.readInt32LE(at);
    at += 4;
    return n < 0 ? null : slice(n);
  };
  const count = u32();
  const out: ConsumedMessage[] = [];
  for (let i = 0; i < count; i++) {
    need(20);
    const offset = bytes.readDoubleLE(at);
    const timestampMs = bytes.readDoubleLE(at + 8);
    const leaderEpoch = bytes.readInt32LE(at + 16);
    at += 20;
    const key = nullable();
    const value = nullable();
    const headerCount = u32();
    const headers = [];
    for (let h = 0; h < headerCount; h++) {
      const name = slice(u32()).toString('utf8');
      headers.push({ key: name, value: slice(u32()) });
    }
    out.push({ topic, partition, offset, timestampMs, key, value, headers, leaderEpoch });
  }
  return out;
}
