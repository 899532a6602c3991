/**
 * What a produce request takes from a partition's waiting chunks (libs/client/producer/waiting-chunks.ts):
 * every record once and in order, each request filled up to maxBatchBytes (a chunk split where a
 * request is full), never two acks in one request; and a chunk carried by several requests settles
 * once, after its last part, with its parts' offsets in record order or its first failure.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Acks, RecordMetadata } from '../../../libs/client/producer/producer.js';
import type { EncodedMessage } from '../../../libs/client/producer/messages.js';
import {
  partMessages,
  partsFailed,
  partsWritten,
  refuseRest,
  takeParts,
  waitingChunk,
  type ChunkPart,
  type WaitingChunk,
} from '../../../libs/client/producer/waiting-chunks.js';

/** A record whose value names its chunk and index, with the size estimate given. */
function message(chunk: number, index: number, sizeEstimate: number): EncodedMessage {
  return { key: null, value: Buffer.from(`${chunk}.${index}`), headers: [], timestampMs: undefined, sizeEstimate };
}

type Outcome = { kind: 'resolved'; parts: RecordMetadata[] } | { kind: 'rejected'; error: unknown };

function chunks(specs: { acks: Acks; sizes: number[] }[]): { waiting: WaitingChunk[]; outcomes: Outcome[][] } {
  const outcomes: Outcome[][] = specs.map(() => []);
  const waiting = specs.map((spec, c) =>
    waitingChunk(
      spec.sizes.map((size, i) => message(c, i, size)),
      spec.acks,
      [],
      (parts) => (outcomes[c] as Outcome[]).push({ kind: 'resolved', parts }),
      (error) => (outcomes[c] as Outcome[]).push({ kind: 'rejected', error }),
    ),
  );
  return { waiting, outcomes };
}

const size = (part: ChunkPart): number => partMessages(part).reduce((sum, m) => sum + m.sizeEstimate, 0);
const names = (parts: ChunkPart[]): string[] => parts.flatMap((p) => partMessages(p).map((m) => String(m.value)));

const specs = fc.array(
  fc.record({
    acks: fc.constantFrom<Acks>('all', 'all', 'all', 1, 0),
    sizes: fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 30 }),
  }),
  { minLength: 1, maxLength: 8 },
);

describe('takeParts', () => {
  it('fills each request up to maxBatchBytes, splitting chunks, every record once and in order, one acks per request', () => {
    fc.assert(
      fc.property(specs, fc.integer({ min: 1, max: 1500 }), (spec, maxBatchBytes) => {
        const { waiting } = chunks(spec);
        const all = waiting.flatMap((c) => c.messages);
        const requests: ChunkPart[][] = [];
        while (waiting.length > 0) {
          const parts = takeParts(waiting, maxBatchBytes);
          expect(parts.length).toBeGreaterThan(0);
          requests.push(parts);
          // What stays at the head has records left, and its byte count is theirs.
          const head = waiting[0];
          if (head) {
            expect(head.next).toBeLessThan(head.messages.length);
            expect(head.bytes).toBe(head.messages.slice(head.next).reduce((s, m) => s + m.sizeEstimate, 0));
          }
        }
        expect(requests.flatMap(names)).toEqual(all.map((m) => String(m.value)));
        for (const [r, parts] of requests.entries()) {
          const acks = (parts[0] as ChunkPart).chunk.acks;
          expect(parts.every((p) => p.chunk.acks === acks && p.to > p.from)).toBe(true);
          const bytes = parts.reduce((s, p) => s + size(p), 0);
          const records = parts.reduce((s, p) => s + p.to - p.from, 0);
          expect(records === 1 || bytes <= maxBatchBytes).toBe(true);
          // Full: the request after this one starts with a record that did not fit, or has other acks.
          const after = requests[r + 1]?.[0];
          if (after) {
            const nextSize = (after.chunk.messages[after.from] as EncodedMessage).sizeEstimate;
            expect(after.chunk.acks !== acks || bytes + nextSize > maxBatchBytes).toBe(true);
          }
        }
      }),
    );
  });

  it('splits a chunk that does not fit whole and leaves its rest first for the next request', () => {
    const { waiting } = chunks([
      { acks: 'all', sizes: [100, 100, 100] },
      { acks: 'all', sizes: [100, 100, 100, 100, 100] },
      { acks: 1, sizes: [100] },
    ]);
    const third = waiting[2];
    expect(takeParts(waiting, 450).map((p) => [p.from, p.to])).toEqual([
      [0, 3],
      [0, 1],
    ]);
    expect(waiting[0]?.next).toBe(1);
    expect(takeParts(waiting, 450).map((p) => [p.from, p.to])).toEqual([[1, 5]]);
    // Acks 1 goes alone.
    const last = takeParts(waiting, 450);
    expect(last.map((p) => [p.chunk === third, p.from, p.to])).toEqual([[true, 0, 1]]);
    expect(waiting).toEqual([]);
  });

  it('sends a record larger than a batch alone', () => {
    const { waiting } = chunks([{ acks: 'all', sizes: [10, 900, 10] }]);
    expect(takeParts(waiting, 100).map((p) => [p.from, p.to])).toEqual([[0, 1]]);
    expect(takeParts(waiting, 100).map((p) => [p.from, p.to])).toEqual([[1, 2]]);
    expect(takeParts(waiting, 100).map((p) => [p.from, p.to])).toEqual([[2, 3]]);
  });
});

