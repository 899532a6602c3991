/**
 * Compressed batches through real processes (etcd, a controller, two brokers): the SDK producer
 * compresses with each of Kafka's four codecs, the broker stores the batch as it came (the raw
 * Fetch returns it with the codec bits still set, smaller than the records), and the records read
 * back the same through the SDK consumer and through the structured Fetch a plain generated
 * client uses (decompressed on the broker). The leader validates compressed batches on produce
 * (a decompression bomb or a batch lying about its records is refused with CORRUPT_MESSAGE) and
 * recompresses to a topic's compression.type.
 */
import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Samsa } from '../../libs/client/index.js';
import {
  COMPRESSION_MASK,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  OFF_ATTRIBUTES,
  OFF_LAST_OFFSET_DELTA,
  OFF_RECORD_COUNT,
  buildBatch,
  codecId,
  compressBatch,
  iterateBatches,
  sealBatch,
  type CompressionCodec,
} from '../../libs/record/index.js';
import { REASON_TRAILER, brokerClient, type v1 } from '../../libs/rpc/index.js';
import { runCli } from '../harness/cli.js';
import { startCluster, uniqueName } from '../harness/cluster.js';

const cluster = await startCluster({ name: 'compression', brokers: 2 });
const samsa = new Samsa({
  bootstrap: cluster.brokers.map((b) => b.address),
  retry: { retries: 40, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 90_000 },
});
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

