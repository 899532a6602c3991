/**
 * A ProduceRequest encoded by hand around its batch (libs/rpc/encoded-produce.ts): the bytes
 * protobufjs (proto-loader's serializer) gives for the same request, without a copy of the batch
 * when the batch was built with room in front; and such a request through a real server arrives
 * as the request object would.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bindServer,
  brokerClient,
  coversProduceRequest,
  createServer,
  encodeProduceRequest,
  loadSamsaProto,
  produceEncoded,
  produceRequestHeadroom,
  protoRoot,
  shutdownServer,
  PROTO_LOADER_OPTIONS,
  type ProduceRequestFields,
  type v1,
} from '../../../libs/rpc/index.js';
import { PROTO_FILES } from '../../../libs/rpc/proto.js';
import { buildBatch } from '../../../libs/record/index.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** proto-loader's serializer of ProduceRequest, untouched. */
const reference = protoLoader.loadSync([...PROTO_FILES], { ...PROTO_LOADER_OPTIONS, includeDirs: [protoRoot()] });
const produceMethod = (reference['samsa.v1.BrokerService'] as protoLoader.ServiceDefinition).Produce as protoLoader.MethodDefinition<
  object,
  object
>;
const protobufjsBytes = (f: ProduceRequestFields, batch: Buffer): Buffer =>
  Buffer.from(
    produceMethod.requestSerialize({ topic: f.topic, acks: f.acks, timeoutMs: f.timeoutMs, batches: [{ partition: f.partition, batch }] }),
  );

const uint31 = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 0x7fffffff }));
const fields = fc.record({
  // Every legal topic name is ASCII; the empty one is encoded too (the broker refuses it).
  topic: fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 249 }),
  acks: fc.constantFrom<ProduceRequestFields['acks']>('ACKS_UNSPECIFIED', 'ACKS_NONE', 'ACKS_LEADER', 'ACKS_ALL', 0, 1, 2, 3),
  timeoutMs: uint31,
  partition: uint31,
});
/** Batch lengths around the varint boundaries of the length fields (127/128, 16383/16384). */
const batchLength = fc.oneof(
  fc.integer({ min: 0, max: 200 }),
  fc.integer({ min: 16_300, max: 16_500 }),
  fc.integer({ min: 0, max: 70_000 }),
);

