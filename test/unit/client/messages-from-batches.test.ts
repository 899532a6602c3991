import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { buildBatch, decodeRecordsFrom, stampBatch } from '../../../libs/record/index.js';
import { batchesChunk, chunkMessages, decodeAsTaken, messagesFromBatches, type RecordChunk } from '../../../libs/client/runner/chunk.js';
import { mergeStreams } from '../../../libs/client/consumer/merge.js';
import type { ConsumedMessage } from '../../../libs/client/index.js';
import { NOW_MS, reasonOf, recordInputs } from '../record/arbitraries.js';

/** Batches stamped with consecutive offsets from `first`, concatenated as a Consume response carries them. */
const response = fc
  .tuple(fc.array(recordInputs(5), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 1_000_000 }))
  .map(([groups, first]) => {
    let next = first;
    const batches = groups.map((inputs, epoch) => {
      const batch = buildBatch(inputs, { nowMs: NOW_MS });
      stampBatch(batch, next, epoch);
      next += inputs.length;
      return batch;
    });
    return { bytes: Buffer.concat(batches), first, next };
  });

describe('messagesFromBatches (the SDK consumer decoding a Consume response)', () => {
  it('gives the records of [from, end) as decodeRecordsFrom decodes them, with topic and partition, and says whether end was met', () => {
    fc.assert(
      fc.property(response, fc.nat(), fc.nat(), fc.nat(), ({ bytes, first, next }, a, b, at) => {
        const span = next - first + 4;
        const from = first - 2 + (a % span);
        const end = from + (b % span);
        const cut = bytes.subarray(0, at % (bytes.length + 1));
        const out: ConsumedMessage[] = [];
        const reachedEnd = messagesFromBatches('t', 3, cut, from, end, out);
        const eager = decodeRecordsFrom(cut, from);
        expect(out).toEqual(eager.filter((r) => r.offset < end).map((r) => ({ topic: 't', partition: 3, ...r })));
        expect(reachedEnd).toBe(eager.some((r) => r.offset >= end));
        // Each message owns its headers array (a handler may add to it without touching another's).
        expect(new Set(out.map((m) => m.headers)).size).toBe(out.length);
      }),
      { numRuns: 300 },
    );
  });

  it('appends to what `out` already holds', () => {
    const batch = buildBatch([{ value: Buffer.from('a') }, { value: Buffer.from('b') }], { nowMs: 1 });
    const out: ConsumedMessage[] = [];
    messagesFromBatches('t', 0, batch, 0, 10, out);
    messagesFromBatches('t', 0, batch, 1, 10, out);
    expect(out.map((m) => m.value?.toString())).toEqual(['a', 'b', 'b']);
  });

  it('throws CORRUPT_MESSAGE for a corrupt batch in range', () => {
    const batch = buildBatch([{ value: Buffer.from('a') }], { nowMs: 1 });
    batch.writeUInt8((batch.at(-1) as number) ^ 0x01, batch.length - 1);
    expect(reasonOf(() => messagesFromBatches('t', 0, batch, 0, 10, []))).toBe('CORRUPT_MESSAGE');
  });
});

async function* from<T>(items: T[]): AsyncGenerator<T, void, undefined> {
  for (const item of items) yield await Promise.resolve(item);
}

async function collectAll<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('decodeAsTaken (topicChunks: raw chunks decoded when handed out)', () => {
  it('hands out every chunk that has records for us, decoded as chunkMessages decodes it, in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(response, fc.nat(), fc.nat()), { maxLength: 4 }), async (cases) => {
        const chunks = cases.flatMap(([{ bytes, first, next }, a, b]) => {
          const span = next - first + 4;
          const start = first - 2 + (a % span);
          const chunk = batchesChunk('t', 1, bytes, start, start + (b % span));
          return chunk ? [chunk] : [];
        });
        const seen: [RecordChunk, ConsumedMessage[]][] = [];
        const out = await collectAll(decodeAsTaken(from(chunks), (c, m) => seen.push([c, m])));
        const expected = chunks.map((c) => chunkMessages(c)).filter((m) => m.length > 0);
        expect(out).toEqual(expected);
        expect(seen.map(([, m]) => m)).toEqual(out);
        expect(out.every((m) => m.length > 0)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('does not decode a chunk the merge holds ahead until it is asked for', async () => {
    const batch = (first: number): Buffer => {
      const b = buildBatch([{ value: Buffer.from('x') }, { value: Buffer.from('y') }], { nowMs: NOW_MS });
      stampBatch(b, first, 0);
      return b;
    };
    const reads = [0, 0];
    // A chunk whose bytes count how often the decoder reads them.
    const counted = (i: number): RecordChunk => {
      const bytes = batch(0);
      const body = {
        kind: 'batches' as const,
        end: 2,
        get bytes(): Buffer {
          reads[i] = (reads[i] ?? 0) + 1;
          return bytes;
        },
      };
      return { topic: 't', partition: i, first: 0, last: 1, body };
    };
    const sources = [0, 1].map((i) => ({ [Symbol.asyncIterator]: () => from([counted(i)]), close: () => undefined }));
    const it = decodeAsTaken(mergeStreams(sources))[Symbol.asyncIterator]();
    const first = await it.next();
    await new Promise((r) => setTimeout(r, 5));
    // Both sources were pulled (the merge reads ahead), only the chunk handed out was decoded.
    expect(first.value).toHaveLength(2);
    expect(reads.filter((n) => n > 0)).toHaveLength(1);
    expect((await it.next()).value).toHaveLength(2);
    expect(reads.every((n) => n > 0)).toBe(true);
    expect((await it.next()).done).toBe(true);
  });
});
