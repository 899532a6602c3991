/**
 * Responses encoded into the reused scratch buffer (libs/rpc/response-encoding.ts): the same bytes
 * as proto-loader's own serializer for every response type; grpc-js copies a serializer's result
 * before it returns (what makes one reused buffer safe); and, through a real server, every message
 * of a stream whose responses are serialized back to back arrives as it was written.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bindServer,
  brokerClient,
  createServer,
  loadSamsaProto,
  protoRoot,
  shutdownServer,
  PROTO_LOADER_OPTIONS,
  type v1,
} from '../../../libs/rpc/index.js';
import { PROTO_FILES } from '../../../libs/rpc/proto.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** proto-loader's serializers, untouched: a definition of its own, not the process's. */
const reference = protoLoader.loadSync([...PROTO_FILES], { ...PROTO_LOADER_OPTIONS, includeDirs: [protoRoot()] });
const { definition } = loadSamsaProto();

function methodOf(defs: protoLoader.PackageDefinition, service: string, method: string): protoLoader.MethodDefinition<object, object> {
  const m = (defs[`samsa.v1.${service}`] as protoLoader.ServiceDefinition | undefined)?.[method];
  if (!m) throw new Error(`no ${service}/${method}`);
  return m;
}

/** Both encodings of `value` as `service/method`'s response; the scratch one copied before the next call. */
function bothEncodings(service: string, method: string, value: object): { ours: Buffer; theirs: Buffer } {
  const ours = Buffer.from(methodOf(definition, service, method).responseSerialize(value));
  const theirs = Buffer.from(methodOf(reference, service, method).responseSerialize(value));
  return { ours, theirs };
}

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const offset = fc.maxSafeNat();
/** Bytes as a handler has them: sometimes a view inside a larger buffer (a read, a request). */
const bytes = fc
  .tuple(fc.uint8Array({ maxLength: 2048 }), fc.nat({ max: 16 }), fc.nat({ max: 16 }))
  .map(([b, before, after]) => Buffer.concat([Buffer.alloc(before, 7), b, Buffer.alloc(after, 9)]).subarray(before, before + b.length));
const record = fc.record(
  {
    partition: int32,
    offset,
    timestampMs: offset,
    key: bytes,
    value: bytes,
    headers: fc.array(fc.record({ key: fc.string({ maxLength: 20 }), value: bytes }), { maxLength: 3 }),
    leaderEpoch: int32,
  },
  { requiredKeys: ['partition', 'offset', 'value', 'headers'] },
);
// A Fetch response is a Consume response's fields plus the log start offset.
const consumeFields = {
  partition: int32,
  highWatermark: offset,
  records: fc.array(record, { maxLength: 4 }),
  batches: bytes,
  nextOffset: offset,
  throttleTimeMs: int32,
};
const consumeResponse = fc.record(consumeFields, { requiredKeys: [] });
const fetchResponse = fc.record({ ...consumeFields, logStartOffset: offset }, { requiredKeys: [] });
const partitionData = fc.record(
  {
    topic: fc.string({ maxLength: 40 }),
    partition: int32,
    highWatermark: offset,
    logStartOffset: offset,
    batches: bytes,
    divergingEndOffset: offset,
    errorReason: fc.constantFrom('', 'FENCED', 'NOT_LEADER_OR_FOLLOWER'),
    divergingEpoch: int32,
    errorMessage: fc.string({ maxLength: 40 }),
    traceContext: fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 60 }), { maxKeys: 2 }),
  },
  { requiredKeys: ['topic', 'partition'] },
);
const replicaFetchResponse = fc.record(
  { partitions: fc.array(partitionData, { maxLength: 6 }), session: fc.boolean() },
  { requiredKeys: [] },
);

