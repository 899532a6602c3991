/**
 * `npm run bench:tls`: what TLS costs, side by side with --insecure, in one run. Starts two
 * clusters of the same shape (etcd, a controller, three brokers), one with TLS (the default: TLS
 * 1.3 on every port, mutual TLS between brokers, ACLs on, the client a super-user by certificate)
 * and one --insecure, both idle while the other is measured, and alternates the modes run by run
 * (TLS, insecure, TLS, insecure, ...) so that a change of load on a shared machine hits both alike.
 * Workloads, 100-byte records, 6 partitions, the SDK in this process (tools/perf, as `samsa perf`):
 *
 *   produce RF=1 acks=1, produce RF=3 acks=all (idempotent), each SAMSA_BENCH_SECONDS long;
 *   consume: the whole RF=1 topic from the earliest offset (from the page cache).
 *
 * Besides records/s it reports CPU time per million records, of the three brokers (utime+stime
 * from /proc/<pid>/stat) and of this process (the client), which load on the machine disturbs less
 * than wall-clock rates. Prints a Markdown table for docs/benchmarks.md to stdout, progress to
 * stderr; everything on loopback, every run bounded by a count and a duration.
 *
 *   SAMSA_BENCH_RUNS=3     runs per mode and workload (alternated)
 *   SAMSA_BENCH_SECONDS=4  length of one produce run
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Samsa, SamsaError, type Acks } from '../libs/client/index.js';
import { LocalCluster } from '../tools/launcher/index.js';
import { runConsume, runProduce, type PerfReport } from '../tools/perf/index.js';
import { BenchResources } from './lifetime.js';
import { cpuSecondsOf, figure, type Figure, loadAverage } from './stats.js';

const RUNS = Number(process.env.SAMSA_BENCH_RUNS ?? '3');
const SECONDS = Number(process.env.SAMSA_BENCH_SECONDS ?? '4');
const MODES = ['tls', 'insecure'] as const;
type Mode = (typeof MODES)[number];
const WORKLOADS = ['produce RF=1 acks=1', 'produce RF=3 acks=all', 'consume (page cache)'] as const;
type Workload = (typeof WORKLOADS)[number];

const log = (text: string): void => void process.stderr.write(`[bench:tls] ${text}\n`);

interface Side {
  mode: Mode;
  cluster: LocalCluster;
  samsa: Samsa;
  brokerPids: number[];
  /** Records in the RF=1 topic, which the consume runs read. */
  written: number;
}

interface Sample {
  rate: number;
  brokerCpuPerMillion: number;
  clientCpuPerMillion: number;
}

const samples = new Map<string, Sample[]>();
const key = (mode: Mode, w: Workload): string => `${mode}|${w}`;