describe('a ProduceRequest encoded around its batch', () => {
  it('has the bytes protobufjs gives, and views the batch in place when there is room in front of it', () => {
    fc.assert(
      fc.property(fields, batchLength, fc.nat({ max: 300 }), fc.nat({ max: 255 }), (f, length, extra, fill) => {
        const headroom = produceRequestHeadroom(f.topic) + extra;
        const backing = Buffer.alloc(headroom + length + 3, 0xee);
        const batch = backing.subarray(headroom, headroom + length).fill(fill);
        const expected = protobufjsBytes(f, batch);
        const encoded = encodeProduceRequest(f, batch, headroom);
        expect(encoded.equals(expected)).toBe(true);
        expect(encoded.buffer).toBe(backing.buffer);
        expect(encoded.byteOffset + encoded.length).toBe(batch.byteOffset + batch.length);
      }),
      { numRuns: 300 },
    );
  });

  it('copies into a buffer of its own when the room in front is too small, leaving the bytes before the batch alone', () => {
    fc.assert(
      fc.property(fields, batchLength, fc.nat({ max: 11 }), (f, length, room) => {
        // 11: one byte short of the smallest prefix (an empty topic, every varint one byte).

        const backing = Buffer.alloc(room + length, 0xee);
        const batch = backing.subarray(room);
        const before = Buffer.from(backing);
        const encoded = encodeProduceRequest(f, batch, room);
        expect(encoded.equals(protobufjsBytes(f, batch))).toBe(true);
        expect(backing.equals(before)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('encodes a batch buildBatch made with the producer headroom, byte for byte as protobufjs, without copying it', () => {
    const f: ProduceRequestFields = { topic: 'orders.v1', acks: 'ACKS_ALL', timeoutMs: 30_000, partition: 5 };
    const records = Array.from({ length: 300 }, (_, i) => ({ value: Buffer.alloc(1024, i) }));
    const batch = buildBatch(records, { headroom: produceRequestHeadroom(f.topic), nowMs: 1 });
    expect(batch.equals(buildBatch(records, { nowMs: 1 }))).toBe(true);
    const encoded = encodeProduceRequest(f, batch, produceRequestHeadroom(f.topic));
    expect(encoded.buffer).toBe(batch.buffer);
    expect(encoded.equals(protobufjsBytes(f, batch))).toBe(true);
  });

  it('covers only ASCII topics, acks of the enum, and partitions and timeouts in [0, 2^31)', () => {
    const ok: ProduceRequestFields = { topic: 't', acks: 'ACKS_ALL', timeoutMs: 1, partition: 0 };
    expect(coversProduceRequest(ok)).toBe(true);
    expect(coversProduceRequest({ ...ok, topic: 'tópico' })).toBe(false);
    expect(coversProduceRequest({ ...ok, topic: 'a\ud800b' })).toBe(false);
    expect(coversProduceRequest({ ...ok, partition: -1 })).toBe(false);
    expect(coversProduceRequest({ ...ok, partition: 2 ** 31 })).toBe(false);
    expect(coversProduceRequest({ ...ok, timeoutMs: 1.5 })).toBe(false);
    expect(coversProduceRequest({ ...ok, acks: 7 as ProduceRequestFields['acks'] })).toBe(false);
    expect(() => encodeProduceRequest({ ...ok, partition: -1 }, Buffer.alloc(1), 0)).toThrow(/does not cover/);
  });

  it('reaches a server as the request object would, and its response comes back decoded', async () => {
    const seen: v1.ProduceRequest__Output[] = [];
    const server = createServer();
    server.addService(loadSamsaProto().proto.samsa.v1.BrokerService.service, {
      Produce: (call: grpc.ServerUnaryCall<v1.ProduceRequest__Output, v1.ProduceResponse>, cb: grpc.sendUnaryData<v1.ProduceResponse>) => {
        seen.push(call.request);
        cb(null, { results: [{ partition: call.request.batches[0]?.partition ?? -1, baseOffset: 42, recordCount: 7 }] });
      },
    } as Partial<v1.BrokerServiceHandlers> as v1.BrokerServiceHandlers);
    const port = await bindServer(server, '127.0.0.1', 0, grpc.ServerCredentials.createInsecure());
    cleanups.push(() => shutdownServer(server, 1000));
    const client = brokerClient(`127.0.0.1:${port}`, undefined, grpc.credentials.createInsecure());
    cleanups.push(() => client.close());

    const f: ProduceRequestFields = { topic: 'orders', acks: 'ACKS_LEADER', timeoutMs: 1234, partition: 3 };
    const batch = buildBatch([{ value: Buffer.from('hello') }, { key: Buffer.from('k'), value: null }], {
      headroom: produceRequestHeadroom(f.topic),
    });
    const response = await new Promise<v1.ProduceResponse__Output>((resolve, reject) => {
      produceEncoded(client, encodeProduceRequest(f, batch, produceRequestHeadroom(f.topic)), {}, (err, res) =>
        err ? reject(err) : res ? resolve(res) : reject(new Error('no response')),
      );
    });
    expect(response.results).toEqual([expect.objectContaining({ partition: 3, baseOffset: 42, recordCount: 7 })]);
    expect(seen).toHaveLength(1);
    const request = seen[0] as v1.ProduceRequest__Output;
    expect(request.topic).toBe('orders');
    expect(request.acks).toBe('ACKS_LEADER');
    expect(request.timeoutMs).toBe(1234);
    expect(request.batches).toHaveLength(1);
    expect(request.batches[0]?.partition).toBe(3);
    expect(Buffer.from(request.batches[0]?.batch ?? Buffer.alloc(0)).equals(batch)).toBe(true);
  });
});
