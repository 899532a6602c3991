/**
 * `npm run bench:scale`: what many partitions cost (issue 18, part 4). Starts its own cluster
 * (etcd, two controllers, three brokers; lease TTL 3 s as the tests use) in a temp dir, creates one
 * topic of N partitions with replication factor 3 (SAMSA_SCALE_PARTITIONS, default 3,000: 9,000
 * replicas, 3,000 per broker, under the default budget of 4,000), and measures:
 *
 *   etcd         data dir size and key count before and after, etcd writes (revisions) of the
 *                create and their rate;
 *   open         time from CreateTopic sent to every broker reporting all N replicas open
 *                (samsa_broker_partitions) and every ISR full;
 *   propagation  time from an admin change (a 1-partition topic created) being sent to every broker
 *                answering GetMetadata with it, 30 samples, p50/p99, with the N partitions present;
 *   per replica  broker RSS and open descriptors before and after, per replica hosted;
 *   failover     kill -9 of the active controller to the next admin call answered by the new one;
 *   fill         with SAMSA_SCALE_FILL=1, one record to every partition first (every replica has files);
 *   restart      kill -9 of one broker and restart, to every ISR full again; then the same after a
 *                clean stop (SIGTERM: the replicas come back from its shutdown summaries, ADR 0051);
 *   produce      RF=3 acks=1 100 B records for SAMSA_SCALE_SECONDS (default 8) to a 6-partition topic
 *                and to the N-partition topic (keyless: sticky per send, rotating), alternated
 *                SAMSA_SCALE_PRODUCE_PAIRS times (default 3): medians, every pair and the load.
 *
 * Prints one Markdown table to stdout, progress to stderr. Run under the shared bench lock.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { Samsa } from '../libs/client/index.js';
import { LocalCluster, waitUntil } from '../tools/launcher/index.js';
import { runProduce } from '../tools/perf/index.js';
import { callUnary, ClientPool, type v1 } from '../libs/rpc/index.js';
import { exitIfCleanupHangs } from './lifetime.js';
import { cpuSecondsOf, rssOf, loadAverage, oneRecordToEveryPartition } from './stats.js';

const N = Number(process.env.SAMSA_SCALE_PARTITIONS ?? '3000');
/** Waits grow with N: opening 10,000 replicas per broker on a loaded 2-core machine takes minutes. */
const BOUND_MS = Number(process.env.SAMSA_SCALE_BOUND_MS ?? Math.max(170_000, N * 60));
const SECONDS = Number(process.env.SAMSA_SCALE_SECONDS ?? '8');
/** SAMSA_SCALE_FILL=1: write one record to every partition before the broker restarts (every replica then has files). */
const FILL = process.env.SAMSA_SCALE_FILL === '1';
const log = (t: string): void => void process.stderr.write(`[scale] ${t}\n`);
const rows: [string, string, string][] = [];
const put = (what: string, value: string, how: string): void => {
  rows.push([what, value, how]);
  log(`${what}: ${value}`);
};

function du(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
}
function fds(pid: number | undefined): number {
  return pid === undefined ? 0 : readdirSync(`/proc/${pid}/fd`).length;
}
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
}
/** CPU seconds each process used over the next 10 s (utime+stime from /proc). */
async function cpuOver10s(pids: readonly (number | undefined)[]): Promise<number[]> {
  const before = await Promise.all(pids.map((p) => cpuSecondsOf([p])));
  await new Promise((r) => setTimeout(r, 10_000));
  return (await Promise.all(pids.map((p) => cpuSecondsOf([p])))).map((c, i) => c - (before[i] ?? 0));
}

