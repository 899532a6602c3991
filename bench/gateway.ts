/**
 * `npm run bench:gateway`: produce and consume through the Kafka gateway with kafkajs (unmodified,
 * the devDependency) against the Samsa SDK talking to the broker directly, in the same run (issue
 * 19), on one plaintext cluster: etcd, a controller, one broker, one coordinator, one gateway. The
 * topic has 6 partitions, RF 1. Per run and client:
 * - produce: RECORDS records of SIZE bytes, partitions round robin, in sends of 1000 records,
 *   one send at a time, acks=1, no compression;
 * - consume: all of them from the start of a topic written beforehand; kafkajs as a consumer-group
 *   member (eachBatch, its defaults), the SDK as `samsa.consumer()` with every partition assigned.
 *   Timed from the first record to the last, so the group join of kafkajs is not counted.
 * Runs alternate (kafkajs, SDK, kafkajs, ...) so load from others hits both alike. Per run:
 * records/s, MB/s (record values), and CPU seconds of the gateway, the broker and this process
 * (the client) from /proc, which load disturbs less than speed; the row to read is CPU-s per GB of
 * gateway + broker. Prints a Markdown table.
 *
 * Settings (environment): SAMSA_BENCH_SIZE=1024 bytes per record value; SAMSA_BENCH_RECORDS=100000;
 * SAMSA_BENCH_RUNS=3 per client and direction.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Samsa } from '../libs/client/index.js';
import { LocalCluster } from '../tools/launcher/index.js';
import { cpuSecondsOf, figure, loadAverage, selfCpuSeconds } from './stats.js';

const SIZE = Number(process.env.SAMSA_BENCH_SIZE ?? '1024');
const RECORDS = Number(process.env.SAMSA_BENCH_RECORDS ?? '100000');
const RUNS = Number(process.env.SAMSA_BENCH_RUNS ?? '3');
const PARTITIONS = 6;
const SEND = 1000;
const CLIENTS = ['kafkajs via gateway', 'SDK direct'] as const;
type Client = (typeof CLIENTS)[number];
type Direction = 'produce' | 'consume';

interface Result {
  client: Client;
  direction: Direction;
  seconds: number;
  gatewayCpu: number;
  brokerCpu: number;
  clientCpu: number;
}

const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-gateway-'));
const cluster = await LocalCluster.start({
  dir,
  brokers: 1,
  coordinators: 1,
  kafkaGateways: 1,
  security: 'insecure',
  env: { SAMSA_LOG_LEVEL: 'warn' },
});
const samsa = new Samsa({ bootstrap: cluster.brokers.map((b) => b.address), tls: false });
const kafka = new Kafka({ clientId: 'bench', brokers: [cluster.kafkaGateways[0]?.address as string], logLevel: logLevel.NOTHING });
const value = Buffer.alloc(SIZE, 'x');
let topics = 0;

async function newTopic(): Promise<string> {
  const topic = `gateway-bench-${++topics}`;
  await samsa.admin().createTopic({ name: topic, partitions: PARTITIONS, replicationFactor: 1 });
  return topic;
}

async function produce(client: Client, topic: string): Promise<void> {
  if (client === 'SDK direct') {
    const producer = samsa.producer({ acks: 1 });
    for (let from = 0; from < RECORDS; from += SEND)
      await producer.send({
        topic,
        messages: Array.from({ length: Math.min(SEND, RECORDS - from) }, (_, i) => ({ partition: (from + i) % PARTITIONS, value })),
      });
    await producer.close();
    return;
  }
  const producer = kafka.producer();
  await producer.connect();
  for (let from = 0; from < RECORDS; from += SEND)
    await producer.send({
      topic,
      acks: 1,
      messages: Array.from({ length: Math.min(SEND, RECORDS - from) }, (_, i) => ({ partition: (from + i) % PARTITIONS, value })),
    });
  await producer.disconnect();
}

/** Reads the whole topic; resolves with the seconds from its first record to its last. */
async function consume(client: Client, topic: string, run: number): Promise<number> {
  let records = 0;
  let first = 0;
  if (client === 'SDK direct') {
    const consumer = samsa.consumer({ reset: 'earliest' });
    consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
    for await (const chunk of consumer.chunks()) {
      if (first === 0) first = performance.now();
      records += chunk.length;
      if (records >= RECORDS) break;
    }
    const seconds = (performance.now() - first) / 1000;
    await consumer.close();
    return seconds;
  }
  const consumer = kafka.consumer({ groupId: `bench-${topic}-${run}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seconds = await new Promise<number>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        if (first === 0) first = performance.now();
        records += batch.messages.length;
        if (records >= RECORDS) resolve((performance.now() - first) / 1000);
      },
    });
  });
  await consumer.disconnect();
  return seconds;
}

try {
  const gatewayPid = cluster.kafkaGateways[0]?.pid as number;
  const brokerPid = cluster.brokers[0]?.pid as number;
  const measure = async (client: Client, direction: Direction, work: () => Promise<number | void>): Promise<Result> => {
    const before = { g: await cpuSecondsOf([gatewayPid]), b: await cpuSecondsOf([brokerPid]), s: selfCpuSeconds(), t: performance.now() };
    const timed = await work();
    return {
      client,
      direction,
      seconds: typeof timed === 'number' ? timed : (performance.now() - before.t) / 1000,
      gatewayCpu: (await cpuSecondsOf([gatewayPid])) - before.g,
      brokerCpu: (await cpuSecondsOf([brokerPid])) - before.b,
      clientCpu: selfCpuSeconds() - before.s,
    };
  };
  // The topic every consume run reads, and one unmeasured round of each (connections, page cache, JIT).
  const readTopic = await newTopic();
  await produce('SDK direct', readTopic);
  for (const client of CLIENTS) {
    await produce(client, await newTopic());
    await consume(client, readTopic, -1);
  }
  const loads = [loadAverage(1)];
  const results: Result[] = [];
  for (let run = 0; run < RUNS; run++) {
    for (const client of CLIENTS) {
      const topic = await newTopic();
      results.push(await measure(client, 'produce', () => produce(client, topic)));
      results.push(await measure(client, 'consume', () => consume(client, readTopic, run)));
      for (const r of results.slice(-2))
        process.stderr.write(
          `${r.client} ${r.direction}: ${(RECORDS / r.seconds).toFixed(0)} records/s; CPU s gateway ${r.gatewayCpu.toFixed(2)}, broker ${r.brokerCpu.toFixed(2)}, client ${r.clientCpu.toFixed(2)}\n`,
        );
    }
    loads.push(loadAverage(1));
  }
  const gb = (RECORDS * SIZE) / 1e9;
  console.log(
    `${RECORDS} records of ${SIZE} B, ${PARTITIONS} partitions (RF 1, one broker, plaintext), sends of ${SEND} records one at a time with acks=1; ${RUNS} alternated runs per client; load average (1/5/15 min) ${loads.join(' -> ')}\n`,
  );
  console.log(
    '| client | direction | records/s (median, min..max) | MB/s (median) | gateway + broker CPU s per GB (median) | gateway CPU s/GB | broker CPU s/GB | client CPU s/GB |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const direction of ['produce', 'consume'] as const)
    for (const client of CLIENTS) {
      const mine = results.filter((r) => r.client === client && r.direction === direction);
      const rate = figure(mine.map((r) => RECORDS / r.seconds));
      const per = (f: (r: Result) => number): string => figure(mine.map((r) => f(r) / gb)).median.toFixed(1);
      console.log(
        `| ${client} | ${direction} | ${rate.median.toFixed(0)} (${rate.min.toFixed(0)}..${rate.max.toFixed(0)}) | ${figure(mine.map((r) => (RECORDS * SIZE) / 1e6 / r.seconds)).median.toFixed(1)} | ${per((r) => r.gatewayCpu + r.brokerCpu)} | ${per((r) => r.gatewayCpu)} | ${per((r) => r.brokerCpu)} | ${per((r) => r.clientCpu)} |`,
      );
    }
} finally {
  await samsa.close();
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
