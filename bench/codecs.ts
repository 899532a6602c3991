/**
 * `npm run bench:codecs`: the five codecs side by side in one run, and the log cleaner's
 * throughput while produce is running (issue 15's benchmark rows). One cluster (etcd, a
 * controller, one broker, plaintext), the SDK in this process (tools/perf, as `samsa perf`).
 *
 * Codecs: for each run, for each codec (the order alternates run by run: none..zstd, then
 * zstd..none, so a change of load hits all alike), a fresh 3-partition RF=1 topic gets
 * SAMSA_BENCH_RECORDS 1 KiB JSON-like records (`--payload json`: 1,024 distinct values) produced
 * with the codec (acks=all, idempotent, 1,000 records per send, 8 sends in flight), then read
 * back whole from the earliest offset. Per codec: records/s; MB/s of record values before
 * compression, and after (the bytes the partitions' .log files hold: what went over the wire and
 * to disk, batch framing included); CPU-seconds per million records of this process (producer or
 * consumer) and of the broker, utime+stime from /proc/<pid>/stat (all threads: native codec
 * threads and the broker's validator workers count).
 *
 * Cleaner: a compacted topic (1 partition, 1 MiB segments, min.cleanable.dirty.ratio 0.1) gets
 * 1 KiB JSON values under SAMSA_BENCH_KEYS keys for SAMSA_BENCH_CLEAN_SECONDS while the broker's
 * cleaner runs (backoff 500 ms, no I/O limit, so what is measured is the cleaner's own speed
 * beside produce). Its throughput is the dirty log it cleaned (the `dirtyBytes` of each "cleaned
 * a log" line of the broker's log) over the time its passes took (`ms`). The same produce to a
 * delete-policy topic just before is the baseline (two rounds, alternated): produce rate without cleaning, and broker
 * CPU, so the cleaner's CPU is the difference.
 *
 * Prints Markdown for docs/benchmarks.md to stdout, progress to stderr, the load average at the
 * start and end of every run.
 *
 *   SAMSA_BENCH_RUNS=3            alternated runs per codec
 *   SAMSA_BENCH_RECORDS=40000     records per codec run
 *   SAMSA_BENCH_CLEAN_SECONDS=20  produce time of each keyed phase (0: skip them)
 *   SAMSA_BENCH_KEYS=2000         keys of the cleaner phase
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Samsa, SamsaError, type ProducerMessage } from '../libs/client/index.js';
import type { CompressionCodec } from '../libs/record/index.js';
import { LocalCluster } from '../tools/launcher/index.js';
import { jsonPayload, runConsume, runProduce } from '../tools/perf/index.js';
import { BenchResources } from './lifetime.js';
import { cpuSecondsOf, figure, type Figure, loadAverage, selfCpuSeconds } from './stats.js';

const RUNS = Number(process.env.SAMSA_BENCH_RUNS ?? '3');
const RECORDS = Number(process.env.SAMSA_BENCH_RECORDS ?? '40000');
const CLEAN_SECONDS = Number(process.env.SAMSA_BENCH_CLEAN_SECONDS ?? '20');
const KEYS = Number(process.env.SAMSA_BENCH_KEYS ?? '2000');
const RECORD_BYTES = 1024;
const PARTITIONS = 3;
const CODECS: readonly CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

const log = (text: string): void => void process.stderr.write(`[bench:codecs] ${text}\n`);

/** Bytes of the .log files of a topic's partitions in a broker's data dir. */
function storedBytes(dataDir: string, topic: string): number {
  let total = 0;
  for (const d of readdirSync(dataDir)) {
    if (!d.startsWith(`${topic}-`)) continue;
    for (const f of readdirSync(join(dataDir, d))) if (f.endsWith('.log')) total += statSync(join(dataDir, d, f)).size;
  }
  return total;
}

