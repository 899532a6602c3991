/**
 * A partition's waiting chunks (each send()'s records for that partition) and how a request takes
 * from them: the next request carries the waiting records in order, chunk after chunk, up to
 * maxBatchBytes (size estimates), and when the next chunk does not fit whole it takes the records
 * of it that fit and leaves the rest at the head of the queue for the request after (issue 17: a
 * request that stops at a chunk boundary goes out short, and the 1 KiB bench's sends of 1,000
 * records came out as requests of 879 and 121; requests that fill up to maxBatchBytes gave +27 %
 * records/s at RF=1 and +18 % at RF=3, docs/benchmarks.md, thirteenth session).
 *
 * A chunk may so be carried by several requests (its parts, consecutive ranges of its records).
 * It settles once every part has: resolved with one RecordMetadata per part in record order, or,
 * when any part failed, rejected with the first failure (the other parts are still sent, as the
 * chunks of one send() to different partitions are). A request never mixes acks; every request
 * carries at least one record, so a record larger than maxBatchBytes goes alone, as before.
 *
 * Sequence numbers of an idempotent producer are not this module's: the producer numbers a batch
 * when it builds it from the parts taken here, and a retry resends that built batch, so the split
 * is fixed before any number is given and the numbers stay contiguous.
 */
import type { Acks, RecordMetadata } from './producer.js';
import type { EncodedMessage } from './messages.js';
import type { TraceHeader } from '../../telemetry/index.js';

/** A send()'s records for one partition, waiting for requests to carry them. */
export interface WaitingChunk {
  readonly messages: EncodedMessage[];
  readonly acks: Acks;
  /** The send()'s trace headers, added to each of its records. */
  readonly trace: readonly TraceHeader[];
  /** The first record no request has taken yet. */
  next: number;
  /** Sum of the size estimates of the records from `next` on. */
  bytes: number;
  /** Records whose request has settled (written or failed), or that were refused before any request. */
  settled: number;
  /** Where each settled part went, with the index of its first record (parts may settle out of order). */
  readonly written: { from: number; meta: RecordMetadata }[];
  failure: { error: unknown } | undefined;
  readonly resolve: (parts: RecordMetadata[]) => void;
  readonly reject: (err: unknown) => void;
}

/** Records [from, to) of a chunk, carried by one request. */
export interface ChunkPart {
  readonly chunk: WaitingChunk;
  readonly from: number;
  readonly to: number;
}

/** A chunk of `messages` waiting in full; `resolve` gets its parts' metadata, `reject` its first failure. */
export function waitingChunk(
  messages: EncodedMessage[],
  acks: Acks,
  trace: readonly TraceHeader[],
  resolve: (parts: RecordMetadata[]) => void,
  reject: (err: unknown) => void,
): WaitingChunk {
  let bytes = 0;
  for (const m of messages) bytes += m.sizeEstimate;
  return { messages, acks, trace, next: 0, bytes, settled: 0, written: [], failure: undefined, resolve, reject };
}

/**
 * The parts the next request carries, taken from the head of `waiting` (chunks it takes to the end
 * leave the queue; a chunk it splits stays at the head with `next` moved on). Every part has the
 * acks of the first chunk. Empty only when `waiting` is.
 */
export function takeParts(waiting: WaitingChunk[], maxBatchBytes: number): ChunkPart[] {
  const parts: ChunkPart[] = [];
  const first = waiting[0];
  if (!first) return parts;
  let room = maxBatchBytes;
  for (;;) {
    const chunk = waiting[0];
    if (!chunk || chunk.acks !== first.acks) break;
    const from = chunk.next;
    let to = from;
    let taken = 0;
    if (chunk.bytes <= room) {
      to = chunk.messages.length;
      taken = chunk.bytes;
    } else {
      for (; to < chunk.messages.length; to++) {
        const size = (chunk.messages[to] as EncodedMessage).sizeEstimate;
        // A request's first record goes even when it alone is larger than a batch.
        if (taken + size > room && (parts.length > 0 || to > from)) break;
        taken += size;
      }
    }
    if (to === from) break;
    parts.push({ chunk, from, to });
    chunk.next = to;
    chunk.bytes -= taken;
    room -= taken;
    if (to < chunk.messages.length) break;
    waiting.shift();
  }
  return parts;
}

/** The records of a part, without a copy when it is the whole chunk. */
export function partMessages(part: ChunkPart): EncodedMessage[] {
  const { chunk, from, to } = part;
  return from === 0 && to === chunk.messages.length ? chunk.messages : chunk.messages.slice(from, to);
}

/** Settles `count` records of `chunk` as written at `meta`, or failed with `error`; the chunk settles with its last records. */
function settle(chunk: WaitingChunk, from: number, count: number, outcome: { meta: RecordMetadata } | { error: unknown }): void {
  chunk.settled += count;
  if ('error' in outcome) chunk.failure ??= { error: outcome.error };
  else chunk.written.push({ from, meta: outcome.meta });
  if (chunk.settled < chunk.messages.length) return;
  if (chunk.failure) chunk.reject(chunk.failure.error);
  else chunk.resolve(chunk.written.sort((a, b) => a.from - b.from).map((w) => w.meta));
}

/**
 * The request carrying `parts` was written as one batch at `meta` (its first record's offset, -1
 * with acks 0): each part gets its own offsets within that batch.
 */
export function partsWritten(parts: readonly ChunkPart[], meta: RecordMetadata): void {
  if (parts.length === 1) {
    const part = parts[0] as ChunkPart;
    settle(part.chunk, part.from, part.to - part.from, { meta });
    return;
  }
  let offset = meta.baseOffset;
  for (const part of parts) {
    const recordCount = part.to - part.from;
    const baseOffset = meta.baseOffset < 0 ? -1 : offset;
    settle(part.chunk, part.from, recordCount, { meta: { topic: meta.topic, partition: meta.partition, baseOffset, recordCount } });
    offset += recordCount;
  }
}

/** The request carrying `parts` failed (or was never sent). */
export function partsFailed(parts: readonly ChunkPart[], error: unknown): void {
  for (const part of parts) settle(part.chunk, part.from, part.to - part.from, { error });
}

/** Refuses what no request has taken of `chunk` yet (it leaves the queue; the caller removes it). */
export function refuseRest(chunk: WaitingChunk, error: unknown): void {
  const from = chunk.next;
  if (from === chunk.messages.length) return;
  chunk.next = chunk.messages.length;
  chunk.bytes = 0;
  settle(chunk, from, chunk.messages.length - from, { error });
}
