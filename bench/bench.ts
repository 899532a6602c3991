/**
 * `npm run bench`: Samsa's benchmark suite, side by side with Redis Streams and NATS JetStream
 * when `redis-server` / `nats-server` are on PATH (skipped with a note when not; nothing is
 * installed). Starts its own cluster (etcd, a controller, three brokers) in a temp dir, warms it
 * up, and runs each workload several times for a median and a spread (min..max), for 100-byte
 * and 1 KiB records. Every run is bounded by a record count and a duration; all traffic is on
 * loopback. Prints Markdown tables for docs/benchmarks.md to stdout, progress to stderr. Around
 * each produce run and each page-cache consume run it also reads the CPU-seconds the server
 * processes used (Samsa: etcd, controller, brokers, coordinator; a peer: its one process; never the
 * benchmark's own client), for the CPU-per-GB rows.
 *
 * Settings (environment):
 *   SAMSA_BENCH_RUNS=3          runs per figure
 *   SAMSA_BENCH_SECONDS=5       length of one throughput run (e2e runs: 2x)
 *   SAMSA_BENCH_ONLY=produce,consume,e2e,groups,partitions,rss,plaintext,redis,nats   sections to run (default all;
 *                               plaintext: the 1 KiB produce and consume rows again on a plaintext cluster)
 *   SAMSA_BENCH_SIZES=100,1024  record sizes
 *   SAMSA_BENCH_CPU_PROF=DIR    brokers run with --cpu-prof, profiles written to DIR at the end
 *   SAMSA_BENCH_BROKER_NODE_ARGS='--flag ...'   extra node flags for every broker (A/B of V8 settings)
 *   SAMSA_BENCH_KEEP=1          keep the temp dir (data and logs)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Samsa, SamsaError, type Acks } from '../libs/client/index.js';
import { LocalCluster } from '../tools/launcher/index.js';
import { runConsume, runE2e, runProduce, type PerfReport } from '../tools/perf/index.js';
import { evict, segmentFiles } from './page-cache.js';
import type { PeerDriver } from './peers/driver.js';
import { NatsPeer } from './peers/nats.js';
import { RedisPeer } from './peers/redis.js';
import { alternateReads } from './group-read.js';
import { GcCounter, RssSampler, figure, measureRun, repeat, rssOf, withCpu, withTimeout, type Figure } from './stats.js';
import { onPath, printTables, ratio, type Peer, type Row } from './table.js';

const RUNS = Number(process.env.SAMSA_BENCH_RUNS ?? '3');
const SECONDS = Number(process.env.SAMSA_BENCH_SECONDS ?? '5');
const SIZES = (process.env.SAMSA_BENCH_SIZES ?? '100,1024').split(',').map(Number);
const ONLY = new Set((process.env.SAMSA_BENCH_ONLY ?? 'produce,consume,e2e,groups,partitions,rss,plaintext,redis,nats').split(','));
const CPU_PROF = process.env.SAMSA_BENCH_CPU_PROF ? resolve(process.env.SAMSA_BENCH_CPU_PROF) : undefined;
const BROKER_NODE_ARGS = (process.env.SAMSA_BENCH_BROKER_NODE_ARGS ?? '').split(/\s+/).filter((a) => a !== '');
const E2E_RATE = 10_000;
/**
 * The cluster above runs TLS on every connection, the peers plaintext: the 1 KiB produce and
 * consume rows are run again on a plaintext cluster (section `plaintext`) for a like-for-like row.
 */
const PLAIN = ', plaintext cluster';
const PLAIN_SIZES = SIZES.filter((s) => s === 1024);
/** Cap on records of one throughput run, by record size (the duration usually ends it first). */
const maxRecords = (size: number): number => (size <= 100 ? 10_000_000 : 2_000_000);

const rows: Row[] = [];
/** What must be stopped if the run is interrupted (Ctrl-C): the cluster and the peer servers. */
const running = new Set<{ stop(): Promise<void> }>();
let interrupted = false;
const onSignal = (signal: NodeJS.Signals): void => {
  if (interrupted) return;
  interrupted = true;
  process.stderr.write(`[bench] ${signal}: stopping the servers this benchmark started\n`);
  void Promise.allSettled([...running].map((r) => r.stop())).then(() => process.exit(130));
};
const notes: string[] = [];

