/**
 * `samsa perf produce|consume|e2e TOPIC`: the workloads of tools/perf with a progress line on
 * stderr every second and the summary on stdout. Ctrl-C ends the run early (the summary still
 * prints); failures are errors like in every other command (exit 1). `samsa perf failover` starts
 * a cluster of its own (tools/perf/failover.ts) and prints write unavailability around failures.
 */
import { SamsaError, parseOffsetSpec, type Acks, type OffsetSpec, type Samsa } from '../../libs/client/index.js';
import { FAILOVER_SCENARIOS, formatFailover, formatProgress, formatSummary, runConsume, runE2e, runFailover, runProduce, type FailoverScenario, type PayloadKind, type PerfProgress, type PerfReport } from '../../tools/perf/index.js';
import { PERF_CONSUME_HELP, PERF_E2E_HELP, PERF_FAILOVER_HELP, PERF_HELP, PERF_PRODUCE_HELP } from '../help.js';
import { compressionFlag, parseAcks } from './produce.js';
import { UsageError, intFlag, parseCommand, positionals, type Parsed } from '../usage.js';

export interface PerfIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Registers what to do on Ctrl-C; returns a function that unregisters it. */
  onInterrupt: (stop: () => void) => () => void;
}

const SUBCOMMANDS = 'produce, consume, e2e, failover';

const TOPIC_OPTIONS = {
  partitions: { type: 'string' },
  'replication-factor': { type: 'string' },
} as const;

const PRODUCE_OPTIONS = {
  ...TOPIC_OPTIONS,
  'num-records': { type: 'string' },
  duration: { type: 'string' },
  'record-size': { type: 'string' },
  acks: { type: 'string' },
  'batch-size': { type: 'string' },
  'max-in-flight': { type: 'string' },
  'requests-per-partition': { type: 'string' },
  throughput: { type: 'string' },
  compression: { type: 'string' },
  payload: { type: 'string' },
} as const;