async function createTopic(samsa: Samsa, name: string, replicationFactor: number): Promise<void> {
  try {
    await samsa.admin().createTopic({ name, partitions: 6, replicationFactor });
  } catch (err) {
    if (!(err instanceof SamsaError && err.reason === 'TOPIC_ALREADY_EXISTS')) throw err;
  }
  for (let i = 0; i < 100; i++) {
    const [t] = await samsa.admin().describeTopics([name]);
    if (t && t.partitions.every((p) => p.leaderId >= 0)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`topic ${name} has no leaders after 20 s`);
}

function produce(samsa: Samsa, topic: string, acks: Acks, seconds: number, records = 10_000_000): Promise<PerfReport> {
  return runProduce(samsa, { topic, recordBytes: 100, records, durationMs: seconds * 1000, acks, batchRecords: 5000, maxInFlight: 8 });
}

async function measure(side: Side, workload: Workload): Promise<Sample> {
  const before = await cpuSecondsOf(side.brokerPids);
  const client = process.cpuUsage();
  let r: PerfReport;
  if (workload === 'produce RF=1 acks=1') {
    r = await produce(side.samsa, 'rf1', 1, SECONDS);
    side.written += r.records;
  } else if (workload === 'produce RF=3 acks=all') r = await produce(side.samsa, 'rf3', 'all', SECONDS);
  else
    r = await runConsume(side.samsa, {
      topic: 'rf1',
      records: Math.min(side.written, 1_000_000),
      durationMs: 20_000,
      from: 'earliest',
      follow: false,
    });
  const broker = (await cpuSecondsOf(side.brokerPids)) - before;
  const used = process.cpuUsage(client);
  const millions = r.records / 1e6;
  return {
    rate: r.seconds > 0 ? r.records / r.seconds : 0,
    brokerCpuPerMillion: broker / millions,
    clientCpuPerMillion: (used.user + used.system) / 1e6 / millions,
  };
}

async function start(mode: Mode, dir: string): Promise<Side> {
  log(`starting a ${mode} cluster (etcd, a controller, 3 brokers) in ${dir}`);
  const cluster = await LocalCluster.start({ dir, brokers: 3, security: mode, env: { SAMSA_LOG_LEVEL: 'warn' } });
  const tls = cluster.clientTls;
  const samsa = new Samsa({
    bootstrap: cluster.brokers.map((b) => b.address),
    tls: tls
      ? { ca: readFileSync(tls.ca), ...(tls.cert && tls.key ? { cert: readFileSync(tls.cert), key: readFileSync(tls.key) } : {}) }
      : false,
  });
  await createTopic(samsa, 'rf1', 1);
  await createTopic(samsa, 'rf3', 3);
  // Warm-up, not reported: connections, JIT, the first segment files.
  await produce(samsa, 'rf1', 1, 2);
  await produce(samsa, 'rf3', 'all', 1);
  const brokerPids = cluster.brokers.map((b) => b.pid).filter((p): p is number => p !== undefined);
  return { mode, cluster, samsa, brokerPids, written: 0 };
}

const fmt = (f: Figure, digits = 0): string =>
  `${f.median.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })} (${f.min.toLocaleString('en-US', { maximumFractionDigits: digits })}–${f.max.toLocaleString('en-US', { maximumFractionDigits: digits })})`;

function printTable(): void {
  const out: string[] = [
    '| workload | TLS records/s | --insecure records/s | TLS / insecure | broker CPU-s per 1M records, TLS · insecure | client CPU-s per 1M records, TLS · insecure |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const w of WORKLOADS) {
    const [t, i] = MODES.map((m) => samples.get(key(m, w)) ?? []) as [Sample[], Sample[]];
    const f = (s: Sample[], pick: (x: Sample) => number): Figure => figure(s.map(pick));
    const ratio = f(t, (x) => x.rate).median / f(i, (x) => x.rate).median;
    out.push(
      `| ${w} | ${fmt(f(t, (x) => x.rate))} | ${fmt(f(i, (x) => x.rate))} | ${ratio.toFixed(2)} | ` +
        `${fmt(
          f(t, (x) => x.brokerCpuPerMillion),
          2,
        )} · ${fmt(
          f(i, (x) => x.brokerCpuPerMillion),
          2,
        )} | ` +
        `${fmt(
          f(t, (x) => x.clientCpuPerMillion),
          2,
        )} · ${fmt(
          f(i, (x) => x.clientCpuPerMillion),
          2,
        )} |`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main(): Promise<void> {
  const started = Date.now();
  process.stdout.write(
    `TLS vs --insecure, ${new Date().toISOString()}: ${cpus().length} cores, node ${process.version}; load average at start ${loadAverage()}; ` +
      `${RUNS} alternated runs per mode, ${SECONDS} s per produce run; medians (min–max)\n\n`,
  );
  const sides: Side[] = [];
  const dirs: string[] = [];
  const owned = new BenchResources();
  owned.stopOnSignals();
  try {
    for (const mode of MODES) {
      const dir = mkdtempSync(join(tmpdir(), `samsa-bench-tls-${mode}-`));
      dirs.push(dir);
      const side = await start(mode, dir);
      owned.own(side.cluster, (c) => c.stop());
      owned.own(side.samsa, (s) => s.close());
      sides.push(side);
    }
    for (let run = 0; run < RUNS; run++) {
      for (const workload of WORKLOADS) {
        for (const side of run % 2 === 0 ? sides : [...sides].reverse()) {
          const s = await measure(side, workload);
          samples.set(key(side.mode, workload), [...(samples.get(key(side.mode, workload)) ?? []), s]);
          log(
            `run ${run + 1} ${side.mode} ${workload}: ${Math.round(s.rate).toLocaleString('en-US')} records/s, ` +
              `broker CPU ${s.brokerCpuPerMillion.toFixed(2)} s/M, client CPU ${s.clientCpuPerMillion.toFixed(2)} s/M (load ${loadAverage()})`,
          );
        }
      }
    }
  } finally {
    await owned.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  printTable();
  process.stdout.write(`\nload average at the end ${loadAverage()}; took ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

await main();