const log = (text: string): void => void process.stderr.write(`[bench] ${text}\n`);
const rate = (r: PerfReport): number => (r.seconds > 0 ? r.records / r.seconds : 0);
const ms = (micros: number): number => micros / 1000;
const sizeLabel = (size: number): string => (size === 1024 ? '1 KiB' : `${size} B`);
/** CPU-seconds per GB (10^9 bytes of record values) of a run that moved `bytes`. */
const perGb = (cpuSeconds: number, bytes: number): number => (bytes > 0 ? cpuSeconds / (bytes / 1e9) : Number.NaN);
const CPU_UNIT = 'CPU-s/GB';
const cpuProducedRow = (size: number): string => `CPU per GB produced, ${sizeLabel(size)} (server processes)`;
const cpuConsumedRow = (size: number): string => `CPU per GB consumed from the page cache, ${sizeLabel(size)} (server processes)`;
/** Every Samsa server process of the cluster: etcd, controllers, brokers, coordinators (not the client). */
const serverPids = (cluster: LocalCluster): (number | undefined)[] => [
  cluster.etcd.child.pid,
  ...cluster.controllers.map((c) => c.pid),
  ...cluster.brokers.map((b) => b.pid),
  ...cluster.coordinators.map((c) => c.pid),
];

/** `workload` and, when the plaintext cluster ran it, its plaintext twin: a peer's figure stands beside both. */
const withPlain = (workload: string): string[] => [
  workload,
  ...(rows.some((r) => r.workload === workload + PLAIN) ? [workload + PLAIN] : []),
];

function row(section: string, workload: string, unit: string, samsa: Figure | undefined, lowerIsBetter = false): Row {
  let r = rows.find((x) => x.section === section && x.workload === workload && x.unit === unit);
  if (!r) {
    r = { section, workload, unit, samsa, peers: {}, lowerIsBetter };
    rows.push(r);
  } else if (samsa) r.samsa = samsa;
  return r;
}