async function createTopic(samsa: Samsa, name: string, partitions: number, config: Record<string, string> = {}): Promise<void> {
  try {
    await samsa.admin().createTopic({ name, partitions, replicationFactor: 1, config });
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

interface CodecSample {
  produceRate: number;
  consumeRate: number;
  /** Value bytes / stored bytes. */
  ratio: number;
  storedBytes: number;
  produceClientCpu: number;
  produceBrokerCpu: number;
  consumeClientCpu: number;
  consumeBrokerCpu: number;
}

async function measureCodec(
  samsa: Samsa,
  brokerPid: number,
  dataDir: string,
  codec: CompressionCodec,
  run: number,
  records = RECORDS,
): Promise<CodecSample> {
  const topic = `json-${codec}-${run < 0 ? 'warm' : run}`;
  await createTopic(samsa, topic, PARTITIONS);
  let broker = await cpuSecondsOf([brokerPid]);
  let client = selfCpuSeconds();
  const p = await runProduce(samsa, {
    topic,
    recordBytes: RECORD_BYTES,
    records,
    durationMs: 120_000,
    acks: 'all',
    batchRecords: 1000,
    maxInFlight: 8,
    compression: codec,
    payload: 'json',
    seed: 1000 * run,
  });
  const millions = p.records / 1e6;
  const produceBrokerCpu = ((await cpuSecondsOf([brokerPid])) - broker) / millions;
  const produceClientCpu = (selfCpuSeconds() - client) / millions;
  const stored = storedBytes(dataDir, topic);
  broker = await cpuSecondsOf([brokerPid]);
  client = selfCpuSeconds();
  const c = await runConsume(samsa, { topic, records: p.records, durationMs: 120_000, from: 'earliest', follow: false });
  if (c.records !== p.records) throw new Error(`${topic}: consumed ${c.records} of ${p.records} records`);
  return {
    produceRate: p.records / p.seconds,
    consumeRate: c.records / c.seconds,
    ratio: p.bytes / stored,
    storedBytes: stored,
    produceClientCpu,
    produceBrokerCpu,
    consumeClientCpu: (selfCpuSeconds() - client) / (c.records / 1e6),
    consumeBrokerCpu: ((await cpuSecondsOf([brokerPid])) - broker) / (c.records / 1e6),
  };
}

interface CleanerLine {
  replica: string;
  dirtyBytes: number;
  ms: number;
  recordsRead: number;
  recordsKept: number;
  time: string;
}

/** The broker's "cleaned a log" lines (pino JSON) for `topic`. */
function cleanerLines(logFile: string, topic: string): CleanerLine[] {
  const out: CleanerLine[] = [];
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"cleaned a log"')) continue;
    const row = JSON.parse(line) as CleanerLine & { msg: string };
    if (row.replica.startsWith(`${topic}-`)) out.push(row);
  }
  return out;
}

interface CleanerResult {
  produced: number;
  producedMB: number;
  produceRate: number;
  passes: number;
  dirtyMB: number;
  passSeconds: number;
  brokerCpu: number;
  recordsRead: number;
  recordsKept: number;
  storedMB: number;
}

/**
 * SAMSA_BENCH_CLEAN_SECONDS of keyed 1 KiB writes (KEYS keys, 500 records per send, 4 sends in
 * flight) to a new 1-partition topic with `policy`; with `compact` the cleaner works meanwhile.
 */
async function measureKeyedProduce(
  samsa: Samsa,
  brokerPid: number,
  dataDir: string,
  logFile: string,
  policy: 'compact' | 'delete',
  round: number,
): Promise<CleanerResult> {
  const topic = `keyed-${policy}-${round}`;
  await createTopic(samsa, topic, 1, {
    'cleanup.policy': policy,
    'segment.bytes': String(1024 * 1024),
    'min.cleanable.dirty.ratio': '0.1',
  });
  const values = Array.from({ length: 1024 }, (_, i) => jsonPayload(RECORD_BYTES, 7 + i));
  const producer = samsa.producer({ acks: 'all' });
  const brokerBefore = await cpuSecondsOf([brokerPid]);
  const started = performance.now();
  const deadline = started + CLEAN_SECONDS * 1000;
  let produced = 0;
  const inflight = new Set<Promise<void>>();
  try {
    while (performance.now() < deadline) {
      const messages: ProducerMessage[] = Array.from({ length: 500 }, (_, i) => ({
        key: `key-${(produced + i) % KEYS}`,
        value: values[(produced + i) % values.length] as Buffer,
      }));
      produced += messages.length;
      const sent = producer.send({ topic, messages }).then(() => undefined);
      inflight.add(sent);
      void sent.finally(() => inflight.delete(sent));
      while (inflight.size >= 4) await Promise.race(inflight);
    }
    await Promise.all(inflight);
  } finally {
    await producer.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const brokerCpu = (await cpuSecondsOf([brokerPid])) - brokerBefore;
  // Passes logged by the end of the produce window (one running at its end is not counted).
  const lines = policy === 'compact' ? cleanerLines(logFile, topic) : [];
  const dirty = lines.reduce((s, l) => s + l.dirtyBytes, 0);
  const ms = lines.reduce((s, l) => s + l.ms, 0);
  return {
    produced,
    producedMB: (produced * RECORD_BYTES) / 1e6,
    produceRate: produced / seconds,
    passes: lines.length,
    dirtyMB: dirty / 1e6,
    passSeconds: ms / 1000,
    brokerCpu,
    recordsRead: lines.reduce((s, l) => s + l.recordsRead, 0),
    recordsKept: lines.reduce((s, l) => s + l.recordsKept, 0),
    storedMB: storedBytes(dataDir, topic) / 1e6,
  };
}

const num = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const fmt = (f: Figure, digits = 0): string =>
  f.runs.length > 1 ? `${num(f.median, digits)} (${num(f.min, digits)}–${num(f.max, digits)})` : num(f.median, digits);

function codecTable(samples: Map<CompressionCodec, CodecSample[]>): string {
  const out = [
    '| codec | ratio | produce records/s | produce MB/s before -> after | consume records/s | consume MB/s before -> after | CPU-s per 1M records, produce: client · broker | consume: client · broker |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const codec of CODECS) {
    const s = samples.get(codec) ?? [];
    const f = (pick: (x: CodecSample) => number): Figure => figure(s.map(pick));
    const ratio = f((x) => x.ratio).median;
    const mb = (rate: number): string => `${num((rate * RECORD_BYTES) / 1e6, 1)} -> ${num((rate * RECORD_BYTES) / 1e6 / ratio, 1)}`;
    out.push(
      `| ${codec} | ${num(ratio, 2)} | ${fmt(f((x) => x.produceRate))} | ${mb(f((x) => x.produceRate).median)} | ` +
        `${fmt(f((x) => x.consumeRate))} | ${mb(f((x) => x.consumeRate).median)} | ` +
        `${fmt(
          f((x) => x.produceClientCpu),
          1,
        )} · ${fmt(
          f((x) => x.produceBrokerCpu),
          1,
        )} | ${fmt(
          f((x) => x.consumeClientCpu),
          1,
        )} · ${fmt(
          f((x) => x.consumeBrokerCpu),
          1,
        )} |`,
    );
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  process.stdout.write(
    `Codecs and cleaner, ${new Date().toISOString()}: ${cpus().length} cores, node ${process.version}; load average at start ${loadAverage()}; ` +
      `${RUNS} alternated runs of ${num(RECORDS)} x 1 KiB JSON-like records per codec; medians (min–max)\n\n`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-codecs-'));
  const owned = new BenchResources();
  owned.stopOnSignals();
  try {
    log(`starting etcd, a controller and one broker (plaintext) in ${dir}`);
    const cluster = owned.own(
      await LocalCluster.start({
        dir,
        brokers: 1,
        coordinators: 0,
        security: 'insecure',
        env: { SAMSA_LOG_CLEANER_BACKOFF_MS: '500', SAMSA_LOG_CLEANER_IO_MAX_BYTES_PER_SECOND: '0' },
      }),
      (c) => c.stop(),
    );
    const broker = cluster.brokers[0];
    if (broker?.pid === undefined) throw new Error('the broker has no pid');
    const brokerPid = broker.pid;
    const samsa = owned.own(new Samsa({ bootstrap: [broker.address], tls: false }), (s) => s.close());
    // Warm-up, not reported: connections, JIT, the codecs' first use.
    for (const codec of CODECS) await measureCodec(samsa, brokerPid, broker.spec.dataDir, codec, -1, 5000);
    const samples = new Map<CompressionCodec, CodecSample[]>();
    for (let run = 0; run < RUNS; run++) {
      for (const codec of run % 2 === 0 ? CODECS : [...CODECS].reverse()) {
        const s = await measureCodec(samsa, brokerPid, broker.spec.dataDir, codec, run);
        samples.set(codec, [...(samples.get(codec) ?? []), s]);
        log(
          `run ${run + 1} ${codec}: ratio ${s.ratio.toFixed(2)}, produce ${num(s.produceRate)} records/s ` +
            `(CPU-s/M client ${s.produceClientCpu.toFixed(1)}, broker ${s.produceBrokerCpu.toFixed(1)}), consume ${num(s.consumeRate)} records/s ` +
            `(client ${s.consumeClientCpu.toFixed(1)}, broker ${s.consumeBrokerCpu.toFixed(1)}) (load ${loadAverage()})`,
        );
      }
    }
    process.stdout.write(`${codecTable(samples)}\n\nload average after the codec runs ${loadAverage()}\n`);
    if (CLEAN_SECONDS > 0) {
      const args = [samsa, brokerPid, broker.spec.dataDir, broker.spec.logFile] as const;
      log(`keyed produce, ${CLEAN_SECONDS} s to a delete-policy topic (baseline), then to a compacted one (${num(KEYS)} keys)`);
      for (let round = 0; round < 2; round++) {
        const base = await measureKeyedProduce(...args, 'delete', round);
        log(`baseline: ${num(base.produceRate)} records/s, broker CPU ${num(base.brokerCpu, 1)} s (load ${loadAverage()})`);
        const c = await measureKeyedProduce(...args, 'compact', round);
        process.stdout.write(
          `\nRound ${round + 1}, load ${loadAverage()}. Cleaner with produce running (${CLEAN_SECONDS} s, ${num(KEYS)} keys, 1 KiB JSON values, codec none, 1 MiB segments, ` +
            `min.cleanable.dirty.ratio 0.1, no I/O limit): produced ${num(c.produced)} records (${num(c.producedMB, 1)} MB) at ` +
            `${num(c.produceRate)} records/s (the same produce to a delete-policy topic just before: ${num(base.produceRate)} records/s, ` +
            `broker CPU ${num(base.brokerCpu, 1)} s); ${c.passes} cleaning passes cleaned ${num(c.dirtyMB, 1)} MB of dirty log in ` +
            `${num(c.passSeconds, 1)} s of passes = **${num(c.passSeconds > 0 ? c.dirtyMB / c.passSeconds : 0, 1)} MB/s** ` +
            `(read ${num(c.recordsRead)} records, kept ${num(c.recordsKept)}); the partition holds ${num(c.storedMB, 1)} MB at the end; ` +
            `broker CPU ${num(c.brokerCpu, 1)} s over the window (${num(c.brokerCpu / CLEAN_SECONDS, 2)} cores; baseline ` +
            `${num(base.brokerCpu / CLEAN_SECONDS, 2)}: when these are equal the broker got all the CPU the machine gave it, and ` +
            `cleaning took its time from produce)\n`,
        );
      }
    }
  } finally {
    await owned.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`\nload average at the end ${loadAverage()}; took ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

await main();
