/**
 * `npm run bench:groups`: group consumption in both modes against a direct read of the same topic
 * (issue 17's group-consume item, ADR 0048), on one plaintext cluster (etcd, a controller, one
 * broker, one group coordinator). The topic has 6 partitions of 1 KiB records. Each run reads all
 * of it from the start in one of bench/group-read.ts's three ways (direct, group assign-only, group
 * relay) and ends at the last record.
 * Each group run uses a new group, so it starts from the earliest offset. Runs are alternated
 * (direct, assign-only, relay, direct, ...) so load from others hits every mode alike. Per run:
 * records/s and MB/s from the first chunk to the last record, the time to the first chunk (the
 * join, or the direct read's offset lookup) apart, and CPU seconds of the coordinator, the broker and this process (from
 * /proc/<pid>/stat), which load disturbs less than speed; the coordinator's CPU-seconds per GB
 * consumed is the row that says whether records still pass through it. Prints a Markdown table.
 *
 * Settings (environment): SAMSA_BENCH_RUNS=3 runs per mode; SAMSA_BENCH_RECORDS=200000.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Samsa } from '../libs/client/index.js';
import { LocalCluster } from '../tools/launcher/index.js';
import { READ_MODES, readWholeTopic, type ReadMode, type TopicRead } from './group-read.js';
import { cpuSecondsOf, selfCpuSeconds } from './stats.js';

const RUNS = Number(process.env.SAMSA_BENCH_RUNS ?? '3');
const RECORDS = Number(process.env.SAMSA_BENCH_RECORDS ?? '200000');
const PARTITIONS = 6;
const VALUE_BYTES = 1024;
const MODES = READ_MODES;
type Mode = ReadMode;

interface Result {
  mode: Mode;
  read: TopicRead;
  coordinatorCpu: number;
  brokerCpu: number;
  clientCpu: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

const readAll = (samsa: Samsa, topic: string, mode: Mode, run: number): Promise<TopicRead> =>
  readWholeTopic(samsa, topic, PARTITIONS, RECORDS, mode, `${run}-${Date.now()}`);

const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-groups-'));
const cluster = await LocalCluster.start({ dir, brokers: 1, coordinators: 1, security: 'insecure', env: { SAMSA_LOG_LEVEL: 'warn' } });
const samsa = new Samsa({ bootstrap: cluster.brokers.map((b) => b.address), tls: false });
try {
  const coordinatorPid = cluster.coordinators[0]?.pid as number;
  const brokerPid = cluster.brokers[0]?.pid as number;
  const topic = 'group-bench';
  await samsa.admin().createTopic({ name: topic, partitions: PARTITIONS, replicationFactor: 1 });
  const producer = samsa.producer({ acks: 1 });
  const value = Buffer.alloc(VALUE_BYTES, 'x');
  for (let from = 0; from < RECORDS; from += 1000) {
    await producer.send({
      topic,
      messages: Array.from({ length: Math.min(1000, RECORDS - from) }, (_, i) => ({ partition: (from + i) % PARTITIONS, value })),
    });
  }
  await producer.close();
  // One unmeasured read of each kind: page cache, connections, the coordinator's offsets partitions.
  for (const mode of MODES) await readAll(samsa, topic, mode, -1);
  const results: Result[] = [];
  const load = [loadavg()[0] as number];
  for (let run = 0; run < RUNS; run++) {
    for (const mode of MODES) {
      const before = {
        c: await cpuSecondsOf([coordinatorPid]),
        b: await cpuSecondsOf([brokerPid]),
        s: selfCpuSeconds(),
      };
      const r: Result = {
        mode,
        read: await readAll(samsa, topic, mode, run),
        coordinatorCpu: (await cpuSecondsOf([coordinatorPid])) - before.c,
        brokerCpu: (await cpuSecondsOf([brokerPid])) - before.b,
        clientCpu: selfCpuSeconds() - before.s,
      };
      results.push(r);
      load.push(loadavg()[0] as number);
      process.stderr.write(
        `${mode}: ${r.read.rate.toFixed(0)} records/s after ${r.read.startMs.toFixed(0)} ms to the first chunk, ${((r.read.rate * VALUE_BYTES) / 1e6).toFixed(1)} MB/s; CPU s coordinator ${r.coordinatorCpu.toFixed(2)}, broker ${r.brokerCpu.toFixed(2)}, client ${r.clientCpu.toFixed(2)}\n`,
      );
    }
  }
  const direct = median(results.filter((r) => r.mode === 'direct consume').map((r) => r.read.rate));
  console.log(
    `${RECORDS} records of ${VALUE_BYTES} B in ${PARTITIONS} partitions (RF=1, one broker, one coordinator, plaintext); ${RUNS} alternated runs per mode; load average ${Math.min(...load).toFixed(1)}-${Math.max(...load).toFixed(1)}\n`,
  );
  console.log(
    '| mode | records/s (median, min..max) | MB/s (median) | vs direct consume | ms to the first records (median) | coordinator CPU s per GB consumed | broker CPU s per GB | client CPU s per GB |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const mode of MODES) {
    const mine = results.filter((r) => r.mode === mode);
    const rates = mine.map((r) => r.read.rate);
    const perGb = (f: (r: Result) => number): string => median(mine.map((r) => f(r) / (r.read.bytes / 1e9))).toFixed(2);
    console.log(
      `| ${mode} | ${median(rates).toFixed(0)} (${Math.min(...rates).toFixed(0)}..${Math.max(...rates).toFixed(0)}) | ${((median(rates) * VALUE_BYTES) / 1e6).toFixed(1)} | ${(median(rates) / direct).toFixed(2)}x | ${median(mine.map((r) => r.read.startMs)).toFixed(0)} | ${perGb((r) => r.coordinatorCpu)} | ${perGb((r) => r.brokerCpu)} | ${perGb((r) => r.clientCpu)} |`,
    );
  }
} finally {
  await samsa.close();
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