async function createTopic(samsa: Samsa, name: string, partitions: number, replicationFactor: number): Promise<void> {
  try {
    await samsa.admin().createTopic({ name, partitions, replicationFactor, config: { 'max.message.bytes': String(8 * 1024 * 1024) } });
  } catch (err) {
    if (!(err instanceof SamsaError && err.reason === 'TOPIC_ALREADY_EXISTS')) throw err;
  }
  // Every partition must have a leader the client knows before timing starts.
  for (let i = 0; i < 100; i++) {
    const [t] = await samsa.admin().describeTopics([name]);
    if (t && t.partitions.length === partitions && t.partitions.every((p) => p.leaderId > 0)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`topic ${name} has no leaders after 20 s`);
}

/** A produce run of `seconds` (or until `records`: sections that fill a topic to read pass both). */
function produceRun(
  samsa: Samsa,
  topic: string,
  size: number,
  acks: Acks,
  seconds = SECONDS,
  records = maxRecords(size),
): Promise<PerfReport> {
  return runProduce(samsa, {
    topic,
    recordBytes: size,
    records,
    durationMs: seconds * 1000,
    acks,
    batchRecords: size <= 100 ? 5000 : 1000,
    maxInFlight: 8,
  });
}

/**
 * The Samsa sections on `cluster`. `plain` (the plaintext cluster): only its produce and consume
 * rows, at its sizes, each workload named with ", plaintext cluster".
 */
async function samsaSections(cluster: LocalCluster, samsa: Samsa, plain?: { sizes: number[] }): Promise<void> {
  const only = plain ? new Set(['produce', 'consume']) : ONLY;
  const sizes = plain?.sizes ?? SIZES;
  const tag = plain ? PLAIN : '';
  const brokerPids = cluster.brokers.map((b) => b.pid);
  const brokerUrls = cluster.brokers.map((b) => b.metricsUrl);
  const measure = <T>(fn: () => Promise<T>) => measureRun(serverPids(cluster), brokerUrls, fn);
  log('warm-up (not reported)');
  await createTopic(samsa, 'warmup', 6, 1);
  await produceRun(samsa, 'warmup', 100, 1, 4);
  await runConsume(samsa, { topic: 'warmup', records: 2_000_000, durationMs: 10_000, from: 'earliest', follow: false });

  const loadRss = new RssSampler(brokerPids).start();
  if (only.has('produce')) {
    for (const size of sizes) {
      for (const [rf, acks, label] of [
        [1, 1, 'RF=1 acks=1'],
        [3, 'all', 'RF=3 acks=all'],
      ] as const) {
        const topic = `produce-rf${rf}-${size}`;
        await createTopic(samsa, topic, 6, rf);
        const runs = await repeat(RUNS, async (i) => {
          const { result: r, cpuSeconds, gc } = await measure(() => produceRun(samsa, topic, size, acks));
          log(
            `produce ${label} ${size} B${tag} run ${i + 1}: ${Math.round(rate(r)).toLocaleString('en-US')} records/s, p99 ${ms(r.latency.percentile(99)).toFixed(1)} ms, ${perGb(cpuSeconds, r.bytes).toFixed(1)} CPU-s/GB; ${gc}`,
          );
          return { r, cpuSeconds };
        });
        const reports = runs.map((x) => x.r);
        row('produce', `produce ${label}, 6 partitions, ${sizeLabel(size)}${tag}`, 'records/s', figure(reports.map(rate)));
        row(
          'produce',
          `produce ${label}, 6 partitions, ${sizeLabel(size)}${tag}`,
          'MB/s',
          figure(reports.map((r) => r.bytes / r.seconds / 1e6)),
        );
        row('cpu', `${cpuProducedRow(size)}, ${label}${tag}`, CPU_UNIT, figure(runs.map((x) => perGb(x.cpuSeconds, x.r.bytes))), true);
      }
    }
  }
  if (only.has('consume')) {
    for (const size of sizes) {
      const topic = `consume-${size}`;
      await createTopic(samsa, topic, 6, 1);
      const total = size <= 100 ? 3_000_000 : 500_000;
      const written = await produceRun(samsa, topic, size, 1, 60, total);
      log(`consume ${size} B${tag}: wrote ${written.records} records`);
      const gc = new GcCounter();
      const consume = (): Promise<PerfReport> =>
        gc.run(() =>
          runConsume(samsa, { topic, records: written.records, durationMs: SECONDS * 2 * 1000, from: 'earliest', follow: false }),
        );
      const hotRuns = await repeat(RUNS, async (i) => {
        const { result: r, cpuSeconds, gc: brokersGc } = await measure(consume);
        log(
          `consume tail/page cache ${size} B${tag} run ${i + 1}: ${Math.round(rate(r)).toLocaleString('en-US')} records/s, ${perGb(cpuSeconds, r.bytes).toFixed(1)} CPU-s/GB; ${gc.last}; ${brokersGc}`,
        );
        return { r, cpuSeconds };
      });
      const hot = hotRuns.map((x) => x.r);
      row('cpu', cpuConsumedRow(size) + tag, CPU_UNIT, figure(hotRuns.map((x) => perGb(x.cpuSeconds, x.r.bytes))), true);
      row('consume', `consume from the page cache (just written), ${sizeLabel(size)}${tag}`, 'records/s', figure(hot.map(rate)));
      row(
        'consume',
        `consume from the page cache (just written), ${sizeLabel(size)}${tag}`,
        'MB/s',
        figure(hot.map((r) => r.bytes / r.seconds / 1e6)),
      );
      const files = segmentFiles(cluster.dir, topic);
      const cold = await repeat(RUNS, async (i) => {
        const left = await evict(files);
        const r = await consume();
        log(
          `consume from disk ${size} B${tag} run ${i + 1}: ${Math.round(rate(r)).toLocaleString('en-US')} records/s (${left ?? '?'} bytes of ${files.length} segment files still cached before); ${gc.last}`,
        );
        return r;
      });
      row(
        'consume',
        `consume from disk (segments evicted from the page cache), ${sizeLabel(size)}${tag}`,
        'records/s',
        figure(cold.map(rate)),
      );
      row(
        'consume',
        `consume from disk (segments evicted from the page cache), ${sizeLabel(size)}${tag}`,
        'MB/s',
        figure(cold.map((r) => r.bytes / r.seconds / 1e6)),
      );
    }
  }
  if (only.has('e2e')) {
    for (const size of sizes) {
      const topic = `e2e-${size}`;
      await createTopic(samsa, topic, 1, 3);
      // Not reported: a new partition's first acks=all write waits for its followers to start
      // fetching it (100-250 ms), which is not the steady state this section measures.
      await runE2e(samsa, {
        topic,
        recordBytes: size,
        records: E2E_RATE,
        durationMs: 1000,
        acks: 'all',
        throughput: E2E_RATE,
        maxInFlight: 8,
      });
      const reports = await repeat(RUNS, async (i) => {
        const r = await runE2e(samsa, {
          topic,
          recordBytes: size,
          records: E2E_RATE * SECONDS * 2,
          durationMs: SECONDS * 2 * 1000,
          acks: 'all',
          throughput: E2E_RATE,
          maxInFlight: 8,
        });
        log(
          `e2e ${size} B run ${i + 1}: p50 ${ms(r.latency.percentile(50)).toFixed(2)} p99 ${ms(r.latency.percentile(99)).toFixed(2)} p99.9 ${ms(r.latency.percentile(99.9)).toFixed(2)} ms`,
        );
        return r;
      });
      for (const p of [50, 99, 99.9])
        row(
          'e2e',
          `end-to-end p${p} at ${E2E_RATE.toLocaleString('en-US')}/s, RF=3 acks=all, 1 partition, ${sizeLabel(size)}`,
          'ms',
          figure(reports.map((r) => ms(r.latency.percentile(p)))),
          true,
        );
    }
  }
  const underLoad = await loadRss.stop();
  if (!plain && (only.has('produce') || only.has('consume')))
    row('rss', 'broker RSS, largest of 3 brokers during the produce and consume runs', 'MiB', figure([underLoad / 1048576]), true);
  if (only.has('groups')) await groupSection(cluster, samsa);
  if (only.has('partitions')) {
    for (const partitions of [1, 6, 100, 1000]) {
      const topic = `partitions-${partitions}`;
      const t0 = performance.now();
      await createTopic(samsa, topic, partitions, 1);
      log(`created ${topic} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      // A partition's first write costs more (the broker may still be opening the replica): touch
      // every partition once, unreported, with one small send each (keyless sends rotate).
      await runProduce(samsa, {
        topic,
        recordBytes: 100,
        records: partitions * 10,
        durationMs: 60_000,
        acks: 1,
        batchRecords: 10,
        maxInFlight: 8,
      });
      const reports = await repeat(RUNS, async (i) => {
        const r = await produceRun(samsa, topic, 100, 1);
        log(`produce to ${partitions} partitions run ${i + 1}: ${Math.round(rate(r)).toLocaleString('en-US')} records/s`);
        return r;
      });
      row(
        'partitions',
        `produce RF=1 acks=1, 100 B, ${partitions} partition${partitions === 1 ? '' : 's'}`,
        'records/s',
        figure(reports.map(rate)),
      );
    }
  }
  if (only.has('rss')) {
    const topic = 'stalled';
    await createTopic(samsa, topic, 6, 1);
    const consumer = samsa.consumer();
    try {
      // One streamed chunk is taken from every partition, then nothing more: the consumer stalls.
      const streams = Array.from({ length: 6 }, (_, partition) =>
        consumer.partition({ topic, partition, from: 'earliest', follow: true }).chunks(),
      );
      const sampler = new RssSampler(brokerPids).start();
      const firsts = streams.map((s) => s.next());
      const r = await produceRun(samsa, topic, 1024, 1, SECONDS * 3);
      await withTimeout(Promise.all(firsts), 5_000, 'the first chunks').catch(() => undefined);
      const stalled = await sampler.stop();
      log(`stalled consumer: wrote ${(r.bytes / 1e6).toFixed(0)} MB, broker RSS at most ${(stalled / 1048576).toFixed(0)} MiB`);
      row(
        'rss',
        `broker RSS, largest of 3, with a stalled consumer on every partition while ${(r.bytes / 1e6).toFixed(0)} MB are written`,
        'MiB',
        figure([stalled / 1048576]),
        true,
      );
    } finally {
      await consumer.close();
    }
  }
}

/** Issue 17's group item: bench/group-read.ts's three reads of a 6-partition RF=3 topic (the coordinator's CPU per GB says whether records pass through it). */
async function groupSection(cluster: LocalCluster, samsa: Samsa): Promise<void> {
  const coordinatorPids = cluster.coordinators.map((c) => c.pid);
  for (const size of SIZES) {
    const topic = `groups-${size}`;
    await createTopic(samsa, topic, 6, 3);
    const written = await produceRun(samsa, topic, size, 'all', 60, size <= 100 ? 1_000_000 : 200_000);
    const reads = { topic, partitions: 6, records: written.records, runs: RUNS, coordinatorPids, tag: String(size) };
    const runs = await alternateReads(samsa, reads, log);
    const direct = figure(runs[0]?.rates ?? []);
    for (const [m, { mode, rates: r, startMs, coordinatorPerGb }] of runs.entries()) {
      const rates = figure(r);
      const workload = `read a 6-partition RF=3 topic from the start, ${mode}, ${sizeLabel(size)}`;
      row('groups', workload, 'records/s', rates);
      row('groups', `${workload}: time to the first records (join / offset lookup)`, 'ms', figure(startMs), true);
      row('cpu', `coordinator CPU per GB read, ${mode}, ${sizeLabel(size)}`, CPU_UNIT, figure(coordinatorPerGb), true);
      if (m > 0) notes.push(`${workload}: ${ratio(rates, direct)}x the direct read (medians${m === 1 ? '; issue 17 asks >= 0.9x' : ''})`);
    }
  }
}

async function peerSection(name: Peer, binary: string, start: (dir: string) => Promise<PeerDriver>, dir: string): Promise<void> {
  if (!ONLY.has(name)) return;
  if (!onPath(binary)) {
    notes.push(`${name}: \`${binary}\` is not installed, so it was skipped (install it and run again to compare).`);
    return;
  }
  log(`${name}: starting ${binary}`);
  const peer = await start(dir);
  running.add(peer);
  const label = name === 'redis' ? 'Redis' : 'NATS';
  try {
    const sampler = new RssSampler([peer.pid]).start();
    for (const size of SIZES) {
      const stream = `bench${size}`;
      await peer.clear(stream);
      await peer.produce(stream, size, 200_000, 3_000); // warm-up
      const producedRuns = await repeat(RUNS, async (i) => {
        await peer.clear(stream);
        const { result: r, cpuSeconds } = await withCpu([peer.pid], () => peer.produce(stream, size, maxRecords(size), SECONDS * 1000));
        log(
          `${name} produce ${size} B run ${i + 1}: ${Math.round(rate(r)).toLocaleString('en-US')} records/s, ${perGb(cpuSeconds, r.bytes).toFixed(1)} CPU-s/GB`,
        );
        return { r, cpuSeconds };
      });
      const produced = producedRuns.map((x) => x.r);
      const producedCpu = figure(producedRuns.map((x) => perGb(x.cpuSeconds, x.r.bytes)));
      for (const rf of ['RF=1 acks=1', 'RF=3 acks=all'])
        for (const w of withPlain(`${cpuProducedRow(size)}, ${rf}`)) row('cpu', w, CPU_UNIT, undefined, true).peers[name] = producedCpu;
      const key = (rf: string): string => `produce ${rf}, 6 partitions, ${sizeLabel(size)}`;
      for (const k of [key('RF=1 acks=1'), key('RF=3 acks=all')].flatMap(withPlain)) {
        row('produce', k, 'records/s', undefined).peers[name] = figure(produced.map(rate));
        row('produce', k, 'MB/s', undefined).peers[name] = figure(produced.map((r) => r.bytes / r.seconds / 1e6));
      }
      const last = produced[produced.length - 1] as PerfReport;
      const consumedRuns = await repeat(RUNS, async (i) => {
        const { result: r, cpuSeconds } = await withCpu([peer.pid], () => peer.consume(stream, last.records, SECONDS * 2 * 1000));
        log(
          `${name} consume ${size} B run ${i + 1}: ${Math.round(rate(r)).toLocaleString('en-US')} records/s, ${perGb(cpuSeconds, r.bytes).toFixed(1)} CPU-s/GB`,
        );
        return { r, cpuSeconds };
      });
      const consumed = consumedRuns.map((x) => x.r);
      for (const w of withPlain(cpuConsumedRow(size)))
        row('cpu', w, CPU_UNIT, undefined, true).peers[name] = figure(consumedRuns.map((x) => perGb(x.cpuSeconds, x.r.bytes)));
      for (const where of ['from the page cache (just written)', 'from disk (segments evicted from the page cache)']) {
        for (const w of withPlain(`consume ${where}, ${sizeLabel(size)}`)) {
          row('consume', w, 'records/s', undefined).peers[name] = figure(consumed.map(rate));
          row('consume', w, 'MB/s', undefined).peers[name] = figure(consumed.map((r) => r.bytes / r.seconds / 1e6));
        }
      }
      await peer.clear(stream);
      const e2e = await repeat(RUNS, async (i) => {
        const r = await peer.e2e(stream, size, E2E_RATE, E2E_RATE * SECONDS * 2, SECONDS * 2 * 1000);
        log(
          `${name} e2e ${size} B run ${i + 1}: p50 ${ms(r.latency.percentile(50)).toFixed(2)} p99 ${ms(r.latency.percentile(99)).toFixed(2)} ms (${r.records} records)`,
        );
        return r;
      });
      for (const p of [50, 99, 99.9]) {
        row(
          'e2e',
          `end-to-end p${p} at ${E2E_RATE.toLocaleString('en-US')}/s, RF=3 acks=all, 1 partition, ${sizeLabel(size)}`,
          'ms',
          undefined,
          true,
        ).peers[name] = figure(e2e.map((r) => ms(r.latency.percentile(p))));
      }
      await peer.clear(stream);
    }
    const rss = await sampler.stop();
    row('rss', 'broker RSS, largest of 3 brokers during the produce and consume runs', 'MiB', undefined, true).peers[name] = figure([
      rss / 1048576,
    ]);
    notes.push(
      `${label}: one server process (no replication), so its figures stand beside both Samsa RF=1 and RF=3 rows, and beside both consume rows (${name === 'redis' ? 'Redis keeps the stream in memory; its consume never reads the disk' : 'JetStream read back data it had just written'}). Driven over its raw protocol by this benchmark (no client library), with the same pipelining depth as the Samsa producer.`,
    );
  } finally {
    await peer.stop();
    running.delete(peer);
  }
}

async function main(): Promise<void> {
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-'));
  const started = new Date();
  process.stdout.write(
    `Samsa benchmark, ${started.toISOString()}: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version} ${process.execArgv.join(' ')}${BROKER_NODE_ARGS.length > 0 ? `, brokers ${BROKER_NODE_ARGS.join(' ')}` : ''}; ` +
      `load average at start ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; ${RUNS} runs per figure, ${SECONDS} s per throughput run\n\n`,
  );
  let cluster: LocalCluster | undefined;
  let samsa: Samsa | undefined;
  const profiled = { brokerNodeArgs: [...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : []), ...BROKER_NODE_ARGS] };
  try {
    if (['produce', 'consume', 'e2e', 'groups', 'partitions', 'rss'].some((s) => ONLY.has(s))) {
      log(`starting etcd, a controller and 3 brokers in ${dir}`);
      cluster = await LocalCluster.start({
        dir,
        brokers: 3,
        env: { SAMSA_LOG_LEVEL: 'warn' },
        ...profiled,
      });
      running.add(cluster);
      samsa = new Samsa({ bootstrap: cluster.brokers.map((b) => b.address) });
      await samsaSections(cluster, samsa);
      log(
        `broker RSS at the end: ${(await Promise.all(cluster.brokers.map((b) => rssOf(b.pid)))).map((r) => ((r ?? 0) / 1048576).toFixed(0)).join(', ')} MiB`,
      );
    }
    await samsa?.close();
    samsa = undefined;
    await cluster?.stop();
    cluster = undefined;
    if (ONLY.has('plaintext') && PLAIN_SIZES.length > 0) {
      log(`starting a plaintext cluster (etcd, a controller and 3 brokers) in ${dir}/plain`);
      cluster = await LocalCluster.start({
        dir: join(dir, 'plain'),
        brokers: 3,
        security: 'insecure',
        env: { SAMSA_LOG_LEVEL: 'warn' },
        ...profiled,
      });
      running.add(cluster);
      samsa = new Samsa({ bootstrap: cluster.brokers.map((b) => b.address), tls: false });
      await samsaSections(cluster, samsa, { sizes: PLAIN_SIZES });
      await samsa.close();
      samsa = undefined;
      await cluster.stop();
      cluster = undefined;
    }
    await peerSection('redis', 'redis-server', (d) => RedisPeer.start(d), join(dir, 'redis'));
    await peerSection('nats', 'nats-server', (d) => NatsPeer.start(d), join(dir, 'nats'));
  } finally {
    await samsa?.close();
    await cluster?.stop();
    printTables(rows, notes);
    process.stdout.write(
      `\nload average at the end ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; took ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s\n`,
    );
    if (process.env.SAMSA_BENCH_KEEP) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
