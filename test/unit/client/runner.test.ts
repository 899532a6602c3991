/**
 * The pure parts of run(): a chunk's records packed into one transferable buffer and back, batch
 * bytes read as a chunk without decoding, run options checked, the dead-letter record, and the
 * runner's scheduling and failure policy on the consumer's own thread (the source it would hold
 * and release is recorded, as the consumers' fetch loops would act on it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildBatch } from '../../../libs/record/index.js';
import { batchesChunk, chunkMessages, fromWire, messagesChunk, toWire, type RecordChunk } from '../../../libs/client/runner/chunk.js';
import { deadLetterMessage } from '../../../libs/client/runner/dead-letter.js';
import { planRun, type RunOptions } from '../../../libs/client/runner/run-options.js';
import { Runner } from '../../../libs/client/runner/runner.js';
import type { ConsumedMessage } from '../../../libs/client/index.js';

const message = fc.record({
  key: fc.option(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a))),
  value: fc.option(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a))),
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 20 }), value: fc.uint8Array({ maxLength: 30 }).map((a) => Buffer.from(a)) }), {
    maxLength: 3,
  }),
  timestampMs: fc.integer({ min: 0, max: 2 ** 45 }),
  leaderEpoch: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
  gap: fc.integer({ min: 1, max: 5 }),
});

describe('a chunk on its way to a worker', () => {
  it('packed records come back equal, offsets and nulls included', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 2 ** 50 }), (ms, base) => {
        let offset = base;
        const messages: ConsumedMessage[] = ms.map((m) => ({
          topic: 't',
          partition: 3,
          offset: (offset += m.gap),
          timestampMs: m.timestampMs,
          key: m.key,
          value: m.value,
          headers: m.headers,
          leaderEpoch: m.leaderEpoch,
        }));
        const wire = toWire(messagesChunk(messages));
        expect(wire.kind).toBe('packed');
        expect(fromWire(structuredClone(wire))).toEqual(messages);
      }),
    );
  });

  it('batch bytes are read as a chunk from headers alone, and decoded only from its first offset', () => {
    const first = buildBatch([{ value: Buffer.from('a') }, { value: Buffer.from('b') }, { value: Buffer.from('c') }], { baseOffset: 10 });
    const second = buildBatch([{ value: Buffer.from('d') }, { value: Buffer.from('e') }], { baseOffset: 13 });
    const bytes = Buffer.concat([first, second]);
    const chunk = batchesChunk('t', 0, bytes, 11, Number.POSITIVE_INFINITY) as RecordChunk;
    expect({ first: chunk.first, last: chunk.last }).toEqual({ first: 11, last: 14 });
    expect(chunkMessages(chunk).map((m) => [m.offset, m.value?.toString()])).toEqual([
      [11, 'b'],
      [12, 'c'],
      [13, 'd'],
      [14, 'e'],
    ]);
    // A stream that stops at 13 (follow: false) ends the chunk there.
    const clipped = batchesChunk('t', 0, bytes, 11, 13) as RecordChunk;
    expect(clipped.last).toBe(12);
    expect(fromWire(toWire(clipped)).map((m) => m.offset)).toEqual([11, 12]);
    expect(batchesChunk('t', 0, bytes, 15, Number.POSITIVE_INFINITY)).toBeUndefined();
  });
});

describe('run options', () => {
  const fn = (): void => undefined;
  it.each<[RunOptions, RegExp]>([
    [{}, /exactly one of eachMessage and eachBatch/],
    [{ eachMessage: fn, eachBatch: fn }, /exactly one/],
    [{ eachMessage: fn, workers: 2 }, /with workers the handler must be a module/],
    [{ eachMessage: fn, partitionsConsumedConcurrently: 0 }, /partitionsConsumedConcurrently must be an integer from 1/],
    [{ eachMessage: fn, onError: { deadLetterTopic: '' } }, /deadLetterTopic/],
  ])('refuses %j', (options, message) => {
    expect(() => planRun(options)).toThrow(message);
  });

  it('resolves a module path against the working directory', () => {
    const plan = planRun({ eachBatch: { module: 'handlers/h.js' }, workers: 2 });
    expect(plan.module).toEqual({ url: `file://${process.cwd()}/handlers/h.js`, export: 'default' });
    expect(plan.mode).toBe('batch');
  });
});

it('a dead-letter record keeps key, value and headers and says where it came from and why', () => {
  const m = deadLetterMessage(
    { key: Buffer.from('k'), value: Buffer.from('v'), headers: [{ key: 'trace', value: Buffer.from('x') }], timestampMs: 5 },
    { topic: 'orders', partition: 2, offset: 41, group: 'billing' },
    new RangeError('too big'),
    3,
  );
  expect(m.key?.toString()).toBe('k');
  expect(m.value?.toString()).toBe('v');
  expect(m.timestampMs).toBe(5);
  expect(Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, v.toString()]))).toEqual({
    trace: 'x',
    'samsa.dlt.original.topic': 'orders',
    'samsa.dlt.original.partition': '2',
    'samsa.dlt.original.offset': '41',
    'samsa.dlt.error.name': 'RangeError',
    'samsa.dlt.error.message': 'too big',
    'samsa.dlt.attempts': '3',
    'samsa.dlt.group': 'billing',
  });
});

describe('the runner on the consumer thread', () => {
  const chunkOf = (partition: number, from: number, count: number): RecordChunk =>
    messagesChunk(
      Array.from({ length: count }, (_, i) => ({
        topic: 't',
        partition,
        offset: from + i,
        timestampMs: 0,
        key: null,
        value: Buffer.from(`${partition}-${from + i}`),
        headers: [],
        leaderEpoch: 0,
      })),
    );

  async function start(options: RunOptions): Promise<{ runner: Runner; events: string[] }> {
    const events: string[] = [];
    const runner = await Runner.start(planRun(options), {
      source: {
        hold: (tp) => events.push(`hold ${tp.partition}`),
        release: (tp) => events.push(`release ${tp.partition}`),
        progressed: (tp, next) => events.push(`progressed ${tp.partition} ${next}`),
        taken: () => undefined,
      },
      deadLetter: () => Promise.reject(new Error('no dead-letter topic here')),
      group: undefined,
      onFatal: (err) => events.push(`fatal ${err.message}`),
    });
    return { runner, events };
  }

  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

  it('holds a partition while a chunk of it waits, and releases it when the chunk starts', async () => {
    const gates: (() => void)[] = [];
    const { runner, events } = await start({ eachBatch: () => new Promise<void>((resolve) => gates.push(resolve)) });
    runner.push(chunkOf(0, 0, 2));
    runner.push(chunkOf(0, 2, 2));
    expect(events).toEqual(['hold 0', 'release 0', 'hold 0']);
    (gates.shift() as () => void)();
    await settle();
    expect(events.slice(3)).toEqual(['progressed 0 2', 'release 0']);
    expect(runner.finished()).toEqual([{ topic: 't', partition: 0, offset: 2 }]);
    (gates.shift() as () => void)();
    await runner.stop();
    expect(runner.finished()).toEqual([{ topic: 't', partition: 0, offset: 4 }]);
  });

  it('never runs more than `partitionsConsumedConcurrently` partitions, nor two chunks of one, and keeps each in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 25 }),
        async (concurrency, pushes) => {
          let running = 0;
          let peak = 0;
          const busy = new Set<number>();
          const seen = new Map<number, number[]>();
          const { runner } = await start({
            partitionsConsumedConcurrently: concurrency,
            eachMessage: async ({ partition, message }) => {
              expect(busy.has(partition)).toBe(false);
              busy.add(partition);
              peak = Math.max(peak, ++running);
              await new Promise((resolve) => setImmediate(resolve));
              running--;
              busy.delete(partition);
              seen.set(partition, [...(seen.get(partition) ?? []), message.offset]);
            },
          });
          const next = new Map<number, number>();
          for (const [partition, count] of pushes) {
            const from = next.get(partition) ?? 0;
            runner.push(chunkOf(partition, from, count));
            next.set(partition, from + count);
          }
          while (runner.oldestRunningSince() !== undefined || [...next].some(([p, n]) => (seen.get(p)?.length ?? 0) < n)) await settle();
          await runner.stop();
          expect(peak).toBeLessThanOrEqual(concurrency);
          for (const [p, n] of next) expect(seen.get(p)).toEqual(Array.from({ length: n }, (_, i) => i));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('narrows a failing batch down to the record that fails alone, and dead-letters only that one', async () => {
    const dead: number[] = [];
    const batches: number[][] = [];
    const runner = await Runner.start(
      planRun({
        onError: { retry: { retries: 1, initialDelayMs: 1, maxDelayMs: 1 }, deadLetterTopic: 'dlt' },
        // All or nothing, as a shell command per batch is: it cannot say which record was bad.
        eachBatch: ({ batch }) => {
          batches.push(batch.messages.map((m) => m.offset));
          if (batch.messages.some((m) => m.offset === 5)) throw new Error('a batch with record 5');
        },
      }),
      {
        source: { hold: () => undefined, release: () => undefined, progressed: () => undefined, taken: () => undefined },
        deadLetter: (_topic, _record, from) => {
          dead.push(from.offset);
          return Promise.resolve();
        },
        group: undefined,
        onFatal: (err) => {
          throw err;
        },
      },
    );
    runner.push(chunkOf(0, 0, 10));
    while (runner.finished()[0]?.offset !== 10) await settle();
    await runner.stop();
    expect(dead).toEqual([5]);
    // The batch twice (a retry), then one record at a time from the first of it until record 5
    // failed alone (twice), then the rest as one batch.
    expect(batches).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [0],
      [1],
      [2],
      [3],
      [4],
      [5],
      [5],
      [6, 7, 8, 9],
    ]);
  });

  it('stops only the failing partition at its record: finished() stays there and later chunks are dropped', async () => {
    const stopped: string[] = [];
    const { runner } = await start({
      partitionsConsumedConcurrently: 2,
      eachMessage: ({ partition, message }) => {
        if (partition === 1 && message.offset === 2) throw new Error('bad');
      },
      onError: { retry: { retries: 2, initialDelayMs: 1, maxDelayMs: 1 } },
      onPartitionStopped: (s) => stopped.push(`${s.partition}@${s.offset}: ${s.error.message}`),
    });
    runner.push(chunkOf(0, 0, 5));
    runner.push(chunkOf(1, 0, 5));
    runner.push(chunkOf(1, 5, 5));
    while (stopped.length === 0 || runner.oldestRunningSince() !== undefined) await settle();
    await runner.stop();
    expect(stopped).toEqual(['1@2: bad']);
    expect(runner.finished()).toEqual([
      { topic: 't', partition: 0, offset: 5 },
      { topic: 't', partition: 1, offset: 2 },
    ]);
  });
});
