/**
 * `npm run bench:rest`: what three brokers spend doing nothing asked of them with many partitions
 * (the "broker CPU at rest" rows of bench:scale, alone and longer, so a change to the at-rest path
 * can be measured before/after in a few minutes). Starts its own cluster (etcd, one controller,
 * three brokers, lease TTL 3 s), creates one topic of SAMSA_REST_PARTITIONS (default 3,000)
 * partitions RF 3, waits for every ISR full, and then:
 *
 *   rest         broker CPU (utime+stime from /proc) over SAMSA_REST_SECONDS (default 20),
 *                SAMSA_REST_ROUNDS times (default 2), with the load average of each;
 *   fill         with SAMSA_REST_FILL=1, one record to every partition first and the rest rounds
 *                again (every replica then has its files open);
 *   produce      with SAMSA_REST_PRODUCE_SECONDS > 0, RF 3 acks=all 100 B records to the big topic
 *                for that long: records/s and broker CPU-seconds per 100k records.
 *
 * SAMSA_REST_CPU_PROF=<dir>: the brokers run under --cpu-prof (profiles written at stop), and the
 * run prints each rest window as monotonic microseconds, which `cpu-top --window FROM:TO` takes
 * (V8 profile timestamps and process.hrtime share CLOCK_MONOTONIC on Linux).
 * Prints lines to stdout, progress to stderr. Run under the shared bench lock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Samsa } from '../libs/client/index.js';
import { LocalCluster, waitUntil } from '../tools/launcher/index.js';
import { runProduce } from '../tools/perf/index.js';
import { exitIfCleanupHangs } from './lifetime.js';
import { cpuSecondsOf, loadAverage, oneRecordToEveryPartition } from './stats.js';

const N = Number(process.env.SAMSA_REST_PARTITIONS ?? '3000');
const SECONDS = Number(process.env.SAMSA_REST_SECONDS ?? '20');
const ROUNDS = Number(process.env.SAMSA_REST_ROUNDS ?? '2');
const FILL = process.env.SAMSA_REST_FILL === '1';
const PRODUCE_SECONDS = Number(process.env.SAMSA_REST_PRODUCE_SECONDS ?? '0');
const PROF_DIR = process.env.SAMSA_REST_CPU_PROF;
const BOUND_MS = Math.max(180_000, N * 60);
const log = (t: string): void => void process.stderr.write(`[rest] ${t}\n`);
const out = (t: string): void => void process.stdout.write(`${t}\n`);
const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

const dir = mkdtempSync(join(tmpdir(), 'samsa-rest-'));
const cluster = await LocalCluster.start({
  dir,
  brokers: 3,
  controllers: 1,
  coordinators: 0,
  env: { SAMSA_LEASE_TTL_SECONDS: '3', SAMSA_LOG_LEVEL: 'warn', SAMSA_MAX_REPLICAS_PER_BROKER: String(Math.max(4000, N + 100)) },
  startTimeoutMs: 300_000,
  ...(PROF_DIR ? { brokerNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${PROF_DIR}`] } : {}),
});
const samsa = new Samsa({
  bootstrap: cluster.brokers.map((b) => b.address),
  retry: { retries: 100, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 120_000 },
});
const pids = cluster.brokers.map((b) => b.pid);

async function rest(label: string): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    const load = loadAverage(2);
    const from = monotonicUs();
    const before = await Promise.all(pids.map((p) => cpuSecondsOf([p])));
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const after = await Promise.all(pids.map((p) => cpuSecondsOf([p])));
    const pct = after.map((c, i) => (((c - (before[i] ?? 0)) / SECONDS) * 100).toFixed(1));
    out(
      `${label} round ${round + 1}: broker CPU ${pct.join(', ')} % of a core over ${SECONDS} s; load ${load} -> ${loadAverage(2)}; window ${from}:${monotonicUs()}`,
    );
  }
}

let failure: unknown;
try {
  out(`${N} partitions RF 3; load at the start ${loadAverage(2)}`);
  const admin = samsa.admin();
  await admin.createTopic({ name: 'big', partitions: N, replicationFactor: 3, config: { 'min.insync.replicas': '2' } });
  const isrFull = async (): Promise<boolean> =>
    (await admin.describeTopics(['big']))[0]?.partitions.every((p) => p.isr.length === 3 && p.leaderId >= 0) ?? false;
  await waitUntil(isrFull, BOUND_MS, 'every ISR full', 500);
  log('every ISR full; settling 5 s');
  await new Promise((r) => setTimeout(r, 5000));
  await rest('idle');
  if (FILL) {
    await oneRecordToEveryPartition(samsa, 'big', N);
    await waitUntil(isrFull, BOUND_MS, 'every ISR full after the fill', 500);
    log('filled; settling 5 s');
    await new Promise((r) => setTimeout(r, 5000));
    await rest('filled');
  }
  if (PRODUCE_SECONDS > 0) {
    const load = loadAverage(2);
    const cpu0 = await cpuSecondsOf(pids);
    const r = await runProduce(samsa, {
      topic: 'big',
      recordBytes: 100,
      records: 100_000_000,
      durationMs: PRODUCE_SECONDS * 1000,
      acks: 'all',
      batchRecords: 5000,
      maxInFlight: 8,
    });
    const cpu = (await cpuSecondsOf(pids)) - cpu0;
    out(
      `produce RF 3 acks=all 100 B to ${N} partitions: ${Math.round(r.records / r.seconds)} records/s over ${r.seconds.toFixed(1)} s; brokers ${((cpu / r.records) * 1e5).toFixed(2)} CPU-s per 100k records; load ${load} -> ${loadAverage(2)}`,
    );
  }
} catch (err) {
  failure = err;
} finally {
  // A broker under --cpu-prof writes its profile as it exits: at thousands of partitions on a
  // loaded machine that takes longer than the launcher's 10 s before SIGKILL.
  const graceMs = PROF_DIR ? 150_000 : 10_000;
  exitIfCleanupHangs(log, graceMs + 60_000);
  await samsa.close().catch(() => undefined);
  await Promise.all(cluster.brokers.map((b) => b.stop(graceMs)));
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
if (failure) throw failure;