describe('a chunk carried by several requests', () => {
  it('settles once, after its last part: with every part in record order, or with its first failure', () => {
    fc.assert(
      fc.property(
        specs,
        fc.integer({ min: 1, max: 1500 }),
        fc.infiniteStream(fc.constantFrom('written', 'written', 'written', 'failed')),
        fc.infiniteStream(fc.nat()),
        fc.nat(),
        (spec, maxBatchBytes, fates, picks, refuseAt) => {
          const { waiting, outcomes } = chunks(spec);
          const byIndex = [...waiting];
          const requests: ChunkPart[][] = [];
          // One chunk may be refused before any request takes the rest of it (the idempotent session failed).
          let refused: WaitingChunk | undefined;
          while (waiting.length > 0) {
            if (requests.length === refuseAt % 10 && !refused) {
              refused = waiting.shift() as WaitingChunk;
              refuseRest(refused, 'refused');
              continue;
            }
            requests.push(takeParts(waiting, maxBatchBytes));
          }
          // Requests settle in any order (several in flight).
          const fate = new Map<ChunkPart[], string>();
          let offset = 1000;
          const firstOffset = new Map<ChunkPart[], number>();
          const pending = [...requests];
          const settledOrder: ChunkPart[][] = [];
          const pickIt = picks[Symbol.iterator]();
          const fateIt = fates[Symbol.iterator]();
          while (pending.length > 0) {
            const [request] = pending.splice((pickIt.next().value as number) % pending.length, 1) as [ChunkPart[]];
            const f = fateIt.next().value as string;
            fate.set(request, f);
            settledOrder.push(request);
            if (f === 'written') {
              firstOffset.set(request, offset);
              const count = request.reduce((s, p) => s + p.to - p.from, 0);
              partsWritten(request, { topic: 't', partition: 0, baseOffset: offset, recordCount: count });
              offset += count + 7;
            } else partsFailed(request, `failed ${settledOrder.length}`);
          }
          for (const [c, chunk] of spec.entries()) {
            const got = outcomes[c] as Outcome[];
            expect(got).toHaveLength(1);
            const mine = settledOrder.flatMap((r) => r.filter((p) => p.chunk === byIndex[c]).map((p) => ({ r, p })));
            const failures = mine.filter(({ r }) => fate.get(r) === 'failed').map(({ r }) => `failed ${settledOrder.indexOf(r) + 1}`);
            const wasRefused = refused === byIndex[c];
            const outcome = got[0] as Outcome;
            if (failures.length === 0 && !wasRefused) {
              expect(outcome.kind).toBe('resolved');
              const parts = (outcome as { parts: RecordMetadata[] }).parts;
              const expected = mine
                .map(({ r, p }) => {
                  let base = firstOffset.get(r) as number;
                  for (const q of r) {
                    if (q === p) break;
                    base += q.to - q.from;
                  }
                  return { from: p.from, meta: { topic: 't', partition: 0, baseOffset: base, recordCount: p.to - p.from } };
                })
                .sort((a, b) => a.from - b.from)
                .map((x) => x.meta);
              expect(parts).toEqual(expected);
              expect(parts.reduce((s, m) => s + m.recordCount, 0)).toBe(chunk.sizes.length);
            } else {
              expect(outcome.kind).toBe('rejected');
              // The first failure in settlement order (a refusal settles before any request does).
              const first = wasRefused ? 'refused' : failures[0];
              expect((outcome as { error: unknown }).error).toBe(first);
            }
          }
        },
      ),
    );
  });
});
