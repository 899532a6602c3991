/**
 * `npm run bench:share`: share-group consumption (issue 20, ADR 0049/0053) against a classic group
 * in relay mode (records through the coordinator in both), on one plaintext cluster (etcd, a
 * controller, one broker, one coordinator). Two topics of 1 KiB records, 1 and 6 partitions. Each
 * run reads all of a topic with a new group: share with 1, 4 and 16 SDK members (each record acked
 * on its own; answers are batched per event-loop turn by the SDK), and classic relay with one
 * member (`processed` per chunk). Runs are alternated so load from others hits every mode alike.
 * Per run: records/s and CPU seconds of the coordinator, the broker and this process.
 *
 * Settings (environment): SAMSA_BENCH_RUNS=2 runs per mode; SAMSA_BENCH_RECORDS=20000 per topic.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Samsa } from '../libs/client/index.js';
import { LocalCluster } from '../tools/launcher/index.js';
import { cpuSecondsOf, selfCpuSeconds } from './stats.js';

const RUNS = Number(process.env.SAMSA_BENCH_RUNS ?? '2');
const RECORDS = Number(process.env.SAMSA_BENCH_RECORDS ?? '20000');
const VALUE_BYTES = 1024;
const MODES = ['classic relay, 1 member', 'share, 1 member', 'share, 4 members', 'share, 16 members'] as const;
type Mode = (typeof MODES)[number];
const PARTITION_COUNTS = [1, 6] as const;

interface Result {
  mode: Mode;
  partitions: number;
  seconds: number;
  coordinatorCpu: number;
  brokerCpu: number;
  clientCpu: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

async function readAll(samsa: Samsa, topic: string, mode: Mode, run: string): Promise<void> {
  if (mode === 'classic relay, 1 member') {
    let records = 0;
    const member = samsa.groupConsumer({ groupId: `bench-classic-${run}`, topics: [topic], delivery: 'relay' });
    for await (const chunk of member.chunks()) {
      records += chunk.length;
      if (records >= RECORDS) break;
    }
    await member.close();
    return;
  }
  const n = mode === 'share, 1 member' ? 1 : mode === 'share, 4 members' ? 4 : 16;
  const group = `bench-share-${run}`;
  let acked = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  const members = Array.from({ length: n }, () => samsa.shareConsumer({ group, topics: [topic], maxRecords: 500 }));
  const loops = members.map(async (member) => {
    for await (const m of member) {
      m.ack();
      if (++acked >= RECORDS) done();
    }
  });
  await all;
  await Promise.all(members.map((m) => m.close()));
  await Promise.allSettled(loops);
}

const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-share-'));
const cluster = await LocalCluster.start({ dir, brokers: 1, coordinators: 1, security: 'insecure', env: { SAMSA_LOG_LEVEL: 'warn' } });
const samsa = new Samsa({ bootstrap: cluster.brokers.map((b) => b.address), tls: false });
try {
  const coordinatorPid = cluster.coordinators[0]?.pid as number;
  const brokerPid = cluster.brokers[0]?.pid as number;
  const value = Buffer.alloc(VALUE_BYTES, 'x');
  const producer = samsa.producer({ acks: 1 });
  for (const partitions of PARTITION_COUNTS) {
    const topic = `share-bench-${partitions}`;
    await samsa.admin().createTopic({ name: topic, partitions, replicationFactor: 1 });
    for (let from = 0; from < RECORDS; from += 1000)
      await producer.send({
        topic,
        messages: Array.from({ length: Math.min(1000, RECORDS - from) }, (_, i) => ({ partition: (from + i) % partitions, value })),
      });
  }
  await producer.close();
  for (const partitions of PARTITION_COUNTS) await readAll(samsa, `share-bench-${partitions}`, 'share, 1 member', `warm-${partitions}`);
  const results: Result[] = [];
  const load = [loadavg()[0] as number];
  for (let run = 0; run < RUNS; run++) {
    for (const partitions of PARTITION_COUNTS) {
      for (const mode of MODES) {
        const before = {
          c: await cpuSecondsOf([coordinatorPid]),
          b: await cpuSecondsOf([brokerPid]),
          s: selfCpuSeconds(),
          t: performance.now(),
        };
        await readAll(samsa, `share-bench-${partitions}`, mode, `${run}-${partitions}-${MODES.indexOf(mode)}`);
        const r: Result = {
          mode,
          partitions,
          seconds: (performance.now() - before.t) / 1000,
          coordinatorCpu: (await cpuSecondsOf([coordinatorPid])) - before.c,
          brokerCpu: (await cpuSecondsOf([brokerPid])) - before.b,
          clientCpu: selfCpuSeconds() - before.s,
        };
        results.push(r);
        load.push(loadavg()[0] as number);
        process.stderr.write(
          `${partitions} partition(s), ${mode}: ${(RECORDS / r.seconds).toFixed(0)} records/s; CPU s coordinator ${r.coordinatorCpu.toFixed(2)}, broker ${r.brokerCpu.toFixed(2)}, client ${r.clientCpu.toFixed(2)}\n`,
        );
      }
    }
  }
  console.log(
    `${RECORDS} records of ${VALUE_BYTES} B per topic (RF=1, one broker, one coordinator, plaintext); ${RUNS} alternated runs per row; load average ${Math.min(...load).toFixed(1)}-${Math.max(...load).toFixed(1)}\n`,
  );
  console.log('| partitions | mode | records/s (median, min..max) | coordinator CPU ms per 1,000 records | broker | client |');
  console.log('|---|---|---|---|---|---|');
  for (const partitions of PARTITION_COUNTS)
    for (const mode of MODES) {
      const mine = results.filter((r) => r.mode === mode && r.partitions === partitions);
      const rates = mine.map((r) => RECORDS / r.seconds);
      const per = (f: (r: Result) => number): string => median(mine.map((r) => (f(r) * 1e6) / RECORDS)).toFixed(1);
      console.log(
        `| ${partitions} | ${mode} | ${median(rates).toFixed(0)} (${Math.min(...rates).toFixed(0)}..${Math.max(...rates).toFixed(0)}) | ${per((r) => r.coordinatorCpu)} | ${per((r) => r.brokerCpu)} | ${per((r) => r.clientCpu)} |`,
      );
    }
} finally {
  await samsa.close();
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
