/**
 * Compressed batches through real processes (etcd, a controller, two brokers): the SDK producer
 * compresses with each of Kafka's four codecs, the broker stores the batch as it came (the raw
 * Fetch returns it with the codec bits still set, smaller than the records), and the records read
 * back the same through the SDK consumer and through the structured Fetch a plain generated
 * client uses (decompressed on the broker). A decompression bomb is stored (the produce path does
 * not decompress) but the structured Fetch refuses it with CORRUPT_MESSAGE at the 64 MiB cap.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { Samsa } from '../../libs/client/index.js';
import { COMPRESSION_MASK, DEFAULT_MAX_DECOMPRESSED_BYTES, OFF_ATTRIBUTES, buildBatch, codecId, compressBatch, iterateBatches, type CompressionCodec } from '../../libs/record/index.js';
import { REASON_TRAILER, brokerClient, type v1 } from '../../libs/rpc/index.js';
import { startCluster, uniqueName } from '../harness/cluster.js';

const cluster = await startCluster({ name: 'compression', brokers: 2 });
const samsa = new Samsa({ bootstrap: cluster.brokers.map((b) => b.address), retry: { retries: 40, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 90_000 } });
const clients = new Map<string, v1.BrokerServiceClient>();
afterAll(async () => {
  for (const c of clients.values()) c.close();
  await samsa.close();
});

function clientFor(address: string): v1.BrokerServiceClient {
  let c = clients.get(address);
  if (!c) clients.set(address, (c = brokerClient(address)));
  return c;
}

function produceRaw(address: string, req: v1.ProduceRequest): Promise<v1.ProduceResponse__Output> {
  return new Promise((resolve, reject) => {
    clientFor(address).produce(req, new grpc.Metadata(), { deadline: new Date(Date.now() + 30_000) }, (err, res) => {
      if (err) reject(err);
      else resolve(res as v1.ProduceResponse__Output);
    });
  });
}

function fetch(address: string, req: v1.FetchRequest): Promise<v1.FetchResponse__Output> {
  const client = clientFor(address);
  return new Promise((resolve, reject) => {
    client.fetch(req, new grpc.Metadata(), { deadline: new Date(Date.now() + 30_000) }, (err, res) => {
      if (err) reject(err);
      else resolve(res as v1.FetchResponse__Output);
    });
  });
}

const COUNT = 2_000;
/** JSON-like values, null keys on every third, empty values on every eleventh, a header on every fifth. */
const messages = Array.from({ length: COUNT }, (_, i) => ({
  key: i % 3 === 0 ? null : `user-${i % 97}`,
  value: i % 11 === 0 ? '' : JSON.stringify({ n: i, event: ['click', 'view', 'buy'][i % 3], pad: 'abc'.repeat(i % 200) }),
  headers: i % 5 === 0 ? { h: String(i) } : ({} as Record<string, string>),
}));

describe('compressed topics', { timeout: 180_000 }, () => {
  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as CompressionCodec[]) {
    it(`${codec}: SDK in, stored compressed, SDK and structured Fetch out`, async () => {
      const topic = uniqueName(`z-${codec}`);
      await samsa.admin().createTopic({ name: topic, partitions: 1, replicationFactor: 1 });
      const producer = samsa.producer({ compression: codec });
      await producer.send({ topic, messages: messages.map((m) => ({ ...m, partition: 0 })) });
      await producer.close();

      const [meta] = await samsa.admin().describeTopics([topic]);
      const address = cluster.broker(meta?.partitions[0]?.leaderId ?? -1).address;

      // Raw form: the bytes as stored, every batch carrying the codec, smaller than its records.
      const raw = await fetch(address, { topic, partition: 0, offset: 0, maxBytes: 64 * 1024 * 1024, format: 'RECORD_FORMAT_BATCHES' });
      const batches = [...iterateBatches(raw.batches)];
      expect(batches.length).toBeGreaterThan(0);
      for (const b of batches) expect(b.header.attributes & COMPRESSION_MASK).toBe(codecId(codec));
      const plainBytes = messages.reduce((n, m) => n + m.value.length, 0);
      expect(raw.batches.readInt16BE(OFF_ATTRIBUTES) & COMPRESSION_MASK).toBe(codecId(codec));
      expect(raw.batches.length).toBeLessThan(plainBytes / 2);

      // Structured form (a plain client): decompressed on the broker, every record, in order.
      const structured: v1.ConsumedRecord__Output[] = [];
      while (structured.length < COUNT) {
        const res = await fetch(address, { topic, partition: 0, offset: structured.length, maxBytes: 4 * 1024 * 1024 });
        expect(res.records.length).toBeGreaterThan(0);
        structured.push(...res.records);
      }
      structured.forEach((r, i) => {
        const m = messages[i] as (typeof messages)[number];
        expect(Number(r.offset)).toBe(i);
        expect(r.value?.toString() ?? '').toBe(m.value);
        expect(r.key === null || r.key === undefined || r.key.length === 0 ? null : r.key.toString()).toBe(m.key);
      });

      // The SDK consumer.
      const consumer = samsa.consumer();
      consumer.assign([{ topic, partition: 0 }]);
      let n = 0;
      for await (const m of consumer) {
        const want = messages[m.offset] as (typeof messages)[number];
        expect(m.offset).toBe(n);
        expect(m.value?.toString() ?? null).toBe(want.value);
        expect(m.key?.toString() ?? null).toBe(want.key);
        expect(m.headers.find((h) => h.key === 'h')?.value.toString()).toBe(want.headers['h']);
        if (++n === COUNT) break;
      }
    });
  }

  it('a decompression bomb is stored as sent but refused, not expanded, by the structured Fetch', async () => {
    const topic = uniqueName('z-bomb');
    await samsa.admin().createTopic({ name: topic, partitions: 1, replicationFactor: 1 });
    const [meta] = await samsa.admin().describeTopics([topic]);
    const address = cluster.broker(meta?.partitions[0]?.leaderId ?? -1).address;
    // 65 MiB of zeros: past the 64 MiB cap once decompressed, a few KiB compressed.
    const bomb = await compressBatch(buildBatch([{ value: Buffer.alloc(DEFAULT_MAX_DECOMPRESSED_BYTES + 1024 * 1024) }]), 'zstd');
    expect(bomb.length).toBeLessThan(64 * 1024);
    await produceRaw(address, { topic, acks: 'ACKS_LEADER', batches: [{ partition: 0, batch: bomb }] });
    const raw = await fetch(address, { topic, partition: 0, offset: 0, format: 'RECORD_FORMAT_BATCHES' });
    expect(raw.batches.length).toBe(bomb.length);
    const err = (await fetch(address, { topic, partition: 0, offset: 0 }).then(
      () => undefined,
      (e: unknown) => e,
    )) as grpc.ServiceError | undefined;
    expect(err?.metadata?.get(REASON_TRAILER)[0], err?.details).toBe('CORRUPT_MESSAGE');
    expect(err?.details).toMatch(/exceeds the limit of 67108864 bytes/);
  });
});