async function metric(url: string | undefined, name: string): Promise<number> {
  if (!url) return 0;
  // A broker busy opening thousands of replicas may not answer at once: "not yet", not a failure.
  const text = await fetch(url, { signal: AbortSignal.timeout(5000) })
    .then((r) => r.text())
    .catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** `p`, or `fallback` when it has not settled (or failed) within `ms`. */
async function within<T, F>(p: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  try {
    return await Promise.race([p.catch(() => fallback), late]);
  } finally {
    clearTimeout(timer);
  }
}

const clients = new ClientPool();
/** True when the broker at `address` answers GetMetadata for `topic` (it knows the topic). */
async function knows(address: string, topic: string): Promise<boolean> {
  const client = clients.broker(address);
  try {
    const res = await callUnary<v1.GetMetadataResponse__Output>(address, { timeoutMs: 2000 }, (options, cb) =>
      client.getMetadata({ topics: [topic] }, options, cb),
    );
    return res.topics.some((t) => t.name === topic);
  } catch {
    return false;
  }
}

log(`${N} partitions RF 3; this run may hold the bench lock for ${Math.ceil((4 * BOUND_MS) / 60_000)} min at most; load ${loadAverage(1)}`);
const dir = mkdtempSync(join(tmpdir(), 'samsa-scale-'));
const PROF_DIR = process.env.SAMSA_SCALE_CPU_PROF;
const cluster = await LocalCluster.start({
  dir,
  brokers: 3,
  controllers: 2,
  coordinators: 0,
  env: {
    SAMSA_LEASE_TTL_SECONDS: process.env.SAMSA_SCALE_LEASE_TTL_SECONDS ?? '3',
    SAMSA_LOG_LEVEL: 'warn',
    // Room for the 6-partition topic and the propagation and failover topics beside the big one.
    SAMSA_MAX_REPLICAS_PER_BROKER: String(Math.max(4000, N + 100)),
  },
  // SAMSA_SCALE_CPU_PROF=<dir>: every broker writes a V8 CPU profile there when it stops (node
  // refuses --cpu-prof in NODE_OPTIONS, so it goes on the brokers' command line).
  ...(PROF_DIR ? { brokerNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${PROF_DIR}`] } : {}),
});
const samsa = new Samsa({
  bootstrap: cluster.brokers.map((b) => b.address),
  retry: { retries: 100, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 120_000 },
});
const etcd = new Etcd3({ hosts: `http://${cluster.etcd.endpoint}` });
let failure: unknown;
try {
  put('load average at the start', loadAverage(1), '/proc/loadavg (1, 5, 15 min)');
  const admin = samsa.admin();
  await admin.createTopic({ name: 'six', partitions: 6, replicationFactor: 3 });
  const revision = async (): Promise<number> => Number((await etcd.maintenance.status()).header.revision);
  const dbSize = async (): Promise<number> => Number((await etcd.maintenance.status()).dbSize);
  const keys = async (): Promise<number> => Number((await etcd.getAll().prefix('/samsa/').count()) ?? 0);
  const etcdDir = join(dir, 'etcd');
  const before = { du: du(etcdDir), rev: await revision(), keys: await keys(), db: await dbSize() };
  const pids = cluster.brokers.map((b) => b.pid);
  const rssBefore = (await Promise.all(pids.map((p) => rssOf(p)))).map((x) => x ?? 0);
  const fdsBefore = pids.map(fds);
  const cpuBefore = await Promise.all(pids.map((p) => cpuSecondsOf([p])));

  log(`creating ${N} partitions, RF 3`);
  // The brokers' worst event-loop delay while they open the replicas (a stall past the lease TTL
  // costs a broker its registration), sampled from their metrics every 2 s.
  let loopMaxS = 0;
  const loopSampler = setInterval(() => {
    void Promise.all(cluster.brokers.map((b) => metric(b.metricsUrl, 'nodejs_eventloop_delay_max'))).then((xs) => {
      loopMaxS = Math.max(loopMaxS, ...xs);
    });
  }, 2000);
  const t0 = performance.now();
  await admin.createTopic({ name: 'big', partitions: N, replicationFactor: 3 });
  const created = performance.now() - t0;
  const revCreate = (await revision()) - before.rev;
  // Progress every 30 s (replicas open per broker, broker registrations, etcd revision), so a run
  // cut by its bound still says how far it got.
  let lastProgress = performance.now();
  await waitUntil(
    async () => {
      const open = await Promise.all(cluster.brokers.map((b) => metric(b.metricsUrl, 'samsa_broker_partitions{')));
      if (performance.now() - lastProgress > 30_000) {
        lastProgress = performance.now();
        // Every call here bounded: at 10,000 partitions this loop stopped returning (past its own bound)
        // with the brokers and etcd overloaded, and the run had to be stopped by hand.
        const live = await within(etcd.getAll().prefix('/samsa/').count(), 5000, '?');
        const rev = await within(revision(), 5000, '?');
        log(
          `${((lastProgress - t0) / 1000).toFixed(0)} s: replicas open ${open.join(', ')}; etcd rev ${rev}, ${live} keys; load ${loadAverage(1)}`,
        );
      }
      return open.every((n) => n >= N + 6);
    },
    BOUND_MS,
    'every broker hosting every replica',
    // Each poll is a full metrics scrape of every broker (N per-partition series each): not too often.
    2000,
  );
  const opened = performance.now() - t0;
  const isrFull = async (): Promise<boolean> =>
    (await admin.describeTopics(['big']))[0]?.partitions.every((p) => p.isr.length === 3 && p.leaderId >= 0) ?? false;
  await waitUntil(isrFull, BOUND_MS, 'every ISR full', 500);
  const inSync = performance.now() - t0;
  clearInterval(loopSampler);
  put(
    'worst broker event-loop delay while opening',
    `${loopMaxS.toFixed(2)} s`,
    'nodejs_eventloop_delay_max of each broker, read every 2 s',
  );
  const openCpu = (await Promise.all(pids.map((p) => cpuSecondsOf([p])))).map((c, i) => c - (cpuBefore[i] ?? 0));
  const after = { du: du(etcdDir), rev: await revision(), keys: await keys(), db: await dbSize() };
  put('CreateTopic answered', `${(created / 1000).toFixed(1)} s`, `${N} partitions, RF 3`);
  put(
    'etcd writes for the create',
    `${revCreate} revisions (${Math.round(revCreate / (created / 1000))}/s)`,
    'etcd revision delta over the CreateTopic call',
  );
  put(
    'etcd writes until every ISR full',
    `${after.rev - before.rev}`,
    'revision delta from before the create to full ISR (ISR writes by leaders included)',
  );
  put('etcd keys under /samsa/', `${before.keys} -> ${after.keys}`, 'count');
  put(
    'etcd data dir',
    `${(before.du / 1e6).toFixed(1)} MB -> ${(after.du / 1e6).toFixed(1)} MB`,
    'du -sb (includes the WAL; not compacted)',
  );
  put(
    'etcd db size',
    `${(before.db / 1e6).toFixed(1)} MB -> ${(after.db / 1e6).toFixed(1)} MB`,
    'maintenance status dbSize (the bbolt file; every revision kept until compacted)',
  );
  put(
    'all replicas open on every broker',
    `${(opened / 1000).toFixed(1)} s`,
    'from CreateTopic sent; samsa_broker_partitions on each broker',
  );
  put('every ISR full', `${(inSync / 1000).toFixed(1)} s`, 'from CreateTopic sent; describe polled every 0.5 s');
  put(
    'broker CPU to open the replicas',
    `${openCpu.map((c) => c.toFixed(1)).join(', ')} s (${((openCpu.reduce((a, b) => a + b, 0) / (3 * N)) * 1000).toFixed(2)} ms per replica)`,
    'utime+stime from /proc/PID/stat, create -> every ISR full, per broker',
  );
  // What is written at rest, by kind of key (partition records, brokers, ...), and what the
  // brokers spend doing nothing.
  const restKinds = new Map<string, number>();
  const restWatch = await etcd.watch().prefix('/samsa/').create();
  restWatch.on('put', (kv: { key: Buffer }) => {
    const kind = kv.key.toString().split('/')[3] ?? '?';
    restKinds.set(kind, (restKinds.get(kind) ?? 0) + 1);
  });
  const idleRev0 = await revision();
  const idleCpu = await cpuOver10s(pids);
  await restWatch.cancel();
  put(
    'etcd writes at rest',
    `${((await revision()) - idleRev0) / 10}/s (keys put: ${[...restKinds].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'})`,
    'revision delta over 10 s with nothing asked (leases are not revisions); keys by their kind',
  );
  put(
    'broker CPU at rest',
    `${idleCpu.map((c) => ((c / 10) * 100).toFixed(0)).join(', ')} % of a core`,
    'utime+stime over the same 10 s, per broker',
  );

  const rssAfter = (await Promise.all(pids.map((p) => rssOf(p)))).map((x) => x ?? 0);
  const fdsAfter = pids.map(fds);
  const perReplica = (a: number[], b: number[]): number => (a.reduce((x, y) => x + y, 0) - b.reduce((x, y) => x + y, 0)) / (3 * N);
  put(
    'broker RSS per replica',
    `${(perReplica(rssAfter, rssBefore) / 1024).toFixed(1)} KiB`,
    `mean over 3 brokers of (RSS after - before) / ${N}`,
  );
  put(
    'broker fds per replica',
    `${perReplica(fdsAfter, fdsBefore).toFixed(2)}`,
    `ls /proc/PID/fd, idle replicas (files closed by the pool)`,
  );

  log('metadata propagation');
  const samples: number[] = [];
  /** The part after the controller answered (its record committed and in its own view). */
  const afterAnswer: number[] = [];
  for (let i = 0; i < 30; i++) {
    const name = `prop-${i}`;
    const s = performance.now();
    await admin.createTopic({ name, partitions: 1, replicationFactor: 1 });
    const answered = performance.now();
    await waitUntil(
      async () => {
        const known = await Promise.all(cluster.brokers.map((b) => knows(b.address, name)));
        return known.every(Boolean);
      },
      30_000,
      `${name} known to every broker`,
      5,
    );
    samples.push(performance.now() - s);
    afterAnswer.push(performance.now() - answered);
  }
  put(
    'admin change to every broker knowing it',
    `p50 ${quantile(samples, 0.5).toFixed(0)} ms, p99 ${quantile(samples, 0.99).toFixed(0)} ms`,
    '30 CreateTopic (1 partition) sent -> GetMetadata of every broker shows it, polled every 5 ms',
  );
  put(
    '... of which after the controller answered',
    `p50 ${quantile(afterAnswer, 0.5).toFixed(0)} ms, p99 ${quantile(afterAnswer, 0.99).toFixed(0)} ms`,
    'CreateTopic answered (committed, in the controller view) -> every broker shows it',
  );

  log('controller failover');
  const md = await samsa.admin().describeCluster();
  const active = cluster.controllers.find((c) => c.name === `controller-${md.controller?.id}`);
  const k0 = performance.now();
  await active?.kill9();
  await waitUntil(
    async () => {
      try {
        await admin.createTopic({ name: `after-failover-${Date.now()}`, partitions: 1, replicationFactor: 1 });
        return true;
      } catch {
        return false;
      }
    },
    60_000,
    'an admin call answered by the new controller',
    50,
  );
  put(
    'controller failover',
    `${((performance.now() - k0) / 1000).toFixed(1)} s`,
    'kill -9 of the active controller -> next CreateTopic answered (lease TTL 3 s)',
  );

  if (FILL) {
    // One record in every partition first: every replica then has files, so the kill -9 restart
    // below must open (recover) all of them before hosting them (ADR 0051), the hard case.
    log(`one record to each of the ${N} partitions`);
    const f0 = performance.now();
    await oneRecordToEveryPartition(samsa, 'big', N);
    await waitUntil(isrFull, BOUND_MS, 'every ISR full after the fill', 500);
    put(
      'one record to every partition',
      `${((performance.now() - f0) / 1000).toFixed(1)} s; fds ${pids.map(fds).join(', ')}; RSS ${(await Promise.all(pids.map((p) => rssOf(p)))).map((r) => `${((r ?? 0) / 1e6).toFixed(0)} MB`).join(', ')}`,
      'acks=1, 500 sends at a time, to every ISR full; then descriptors and RSS per broker (every replica opened)',
    );
  }

  log('broker restart');
  const victim = cluster.brokers[2];
  await victim?.kill9();
  const r0 = performance.now();
  const restartRev0 = await revision();
  await victim?.start(BOUND_MS);
  const started = performance.now() - r0;
  await waitUntil(isrFull, BOUND_MS, 'every ISR full after the restart', 500);
  const restartS = (performance.now() - r0) / 1000;
  const restartRevs = (await revision()) - restartRev0;
  put(
    'broker restart to every ISR full',
    `${restartS.toFixed(1)} s`,
    `kill -9, restart (SERVING after ${(started / 1000).toFixed(1)} s), ${N} replicas`,
  );
  put(
    'etcd writes for the restart',
    `${restartRevs} (${Math.round(restartRevs / restartS)}/s)`,
    "revision delta from the restart to every ISR full (controller moves + leaders' ISR writes)",
  );
  // A clean restart (SIGTERM): the broker hosts its replicas from its shutdown summaries (ADR 0051).
  const c0 = performance.now();
  await victim?.stop();
  const stopped = performance.now() - c0;
  const c1 = performance.now();
  await victim?.start(BOUND_MS);
  const cleanStarted = performance.now() - c1;
  await waitUntil(isrFull, BOUND_MS, 'every ISR full after the clean restart', 500);
  put(
    'broker clean restart to every ISR full',
    `${((performance.now() - c1) / 1000).toFixed(1)} s`,
    `SIGTERM (stopped in ${(stopped / 1000).toFixed(1)} s), restart (SERVING after ${(cleanStarted / 1000).toFixed(1)} s), ${N} replicas`,
  );

  // The same after the fill and both restarts, right before the produce pairs: what the brokers
  // spend on their own then is taken from both sides of every pair.
  const busyCpu = await cpuOver10s(cluster.brokers.map((b) => b.pid));
  put(
    'broker CPU at rest before the produce pairs',
    `${busyCpu.map((c) => ((c / 10) * 100).toFixed(0)).join(', ')} % of a core`,
    `utime+stime over 10 s with nothing asked, after the restarts${FILL ? ' (every replica written by the fill)' : ''}, per broker`,
  );

  log('produce');
  const produce = async (topic: string): Promise<number> => {
    const cpu0 = await cpuSecondsOf(cluster.brokers.map((b) => b.pid));
    const r = await runProduce(samsa, {
      topic,
      recordBytes: 100,
      records: 10_000_000,
      durationMs: SECONDS * 1000,
      acks: 1,
      batchRecords: 5000,
      maxInFlight: 8,
    });
    const cpu = (await cpuSecondsOf(cluster.brokers.map((b) => b.pid))) - cpu0;
    log(`${topic}: ${Math.round(r.records / r.seconds)} records/s, broker CPU ${cpu.toFixed(1)} s for ${r.records} records`);
    return r.records / r.seconds;
  };
  // Alternated pairs in one run (same cluster, same load): the machine is shared, so one pair
  // says little; the median and the spread of PAIRS pairs, with the load at each run, say more.
  const PAIRS = Number(process.env.SAMSA_SCALE_PRODUCE_PAIRS ?? '3');
  const six: number[] = [];
  const big: number[] = [];
  const loads: string[] = [];
  for (let i = 0; i < PAIRS; i++) {
    loads.push(loadAverage(1).split(' ')[0] ?? '?');
    six.push(await produce('six'));
    loads.push(loadAverage(1).split(' ')[0] ?? '?');
    big.push(await produce('big'));
  }
  const med = (xs: number[]): number => quantile(xs, 0.5);
  const k = (x: number): string => `${Math.round(x / 1000)}k`;
  const ratios = big.map((b, i) => b / (six[i] as number));
  put(
    `produce RF=3 acks=1 100 B, ${N} vs 6 partitions`,
    `median ${Math.round(med(big)).toLocaleString('en-US')} vs ${Math.round(med(six)).toLocaleString('en-US')} records/s: ${((med(big) / med(six)) * 100).toFixed(0)}%; pairs (6 / ${N}) ${six.map((x, i) => `${k(x)} / ${k(big[i] as number)}`).join(', ')}; per-pair ratio ${ratios.map((r) => `${(r * 100).toFixed(0)}%`).join(', ')}`,
    `${SECONDS} s runs, ${PAIRS} alternated pairs in one run; 1-min load before each run: ${loads.join(', ')}`,
  );
} catch (err) {
  failure = err;
  log(`stopped early: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  exitIfCleanupHangs(log);
  put('load average at the end', loadAverage(1), '/proc/loadavg (1, 5, 15 min)');
  // What was measured is printed even when a later step failed.
  process.stdout.write(`\n| ${N} partitions, RF 3, 3 brokers | figure | how |\n|---|---|---|\n`);
  for (const [a, b, c] of rows) process.stdout.write(`| ${a} | ${b} | ${c} |\n`);
  if (failure) process.stdout.write(`\nstopped early: ${failure instanceof Error ? failure.message : String(failure)}\n`);
  clients.close();
  etcd.close();
  await samsa.close();
  await cluster.stop();
  if (!process.env.SAMSA_BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
}
if (failure) process.exitCode = 1;