describe('responses encoded into the scratch buffer', () => {
  it('gives the bytes proto-loader gives, for Consume, Fetch and Replicate responses', () => {
    fc.assert(
      fc.property(consumeResponse, fetchResponse, replicaFetchResponse, (consume, fetch, replicate) => {
        for (const [service, method, value] of [
          ['BrokerService', 'Consume', consume],
          ['BrokerService', 'Fetch', fetch],
          ['ReplicationService', 'Replicate', replicate],
        ] as const) {
          const { ours, theirs } = bothEncodings(service, method, value);
          expect(ours.equals(theirs)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('covers every method of every service, with the bytes proto-loader gives for an empty response', () => {
    let methods = 0;
    for (const [name, entry] of Object.entries(reference)) {
      if ('format' in entry) continue;
      for (const method of Object.keys(entry)) {
        const service = name.slice('samsa.v1.'.length);
        const { ours, theirs } = bothEncodings(service, method, {});
        expect(ours.equals(theirs)).toBe(true);
        expect(methodOf(definition, service, method).responseSerialize).not.toBe(methodOf(reference, service, method).responseSerialize);
        methods++;
      }
    }
    expect(methods).toBeGreaterThan(20);
  });

  it('reuses one buffer: a result is valid until the next serialization, which grows the buffer when needed', () => {
    const consume = methodOf(definition, 'BrokerService', 'Consume');
    const small = consume.responseSerialize({ batches: Buffer.alloc(100, 1) });
    const same = consume.responseSerialize({ batches: Buffer.alloc(100, 2) });
    expect(same.buffer).toBe(small.buffer);
    expect(small[small.length - 1]).toBe(2);
    const large = consume.responseSerialize({ batches: Buffer.alloc(300 * 1024, 3) });
    expect(large.length).toBeGreaterThan(300 * 1024);
    expect(large[large.length - 1]).toBe(3);
  });

  it('refuses an array, as proto-loader does', () => {
    expect(() => methodOf(definition, 'BrokerService', 'Consume').responseSerialize([] as unknown as object)).toThrow(/array/);
  });

  it("relies on grpc-js's serializeMessage copying the result into a frame of its own before returning", async () => {
    // The contract the scratch buffer needs (see response-encoding.ts), checked on the installed grpc-js.
    const { BaseServerInterceptingCall } = await import('@grpc/grpc-js/build/src/server-interceptors.js');
    const serializeMessage = (BaseServerInterceptingCall.prototype as unknown as { serializeMessage(this: unknown, value: object): Buffer })
      .serializeMessage;
    const serialize = methodOf(definition, 'BrokerService', 'Consume').responseSerialize;
    const first = { partition: 1, batches: Buffer.alloc(1000, 1) };
    const frame = serializeMessage.call({ handler: { serialize } }, first);
    serialize({ partition: 2, batches: Buffer.alloc(1000, 2) });
    expect(frame.subarray(5).equals(Buffer.from(methodOf(reference, 'BrokerService', 'Consume').responseSerialize(first)))).toBe(true);
    expect(frame.readUInt32BE(1)).toBe(frame.length - 5);
  });

  it('delivers every message of a stream written in one burst (grpc-js copies each before the next is serialized)', async () => {
    const messages = 64;
    const sizeOf = (i: number): number => 1 + ((i * 7919) % 200_000);
    const server = createServer();
    server.addService(loadSamsaProto().proto.samsa.v1.BrokerService.service, {
      Consume: (call: grpc.ServerWritableStream<v1.ConsumeRequest__Output, v1.ConsumeResponse>) => {
        // All written before any is sent: grpc-js serializes them one after another as the
        // transport takes them, each into the same scratch buffer.
        for (let i = 0; i < messages; i++) call.write({ partition: i, nextOffset: i + 1, batches: Buffer.alloc(sizeOf(i), i) });
        call.end();
      },
    } as Partial<v1.BrokerServiceHandlers> as v1.BrokerServiceHandlers);
    const port = await bindServer(server, '127.0.0.1', 0, grpc.ServerCredentials.createInsecure());
    cleanups.push(() => shutdownServer(server, 1000));
    const client = brokerClient(`127.0.0.1:${port}`, undefined, grpc.credentials.createInsecure());
    cleanups.push(() => client.close());
    const received: v1.ConsumeResponse__Output[] = [];
    await new Promise<void>((resolve, reject) => {
      const stream = client.consume({ topic: 't', partition: 0 });
      stream.on('data', (m: v1.ConsumeResponse__Output) => received.push(m));
      stream.on('error', reject);
      stream.on('end', () => resolve());
    });
    expect(received).toHaveLength(messages);
    received.forEach((m, i) => {
      expect(m.partition).toBe(i);
      expect(m.nextOffset).toBe(i + 1);
      expect(m.batches.length).toBe(sizeOf(i));
      expect(m.batches.every((b) => b === i)).toBe(true);
    });
  });
});
