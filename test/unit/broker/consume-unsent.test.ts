/**
 * The Consume handler (services/broker/handlers/consume.ts) against a client that stops reading:
 * what the broker holds for it is bounded in bytes (issue 13, broker RSS), and a client that goes
 * away, or a broker that shuts down, ends the stream with every read buffer given back.
 *
 * The partition is a fake that always has another 500 KiB batch to read, and the call is an
 * object-mode Writable like grpc-js's server stream (high-water mark 16 messages) whose write
 * callbacks the test runs itself: "the client took a message" is a step of the test, never a
 * timing. Every await in the handler's loop is then a microtask, so after a setImmediate turn the
 * handler has read all it will until the test lets a write complete.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildBatch } from '../../../libs/record/index.js';
import { ReadBufferPool, type ReadInto } from '../../../libs/log/index.js';
import { SamsaError } from '../../../libs/errors/index.js';
import type { v1 } from '../../../libs/rpc/index.js';
import { consume, UNSENT_BYTES } from '../../../services/broker/handlers/consume.js';
import { StalledCall as StalledCallOf } from '../../harness/stalled-call.js';
import type { BrokerContext } from '../../../services/broker/handlers/context.js';

const turn = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};

/** One 500 KiB batch, read again and again (the handler does not look inside beyond its header). */
const BATCH = buildBatch([{ value: Buffer.alloc(500 * 1024, 1) }], { nowMs: 1 });
/** The pool's buffer for one read of BATCH (powers of two). */
const BUFFER_BYTES = 512 * 1024;

class FakePartition {
  reads = 0;
  assertLeader(): void {}
  checkOffsetInRange(): void {}
  read(offset: number, _maxBytes: number, into?: ReadInto): Promise<{ bytes: Buffer; nextOffset: number; highWatermark: number }> {
    this.reads++;
    const bytes = into ? into(BATCH.length) : Buffer.alloc(BATCH.length);
    BATCH.copy(bytes);
    return Promise.resolve({ bytes, nextOffset: offset + 1, highWatermark: Number.MAX_SAFE_INTEGER });
  }
  waitForData(): Promise<never> {
    throw new Error('the fake partition always has data');
  }
}

class StalledCall extends StalledCallOf<v1.ConsumeRequest__Output, v1.ConsumeResponse> {}

const running: { call: StalledCall; done: Promise<unknown> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    if (!r.call.cancelled) r.call.cancel();
    await r.done;
  }
});

function start(shutdown = new AbortController().signal): {
  partition: FakePartition;
  call: StalledCall;
  pool: ReadBufferPool;
  done: Promise<unknown>;
} {
  const partition = new FakePartition();
  const pool = new ReadBufferPool();
  const ctx = {
    brokerId: 1,
    forwarder: { route: () => Promise.resolve({ kind: 'local' }) },
    replicas: { partition: () => Promise.resolve(partition) },
    metrics: { streamOpened: () => () => undefined, fetched: () => undefined },
    shutdown,
    maxMessageBytes: 4 * 1024 * 1024,
    readBuffers: pool,
  } as unknown as BrokerContext;
  const request = {
    topic: 't',
    partition: 0,
    format: 'RECORD_FORMAT_BATCHES',
    start: { spec: 'offset', offset: 0 },
    maxBytes: 0,
  } as unknown as v1.ConsumeRequest__Output;
  const call = new StalledCall();
  const done = consume(ctx, request, call.asCall()).then(
    () => 'ended',
    (err: unknown) => err,
  );
  running.push({ call, done });
  return { partition, call, pool, done };
}

describe('Consume against a client that stops reading', () => {
  it('holds at most UNSENT_BYTES plus one read unsent, and reads one more for each message the client takes', async () => {
    const { partition, call } = start();
    await turn();
    const held = partition.reads * BATCH.length;
    // grpc-js's queue alone would take 16 messages (8 MiB here) before asking the handler to wait.
    expect(held).toBeGreaterThanOrEqual(UNSENT_BYTES);
    expect(held).toBeLessThan(UNSENT_BYTES + BATCH.length);
    for (let i = 1; i <= 20; i++) {
      call.send();
      await turn();
      expect(partition.reads * BATCH.length - i * BATCH.length).toBe(held);
    }
  });

  it('a client that goes away mid-stream ends the handler and every read buffer is back in the pool', async () => {
    const { partition, call, pool, done } = start();
    await turn();
    call.send();
    await turn();
    expect(partition.reads).toBeGreaterThan(2);
    call.cancel();
    expect(await done).toBe('ended');
    expect(pool.stats.made).toBeGreaterThan(1);
    expect(pool.keptBytes).toBe(pool.stats.made * BUFFER_BYTES);
  });

  it('a broker shutting down ends a stalled stream with NOT_READY, without waiting for the client', async () => {
    const shutdown = new AbortController();
    const { done } = start(shutdown.signal);
    await turn();
    shutdown.abort();
    const err = await done;
    expect(err).toBeInstanceOf(SamsaError);
    expect((err as SamsaError).reason).toBe('NOT_READY');
  });
});
