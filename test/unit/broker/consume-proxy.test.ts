/**
 * A Consume stream proxied from the leader (services/broker/forwarding.ts, proxyConsume): what the
 * proxying broker holds for a client that stops reading is bounded in bytes, as a local stream's
 * (consume-unsent.test.ts), not by grpc-js's 16 messages; the leader's stream is paused meanwhile.
 *
 * The leader's stream is an object-mode Readable the test pushes into; the client's side is a
 * StalledCall whose writes complete only when the test says so.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SamsaError } from '../../../libs/errors/index.js';
import type { v1 } from '../../../libs/rpc/index.js';
import { consumeMessageBytes, proxyConsume, type ConsumeUpstream } from '../../../services/broker/forwarding.js';
import { StalledCall } from '../../harness/stalled-call.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
/** Enough turns for the leader's stream to resume and emit as often as it is let (one turn each at most). */
async function settle(): Promise<void> {
  for (let i = 0; i < 40; i++) await turn();
}

class Upstream extends Readable implements ConsumeUpstream {
  cancelled = 0;
  constructor() {
    super({ objectMode: true, read: () => undefined });
  }
  cancel(): void {
    this.cancelled++;
  }
}

function message(bytes: number, offset: number): v1.ConsumeResponse__Output {
  return { partition: 0, highWatermark: 1000, nextOffset: offset + 1, throttleTimeMs: 0, records: [], batches: Buffer.alloc(bytes) };
}

const errors = {
  shutdown: () => new SamsaError('NOT_READY', 'shutting down'),
  translate: (err: unknown) => new SamsaError('INTERNAL_ERROR', String(err)),
};

describe('proxyConsume', () => {
  it('holds at most the byte budget plus one message for a client that stops reading, and pauses the leader', async () => {
    const upstream = new Upstream();
    const call = new StalledCall<v1.ConsumeRequest__Output, v1.ConsumeResponse>();
    const done = proxyConsume(upstream, call.asCall(), new AbortController().signal, 1024 * 1024, errors);
    // 20 reads of 256 KiB from the leader: grpc-js's queue alone would take 17 of them.
    for (let i = 0; i < 20; i++) upstream.push(message(256 * 1024, i));
    await settle();
    // Written and not yet called back: 4 x 256 KiB reaches the 1 MiB budget.
    expect(call.writableLength).toBe(4);
    expect(upstream.readableLength).toBe(16);
    expect(upstream.isPaused()).toBe(true);
    call.send();
    await settle();
    expect(call.writableLength).toBe(4);
    expect(upstream.readableLength).toBe(15);
    call.cancel();
    await done;
    expect(upstream.cancelled).toBe(1);
  });

  it('passes every message on, in order, to a client that reads', async () => {
    const upstream = new Upstream();
    const call = new StalledCall<v1.ConsumeRequest__Output, v1.ConsumeResponse>();
    const done = proxyConsume(upstream, call.asCall(), new AbortController().signal, 1024 * 1024, errors);
    for (let i = 0; i < 10; i++) upstream.push(message(512 * 1024, i));
    upstream.push(null);
    for (let i = 0; i < 10; i++) {
      await settle();
      call.send();
    }
    await done;
    expect(call.taken.map((m) => m.nextOffset)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('on shutdown cancels the leader and rejects with the shutdown error', async () => {
    const upstream = new Upstream();
    const call = new StalledCall<v1.ConsumeRequest__Output, v1.ConsumeResponse>();
    const stop = new AbortController();
    const done = proxyConsume(upstream, call.asCall(), stop.signal, 1024 * 1024, errors);
    stop.abort();
    await expect(done).rejects.toMatchObject({ reason: 'NOT_READY' });
    expect(upstream.cancelled).toBe(1);
  });
});

describe('consumeMessageBytes', () => {
  it('counts batches, or the keys, values and headers of records', () => {
    expect(consumeMessageBytes(message(1000, 0))).toBe(1000);
    const records: v1.ConsumedRecord__Output[] = [
      {
        partition: 0,
        offset: 0,
        timestampMs: 0,
        leaderEpoch: 0,
        key: Buffer.alloc(3),
        value: Buffer.alloc(10),
        headers: [{ key: 'ab', value: Buffer.alloc(5) }],
      },
      { partition: 0, offset: 1, timestampMs: 0, leaderEpoch: 0, value: Buffer.alloc(7), headers: [] },
    ];
    expect(consumeMessageBytes({ ...message(0, 0), records })).toBe(3 + 10 + 2 + 5 + 7);
  });
});