const CONSUME_OPTIONS = {
  'num-records': { type: 'string' },
  duration: { type: 'string' },
  from: { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
} as const;

const E2E_OPTIONS = {
  ...TOPIC_OPTIONS,
  'num-records': { type: 'string' },
  duration: { type: 'string' },
  'record-size': { type: 'string' },
  acks: { type: 'string' },
  'max-in-flight': { type: 'string' },
  'requests-per-partition': { type: 'string' },
  throughput: { type: 'string' },
} as const;

const FAILOVER_OPTIONS = {
  runs: { type: 'string' },
  scenarios: { type: 'string' },
  partitions: { type: 'string' },
  'lease-ttl': { type: 'string' },
  'keep-dir': { type: 'boolean' },
} as const;

export async function perfCommand(sub: string | undefined, args: string[], client: () => Samsa, io: PerfIo): Promise<void> {
  switch (sub) {
    case 'produce':
      return produce(args, client, io);
    case 'consume':
      return consume(args, client, io);
    case 'e2e':
      return e2e(args, client, io);
    case 'failover':
      return failover(args, io);
    case '--help':
    case '-h':
      return io.stdout(PERF_HELP);
    case undefined:
      throw new UsageError(`missing perf workload (${SUBCOMMANDS})`, PERF_HELP);
    default:
      throw new UsageError(`unknown perf workload "${sub}" (${SUBCOMMANDS})`, PERF_HELP);
  }
}

async function produce(args: string[], client: () => Samsa, io: PerfIo): Promise<void> {
  const help = PERF_PRODUCE_HELP;
  const parsed = parseCommand(args, PRODUCE_OPTIONS, help);
  if (parsed.values.help) return io.stdout(help);
  const [topic] = positionals(parsed, ['TOPIC'], help) as [string];
  const v = parsed.values;
  const acks = parseAcks(v.acks, help);
  const workload = {
    topic,
    records: intFlag(v['num-records'], 'num-records', help, 1, 1_000_000),
    durationMs: seconds(v.duration, help),
    recordBytes: intFlag(v['record-size'], 'record-size', help, 1, 100),
    acks,
    batchRecords: intFlag(v['batch-size'], 'batch-size', help, 1, 5000),
    maxInFlight: intFlag(v['max-in-flight'], 'max-in-flight', help, 1, 8),
    requestsPerPartition: requestsPerPartition(v['requests-per-partition'], acks, help),
    ...(v.throughput !== undefined ? { throughput: intFlag(v.throughput, 'throughput', help, 1) } : {}),
    compression: compressionFlag(v.compression, help),
    payload: payloadFlag(v.payload, help),
  };
  await ensureTopic(client(), parsed, help);
  const report = await withProgress('produce', io, (hooks) => runProduce(client(), workload, hooks));
  const perPartition = workload.requestsPerPartition > 1 ? `, ${workload.requestsPerPartition} requests per partition` : '';
  io.stdout(formatSummary('produce', report, `${workload.recordBytes}-byte ${workload.payload} records, compression=${workload.compression}, acks=${workload.acks}, ${workload.batchRecords} per send, ${workload.maxInFlight} in flight${perPartition}`));
}

async function consume(args: string[], client: () => Samsa, io: PerfIo): Promise<void> {
  const help = PERF_CONSUME_HELP;
  const parsed = parseCommand(args, CONSUME_OPTIONS, help);
  if (parsed.values.help) return io.stdout(help);
  const [topic] = positionals(parsed, ['TOPIC'], help) as [string];
  const v = parsed.values;
  const follow = v.follow ?? false;
  if (follow && v['num-records'] === undefined && v.duration === undefined) {
    throw new UsageError('--follow needs --num-records or --duration to end', help);
  }
  let from: OffsetSpec;
  try {
    from = parseOffsetSpec(v.from ?? 'earliest');
  } catch (err) {
    throw new UsageError(`--from: ${err instanceof Error ? err.message : String(err)}`, help);
  }
  const workload = {
    topic,
    records: v['num-records'] === undefined ? Number.POSITIVE_INFINITY : intFlag(v['num-records'], 'num-records', help, 1),
    durationMs: seconds(v.duration, help),
    from,
    follow,
  };
  const report = await withProgress('consume', io, (hooks) => runConsume(client(), workload, hooks));
  io.stdout(formatSummary('consume', report, follow ? 'following' : 'to the end as of the start'));
}

async function e2e(args: string[], client: () => Samsa, io: PerfIo): Promise<void> {
  const help = PERF_E2E_HELP;
  const parsed = parseCommand(args, E2E_OPTIONS, help);
  if (parsed.values.help) return io.stdout(help);
  const [topic] = positionals(parsed, ['TOPIC'], help) as [string];
  const v = parsed.values;
  const throughput = intFlag(v.throughput, 'throughput', help, 1, 10_000);
  const durationMs = v.duration === undefined ? 10_000 : seconds(v.duration, help);
  const records = v['num-records'] === undefined ? Math.ceil((throughput * durationMs) / 1000) : intFlag(v['num-records'], 'num-records', help, 1);
  if (!Number.isFinite(records)) throw new UsageError('give --num-records or --duration', help);
  const acks = parseAcks(v.acks, help);
  const workload = {
    topic,
    records,
    durationMs,
    throughput,
    recordBytes: intFlag(v['record-size'], 'record-size', help, 8, 100),
    acks,
    maxInFlight: intFlag(v['max-in-flight'], 'max-in-flight', help, 1, 8),
    requestsPerPartition: requestsPerPartition(v['requests-per-partition'], acks, help),
  };
  await ensureTopic(client(), parsed, help);
  const report = await withProgress('e2e', io, (hooks) => runE2e(client(), workload, hooks));
  io.stdout(formatSummary('e2e', report, `${workload.recordBytes}-byte records at ${throughput.toLocaleString('en-US')}/s, acks=${workload.acks}`));
}

async function failover(args: string[], io: PerfIo): Promise<void> {
  const help = PERF_FAILOVER_HELP;
  const parsed = parseCommand(args, FAILOVER_OPTIONS, help);
  if (parsed.values.help) return io.stdout(help);
  positionals(parsed, [], help);
  const v = parsed.values;
  const scenarios = (v.scenarios ?? FAILOVER_SCENARIOS.join(',')).split(',').map((s) => s.trim());
  const unknown = scenarios.filter((s) => !(FAILOVER_SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0 || scenarios.length === 0) throw new UsageError(`--scenarios takes ${FAILOVER_SCENARIOS.join(', ')}; got "${v.scenarios ?? ''}"`, help);
  const leaseTtl = v['lease-ttl'] === undefined ? undefined : intFlag(v['lease-ttl'], 'lease-ttl', help, 2);
  const abort = new AbortController();
  const unregister = io.onInterrupt(() => abort.abort());
  try {
    const report = await runFailover({
      scenarios: scenarios as FailoverScenario[],
      runs: intFlag(v.runs, 'runs', help, 1, 5),
      partitions: intFlag(v.partitions, 'partitions', help, 1, 6),
      ...(leaseTtl !== undefined ? { env: { SAMSA_LEASE_TTL_SECONDS: String(leaseTtl) } } : {}),
      keepDir: v['keep-dir'] ?? false,
      log: (line) => io.stderr(line),
      signal: abort.signal,
    });
    io.stdout(formatFailover(report, scenarios as FailoverScenario[]));
    if (v['keep-dir']) io.stdout(`cluster dir kept at ${report.dir}`);
  } finally {
    unregister();
  }
}

/** --payload letters|json (default letters). */
function payloadFlag(value: string | undefined, help: string): PayloadKind {
  if (value === undefined || value === 'letters' || value === 'json') return value ?? 'letters';
  throw new UsageError(`--payload must be letters or json, got "${value}"`, help);
}

/** --requests-per-partition: 1 to 5, and above 1 only for the idempotent producer (acks all). */
function requestsPerPartition(value: string | undefined, acks: Acks, help: string): number {
  const n = intFlag(value, 'requests-per-partition', help, 1, 1);
  if (n > 5) throw new UsageError(`--requests-per-partition must be at most 5 (the brokers remember 5 batches per producer), got ${n}`, help);
  if (n > 1 && acks !== 'all') throw new UsageError(`--requests-per-partition ${n} needs --acks all: only the idempotent producer keeps several requests in order`, help);
  return n;
}

/** Runs `work` with progress lines on stderr and Ctrl-C wired to its abort signal. */
async function withProgress(label: string, io: PerfIo, work: (hooks: { onProgress: (p: PerfProgress) => void; signal: AbortSignal }) => Promise<PerfReport>): Promise<PerfReport> {
  const abort = new AbortController();
  const unregister = io.onInterrupt(() => abort.abort());
  try {
    return await work({ onProgress: (p) => io.stderr(formatProgress(label, p)), signal: abort.signal });
  } finally {
    unregister();
  }
}

/** With --partitions, creates the topic unless it exists. */
async function ensureTopic(samsa: Samsa, parsed: Parsed<typeof TOPIC_OPTIONS>, help: string): Promise<void> {
  const v = parsed.values;
  if (v.partitions === undefined) {
    if (v['replication-factor'] !== undefined) throw new UsageError('--replication-factor goes with --partitions', help);
    return;
  }
  const partitions = intFlag(v.partitions, 'partitions', help, 1);
  const replicationFactor = intFlag(v['replication-factor'], 'replication-factor', help, 1, 1);
  const topic = parsed.positionals[0] as string;
  try {
    await samsa.admin().createTopic({ name: topic, partitions, replicationFactor });
  } catch (err) {
    if (!(err instanceof SamsaError && err.reason === 'TOPIC_ALREADY_EXISTS')) throw err;
  }
}

function seconds(raw: string | undefined, help: string): number {
  if (raw === undefined) return Number.POSITIVE_INFINITY;
  const s = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(s) || s <= 0) throw new UsageError(`--duration must be a number of seconds > 0, got "${raw}"`, help);
  return s * 1000;
}
