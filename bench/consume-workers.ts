/**
 * `npm run bench:workers`: a CPU-bound handler under run() with 1 and with 2 worker threads, on one
 * cluster (etcd, a controller, one broker; plaintext), runs alternated (1, 2, 1, 2, ...) so load
 * from others on the machine hits both alike. Each run reads the same topic from the start with a
 * fresh assigned consumer and ends when every record is handled. Per run: records/s, and the CPU
 * seconds of each worker thread and of the consumer's own thread (from /proc/self/task/<tid>/stat),
 * so the use of both cores is visible even when the machine is loaded: "cores used" is the workers'
 * CPU seconds over the run's wall seconds (at most 1 with one worker). Note that with the kernel's
 * autogroup scheduling (sched_autogroup_enabled=1) a busy machine gives this process's session a
 * fair share of the cores as a whole, however many threads it runs, so on a loaded machine two
 * workers split the work without finishing sooner. Prints a Markdown table.
 *
 * Settings (environment): SAMSA_BENCH_RUNS=3 runs per worker count; SAMSA_BENCH_RECORDS=2000;
 * SAMSA_BENCH_ROUNDS=400 SHA-256 rounds per record (handlers/cpu-burn.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import { Samsa } from '../libs/client/index.js';
import { LocalCluster, waitUntil } from '../tools/launcher/index.js';

const RUNS = Number(process.env.SAMSA_BENCH_RUNS ?? '3');
const RECORDS = Number(process.env.SAMSA_BENCH_RECORDS ?? '2000');
const PARTITIONS = 4;
const TICKS = 100; // USER_HZ: /proc stat times are in clock ticks

/** utime + stime of one thread of this process, in seconds. */
function threadCpu(tid: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

interface Result {
  workers: number;
  recordsPerSecond: number;
  workerCpu: number[];
  mainCpu: number;
  seconds: number;
  /** From run() until the first record was handled: worker start-up, first fetch. */
  startup: number;
  /** records/s from the first handled record to the last (start-up excluded). */
  steadyPerSecond: number;
}

async function runOnce(samsa: Samsa, topic: string, workers: number): Promise<Result> {
  const tids: number[] = [];
  const channel = new BroadcastChannel('samsa-bench-threads');
  channel.onmessage = (e) => tids.push((e as MessageEvent).data as number);
  const consumer = samsa.consumer({ reset: 'earliest' });
  consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
  const mainBefore = threadCpu(process.pid);
  const started = performance.now();
  const running = consumer.run({ workers, eachMessage: { module: new URL('./handlers/cpu-burn.js', import.meta.url), export: 'burn' } });
  let result: Result;
  const handled = (): number => (consumer.running?.finished() ?? []).reduce((n, f) => n + f.offset, 0);
  try {
    let firstAt = 0;
    let firstCount = 0;
    await waitUntil(
      () => {
        const n = handled();
        if (firstAt === 0 && n > 0) {
          firstAt = performance.now();
          firstCount = n;
        }
        return n >= RECORDS;
      },
      600_000,
      'every record handled',
      5,
    );
    const ended = performance.now();
    const seconds = (ended - started) / 1000;
    // Read before close(): a worker's /proc entry goes with its thread. Threads start after
    // `started`, so their whole CPU time is this run's.
    result = {
      workers,
      seconds,
      startup: (firstAt - started) / 1000,
      steadyPerSecond: (RECORDS - firstCount) / ((ended - firstAt) / 1000),
      recordsPerSecond: RECORDS / seconds,
      workerCpu: tids.map(threadCpu),
      mainCpu: threadCpu(process.pid) - mainBefore,
    };
  } finally {
    channel.close();
    await consumer.close();
    await running;
  }
  return result;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-workers-'));
const cluster = await LocalCluster.start({ dir, brokers: 1, coordinators: 0, security: 'insecure', env: { SAMSA_LOG_LEVEL: 'warn' } });
const samsa = new Samsa({ bootstrap: cluster.brokers.map((b) => b.address), tls: false });
try {
  const topic = 'cpu-bound';
  await samsa.admin().createTopic({ name: topic, partitions: PARTITIONS, replicationFactor: 1 });
  const producer = samsa.producer();
  const perPartition = RECORDS / PARTITIONS;
  for (let p = 0; p < PARTITIONS; p++) {
    for (let from = 0; from < perPartition; from += 100) {
      await producer.send({
        topic,
        messages: Array.from({ length: Math.min(100, perPartition - from) }, (_, i) => ({
          partition: p,
          value: `${p}-${from + i}-${'x'.repeat(80)}`,
        })),
      });
    }
  }
  await producer.close();
  const results: Result[] = [];
  const load = [loadavg()[0] as number];
  for (let run = 0; run < RUNS; run++) {
    for (const workers of [1, 2]) {
      const r = await runOnce(samsa, topic, workers);
      results.push(r);
      load.push(loadavg()[0] as number);
      process.stderr.write(
        `workers=${workers}: ${r.recordsPerSecond.toFixed(0)} records/s in ${r.seconds.toFixed(2)} s (start-up ${r.startup.toFixed(2)} s, then ${r.steadyPerSecond.toFixed(0)} records/s); worker CPU ${r.workerCpu.map((c) => c.toFixed(2)).join(' + ')} s, consumer thread ${r.mainCpu.toFixed(2)} s\n`,
      );
    }
  }
  console.log(
    `${RECORDS} records, ${PARTITIONS} partitions, ${process.env.SAMSA_BENCH_ROUNDS ?? '400'} SHA-256 rounds per record; ${RUNS} alternated runs each; load average ${Math.min(...load).toFixed(1)}-${Math.max(...load).toFixed(1)}\n`,
  );
  console.log(
    '| workers | records/s (median, min..max) | records/s after the first record (median) | CPU s per worker thread (median run) | worker CPU s / wall s (cores used) | CPU s, consumer thread | wall s (start-up) |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const workers of [1, 2]) {
    const mine = results.filter((r) => r.workers === workers);
    const rates = mine.map((r) => r.recordsPerSecond);
    const mid = mine.find((r) => r.recordsPerSecond === median(rates)) as Result;
    const steady = median(mine.map((r) => r.steadyPerSecond));
    console.log(
      `| ${workers} | ${median(rates).toFixed(0)} (${Math.min(...rates).toFixed(0)}..${Math.max(...rates).toFixed(0)}) | ${steady.toFixed(0)} | ${mid.workerCpu.map((c) => c.toFixed(2)).join(' / ')} | ${(mid.workerCpu.reduce((a, b) => a + b, 0) / mid.seconds).toFixed(2)} | ${mid.mainCpu.toFixed(2)} | ${mid.seconds.toFixed(2)} (${mid.startup.toFixed(2)}) |`,
    );
  }
} finally {
  await samsa.close();
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