async function errorOf(p: Promise<unknown>): Promise<grpc.ServiceError | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => e as grpc.ServiceError,
  );
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

  it('samsa produce --compression zstd and samsa perf produce --compression lz4 write batches in that codec', async () => {
    const cases = [
      { codec: 'zstd' as const, args: (t: string) => ['produce', t, '--compression', 'zstd'], input: 'one\ntwo\nthree\n', records: 3 },
      {
        codec: 'lz4' as const,
        args: (t: string) => ['perf', 'produce', t, '--partitions', '1', '--num-records', '500', '--compression', 'lz4', '--acks', 'all'],
        input: '',
        records: 500,
      },
    ];
    for (const c of cases) {
      const topic = uniqueName(`cli-${c.codec}`);
      if (c.args(topic)[0] === 'produce') await samsa.admin().createTopic({ name: topic, partitions: 1, replicationFactor: 1 });
      const run = await runCli(['--bootstrap', cluster.bootstrap, ...c.args(topic)], { input: c.input });
      expect(run.stderr).not.toMatch(/samsa:/);
      expect(run.code).toBe(0);
      const [meta] = await samsa.admin().describeTopics([topic]);
      const address = cluster.broker(meta?.partitions[0]?.leaderId ?? -1).address;
      const raw = await fetch(address, { topic, partition: 0, offset: 0, maxBytes: 64 * 1024 * 1024, format: 'RECORD_FORMAT_BATCHES' });
      const batches = [...iterateBatches(raw.batches)];
      expect(batches.reduce((n, b) => n + b.header.recordCount, 0)).toBe(c.records);
      for (const b of batches) expect(b.header.attributes & COMPRESSION_MASK).toBe(codecId(c.codec));
    }
  });

  it('a decompression bomb is refused on produce (CORRUPT_MESSAGE naming the cap), not expanded, and nothing is stored', async () => {
    const topic = uniqueName('z-bomb');
    await samsa.admin().createTopic({ name: topic, partitions: 1, replicationFactor: 1 });
    const [meta] = await samsa.admin().describeTopics([topic]);
    const address = cluster.broker(meta?.partitions[0]?.leaderId ?? -1).address;
    // 65 MiB of zeros: past the 64 MiB cap once decompressed, a few KiB compressed.
    const bomb = await compressBatch(buildBatch([{ value: Buffer.alloc(DEFAULT_MAX_DECOMPRESSED_BYTES + 1024 * 1024) }]), 'zstd');
    expect(bomb.length).toBeLessThan(64 * 1024);
    const err = await errorOf(produceRaw(address, { topic, acks: 'ACKS_LEADER', batches: [{ partition: 0, batch: bomb }] }));
    expect(err?.metadata?.get(REASON_TRAILER)[0], err?.details).toBe('CORRUPT_MESSAGE');
    expect(err?.details).toMatch(/exceeds the limit of 67108864 bytes/);
    const raw = await fetch(address, { topic, partition: 0, offset: 0, format: 'RECORD_FORMAT_BATCHES' });
    expect(raw.batches.length).toBe(0);
    expect(Number(raw.highWatermark)).toBe(0);
  });

  it('a structured read of a large compressed batch is decompressed off the event loop: other requests are answered meanwhile', async () => {
    const topic = uniqueName('z-big-read');
    await samsa.admin().createTopic({
      name: topic,
      partitions: 6,
      replicationFactor: 1,
      config: { 'max.message.bytes': String(8 * 1024 * 1024) },
    });
    const [meta] = await samsa.admin().describeTopics([topic]);
    const leader = meta?.partitions[0]?.leaderId ?? -1;
    const address = cluster.broker(leader).address;
    // Partition 0: one zstd batch of 48 records of 1 MiB (a repeated random KiB: small compressed,
    // costly to expand) and a small last one. Reading from that last record still expands all of it,
    // while the answer stays small.
    const kib = randomBytes(1024);
    const big = Buffer.alloc(1024 * 1024);
    for (let at = 0; at < big.length; at += kib.length) kib.copy(big, at);
    const batch = await compressBatch(
      buildBatch([...Array.from({ length: 48 }, () => ({ value: big })), { value: Buffer.from('last') }]),
      'zstd',
    );
    await produceRaw(address, { topic, acks: 'ACKS_LEADER', batches: [{ partition: 0, batch }] });
    // The small requests: structured fetches of another partition on the same broker, in a row.
    const other = meta?.partitions.find((p) => p.partition !== 0 && p.leaderId === leader)?.partition;
    if (other === undefined) throw new Error('no second partition on the same broker');
    const producer = samsa.producer();
    await producer.send({ topic, messages: [{ partition: other, value: 'small' }] });
    await producer.close();
    let answered = 0;
    let done = false;
    const big48 = fetch(address, { topic, partition: 0, offset: 48, format: 'RECORD_FORMAT_STRUCTURED', maxWaitMs: 1 }).finally(() => {
      done = true;
    });
    const small = (async () => {
      while (!done) {
        await fetch(address, { topic, partition: other, offset: 0, format: 'RECORD_FORMAT_STRUCTURED', maxWaitMs: 1 });
        if (!done) answered++;
      }
    })();
    const res = await big48;
    await small;
    expect(res.records.map((r) => [Number(r.offset), r.value.toString()])).toEqual([[48, 'last']]);
    // Expanding 48 MiB takes the worker a while; on the event loop no other request could be
    // answered until it was done (at most the one already in flight).
    expect(answered).toBeGreaterThanOrEqual(3);
  });

  it("a compressed batch whose header lies about its records is refused on produce, as Kafka's LogValidator does", async () => {
    const topic = uniqueName('z-liar');
    await samsa.admin().createTopic({ name: topic, partitions: 1, replicationFactor: 1 });
    const [meta] = await samsa.admin().describeTopics([topic]);
    const address = cluster.broker(meta?.partitions[0]?.leaderId ?? -1).address;
    // Three records compressed, the header claiming two (count and last offset delta agree, CRC resealed).
    const three = buildBatch([{ value: Buffer.from('a') }, { value: Buffer.from('b') }, { value: Buffer.from('c') }]);
    const liar = await compressBatch(three, 'lz4');
    liar.writeInt32BE(1, OFF_LAST_OFFSET_DELTA);
    liar.writeInt32BE(2, OFF_RECORD_COUNT);
    sealBatch(liar);
    const err = await errorOf(produceRaw(address, { topic, acks: 'ACKS_LEADER', batches: [{ partition: 0, batch: liar }] }));
    expect(err?.metadata?.get(REASON_TRAILER)[0], err?.details).toBe('CORRUPT_MESSAGE');
    expect(err?.details).toMatch(/bytes after its 2 records/);
  });

  it('compression.type=zstd: the leader recompresses what producers send; compacted topics refuse keyless records', async () => {
    const topic = uniqueName('z-type');
    await samsa.admin().createTopic({
      name: topic,
      partitions: 1,
      replicationFactor: 2,
      config: { 'compression.type': 'zstd', 'cleanup.policy': 'compact' },
    });
    const [meta] = await samsa.admin().describeTopics([topic]);
    expect(meta?.config.compressionType).toBe('zstd');
    const address = cluster.broker(meta?.partitions[0]?.leaderId ?? -1).address;
    const producer = samsa.producer({ compression: 'gzip' });
    await producer.send({
      topic,
      messages: [
        { key: 'k1', value: 'v'.repeat(500), partition: 0 },
        { key: 'k2', value: 'w'.repeat(500), partition: 0 },
      ],
    });
    await producer.close();
    const plain = samsa.producer();
    await plain.send({ topic, messages: [{ key: 'k3', value: 'x'.repeat(500), partition: 0 }] });
    const keyless = await errorOf(plain.send({ topic, messages: [{ value: 'no key', partition: 0 }] }));
    await plain.close();
    expect(String(keyless)).toMatch(/has no key.*compacted/);
    const raw = await fetch(address, { topic, partition: 0, offset: 0, format: 'RECORD_FORMAT_BATCHES' });
    const codecs = [...iterateBatches(raw.batches)].map((b) => b.header.attributes & COMPRESSION_MASK);
    expect(codecs).toEqual([codecId('zstd'), codecId('zstd')]);
    const structured = await fetch(address, { topic, partition: 0, offset: 0 });
    expect(structured.records.map((r) => [r.key?.toString(), r.value?.length, Number(r.offset)])).toEqual([
      ['k1', 500, 0],
      ['k2', 500, 1],
      ['k3', 500, 2],
    ]);
  });
});
