/**
 * `samsa perf produce|consume|e2e TOPIC`: the workloads of tools/perf with a progress line on
 * stderr every second and the summary on stdout. Ctrl-C ends the run early (the summary still
 * prints); failures are errors like in every other command (exit 1). `samsa perf failover` starts
 * a cluster of its own (tools/perf/failover.ts) and prints write unavailability around failures.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { SamsaError, parseOffsetSpec, type Acks, type OffsetSpec, type Samsa } from '../../libs/client/index.js';
import {
  FAILOVER_SCENARIOS,
  formatFailover,
  formatProgress,
  formatSummary,
  runConsume,
  runE2e,
  runFailover,
  type FailoverScenario,
  type PayloadKind,
  type PerfProgress,
  type PerfReport,
  runProduce,
} from '../../tools/perf/index.js';
import { CODECS, type CompressionCodec } from '../../libs/record/index.js';
import type { CommandContext, CommandModule } from '../context.js';
import { outputSchema, s } from '../schema.js';
import { UsageError, commandGroup, int } from '../usage.js';
import { acksOption } from './produce.js';

/** The summary of a perf run as -o json prints it. */
export interface PerfOutput {
  workload: string;
  records: number;
  bytes: number;
  seconds: number;
  recordsPerSecond: number;
  megabytesPerSecond: number;
  latencyOf: string;
  latencyMs: { p50: number; p95: number; p99: number; p999: number; max: number; mean: number };
  settings: Record<string, string | number | boolean>;
}

const PERF_SCHEMA = s.object({
  workload: s.string('produce, consume or e2e', ['produce', 'consume', 'e2e']),
  records: s.integer(),
  bytes: s.integer('value bytes'),
  seconds: s.number(),
  recordsPerSecond: s.number(),
  megabytesPerSecond: s.number('value MB (10^6 bytes) per second'),
  latencyOf: s.string('what one latency sample is'),
  latencyMs: s.object({ p50: s.number(), p95: s.number(), p99: s.number(), p999: s.number(), max: s.number(), mean: s.number() }),
  settings: s.map({ anyOf: [s.string(), s.number(), s.boolean()] }, 'the workload settings, as given or defaulted'),
});

function perfOutput(workload: string, r: PerfReport, settings: PerfOutput['settings']): PerfOutput {
  const ms = (us: number): number => Math.round(us) / 1000;
  return {
    workload,
    records: r.records,
    bytes: r.bytes,
    seconds: r.seconds,
    recordsPerSecond: r.seconds > 0 ? r.records / r.seconds : 0,
    megabytesPerSecond: r.seconds > 0 ? r.bytes / r.seconds / 1e6 : 0,
    latencyOf: r.latencyOf,
    latencyMs: {
      p50: ms(r.latency.percentile(50)),
      p95: ms(r.latency.percentile(95)),
      p99: ms(r.latency.percentile(99)),
      p999: ms(r.latency.percentile(99.9)),
      max: ms(r.latency.max),
      mean: ms(r.latency.mean),
    },
    settings,
  };
}

interface TopicFlags {
  partitions?: number;
  replicationFactor?: number;
}

function topicOptions(cmd: Command): Command {
  return cmd
    .option('--partitions <n>', 'create TOPIC with N partitions first if it does not exist', int(1))
    .option('--replication-factor <r>', 'replication factor when creating it (default 1)', int(1));
}

/** --compression none|gzip|snappy|lz4|zstd. */
export function compressionOption(): Option {
  return new Option('--compression <codec>', 'compress each batch; brokers keep batches compressed and consumers decompress')
    .choices(CODECS)
    .default('none');
}

function perfProduce(ctx: CommandContext): Command {
  const cmd = topicOptions(
    new Command('produce')
      .description('one producer, as fast as allowed (or at --throughput)')
      .argument('<topic>')
      .option('--num-records <n>', 'stop after N records', int(1), 1_000_000)
      .option('--duration <seconds>', 'stop after this long, whatever the count (default: no limit)', seconds)
      .option('--record-size <bytes>', 'value size', int(1), 100)
      .addOption(acksOption())
      .option('--batch-size <n>', 'records per send()', int(1), 5000)
      .option('--max-in-flight <n>', 'send() calls outstanding at once', int(1), 8)
      .option('--throughput <r>', 'aim at R records/s (default: as fast as possible)', int(1))
      .option(
        '--requests-per-partition <n>',
        'produce requests in flight per partition, 1-5; above 1 needs --acks all (the idempotent producer keeps them in order)',
        int(1),
        1,
      )
      .addOption(compressionOption())
      .addOption(
        new Option(
          '--payload <kind>',
          'letters: one value of random capital letters; json: 1,024 distinct JSON-like event values (compressible like real events)',
        )
          .choices(['letters', 'json'])
          .default('letters'),
      ),
  )
    .addHelpText(
      'after',
      `
Sends records of --record-size random letters (or JSON-like text with --payload json). Records go
in send() calls of --batch-size records; keyless sends rotate over the partitions. The SDK has no
linger timer: sends that wait while their partition's request is out go together in its next batch
(at most 900 KiB). Latency is the time of each send(), counted once per record in it.

Example: samsa perf produce bench --partitions 6 --num-records 2000000 --acks 1`,
    )
    .action(
      async (
        topic: string,
        o: TopicFlags & {
          numRecords: number;
          duration?: number;
          recordSize: number;
          acks: Acks;
          batchSize: number;
          maxInFlight: number;
          throughput?: number;
          requestsPerPartition: number;
          compression: CompressionCodec;
          payload: PayloadKind;
        },
      ) => {
        const workload = {
          topic,
          records: o.numRecords,
          durationMs: o.duration ?? Number.POSITIVE_INFINITY,
          recordBytes: o.recordSize,
          acks: o.acks,
          batchRecords: o.batchSize,
          maxInFlight: o.maxInFlight,
          requestsPerPartition: requestsPerPartition(o.requestsPerPartition, o.acks),
          ...(o.throughput !== undefined ? { throughput: o.throughput } : {}),
          compression: o.compression,
          payload: o.payload,
        };
        await ensureTopic(ctx.client(), topic, o);
        const report = await withProgress('produce', ctx, (hooks) => runProduce(ctx.client(), workload, hooks));
        const perPartition = workload.requestsPerPartition > 1 ? `, ${workload.requestsPerPartition} requests per partition` : '';
        const settings = {
          recordSize: workload.recordBytes,
          payload: workload.payload,
          compression: workload.compression,
          acks: String(workload.acks),
          batchSize: workload.batchRecords,
          maxInFlight: workload.maxInFlight,
          requestsPerPartition: workload.requestsPerPartition,
        };
        ctx.print(perfOutput('produce', report, settings), () =>
          formatSummary(
            'produce',
            report,
            `${workload.recordBytes}-byte ${workload.payload} records, compression=${workload.compression}, acks=${workload.acks}, ${workload.batchRecords} per send, ${workload.maxInFlight} in flight${perPartition}`,
          ),
        );
      },
    );
  return outputSchema(cmd, PERF_SCHEMA);
}

function perfConsume(ctx: CommandContext): Command {
  const cmd = new Command('consume')
    .description('one consumer reading every partition')
    .argument('<topic>')
    .option('--num-records <n>', 'stop after N records (default: all there are)', int(1))
    .option('--duration <seconds>', 'stop after this long (default: no limit)', seconds)
    .option('--from <position>', 'earliest, latest, an offset, or @TIME (as in samsa consume)', 'earliest')
    .option('-f, --follow', 'keep waiting for new records (then give --num-records or --duration)')
    .addHelpText(
      'after',
      `
Reads every partition of TOPIC with streaming Consume calls. Without --follow it stops at the end
of each partition as it was at the start. Latency is how long each streamed chunk was waited for.`,
    )
    .action(async (topic: string, o: { numRecords?: number; duration?: number; from: string; follow?: boolean }) => {
      const follow = o.follow ?? false;
      if (follow && o.numRecords === undefined && o.duration === undefined)
        throw new UsageError('--follow needs --num-records or --duration to end');
      let from: OffsetSpec;
      try {
        from = parseOffsetSpec(o.from);
      } catch (err) {
        throw new UsageError(`--from: ${err instanceof Error ? err.message : String(err)}`);
      }
      const workload = {
        topic,
        records: o.numRecords ?? Number.POSITIVE_INFINITY,
        durationMs: o.duration ?? Number.POSITIVE_INFINITY,
        from,
        follow,
      };
      const report = await withProgress('consume', ctx, (hooks) => runConsume(ctx.client(), workload, hooks));
      ctx.print(perfOutput('consume', report, { from: o.from, follow }), () =>
        formatSummary('consume', report, follow ? 'following' : 'to the end as of the start'),
      );
    });
  return outputSchema(cmd, PERF_SCHEMA);
}

function perfE2e(ctx: CommandContext): Command {
  const cmd = topicOptions(
    new Command('e2e')
      .description('produce at a fixed rate and time each record until a consumer has it')
      .argument('<topic>')
      .option('--throughput <r>', 'records/s', int(1), 10_000)
      .option('--duration <seconds>', 'how long to produce', seconds, 10_000)
      .option('--num-records <n>', 'stop producing after N records (default: throughput x duration)', int(1))
      .option('--record-size <bytes>', 'value size, at least 8', int(8), 100)
      .addOption(acksOption())
      .option('--max-in-flight <n>', 'send() calls outstanding at once', int(1), 8)
      .option('--requests-per-partition <n>', 'produce requests in flight per partition, 1-5; above 1 needs --acks all', int(1), 1),
  )
    .addHelpText(
      'after',
      `
Tails every partition of TOPIC from its end, then produces R records/s spread evenly in time;
each value carries its scheduled send time, and the latency of a record is the time from then
until the consumer has it (a stalled producer counts against the latency: no coordinated
omission). Producer and consumer run in this process.

Example: samsa perf e2e bench-e2e --partitions 1 --replication-factor 3 --throughput 10000 --duration 30`,
    )
    .action(
      async (
        topic: string,
        o: TopicFlags & {
          throughput: number;
          duration: number;
          numRecords?: number;
          recordSize: number;
          acks: Acks;
          maxInFlight: number;
          requestsPerPartition: number;
        },
      ) => {
        const records = o.numRecords ?? Math.ceil((o.throughput * o.duration) / 1000);
        const workload = {
          topic,
          records,
          durationMs: o.duration,
          throughput: o.throughput,
          recordBytes: o.recordSize,
          acks: o.acks,
          maxInFlight: o.maxInFlight,
          requestsPerPartition: requestsPerPartition(o.requestsPerPartition, o.acks),
        };
        await ensureTopic(ctx.client(), topic, o);
        const report = await withProgress('e2e', ctx, (hooks) => runE2e(ctx.client(), workload, hooks));
        ctx.print(
          perfOutput('e2e', report, {
            throughput: o.throughput,
            recordSize: o.recordSize,
            acks: String(o.acks),
            maxInFlight: o.maxInFlight,
            requestsPerPartition: workload.requestsPerPartition,
          }),
          () =>
            formatSummary(
              'e2e',
              report,
              `${workload.recordBytes}-byte records at ${o.throughput.toLocaleString('en-US')}/s, acks=${workload.acks}`,
            ),
        );
      },
    );
  return outputSchema(cmd, PERF_SCHEMA);
}

function perfFailover(ctx: CommandContext): Command {
  const cmd = new Command('failover')
    .description('start a cluster of its own and time write unavailability around failures')
    .option('--runs <n>', 'repetitions', int(1), 5)
    .option('--scenarios <list>', `comma-separated, of ${FAILOVER_SCENARIOS.join(', ')}`, FAILOVER_SCENARIOS.join(','))
    .option('--partitions <n>', 'partitions of the topic', int(1), 6)
    .option('--lease-ttl <seconds>', 'SAMSA_LEASE_TTL_SECONDS of the services (default: theirs)', int(2))
    .option('--keep-dir', "keep the cluster's dir (data, logs) and print where")
    .addHelpText(
      'after',
      `
Starts its own cluster (etcd, 1 controller, 3 brokers; needs \`npm run build\` and etcd on PATH) in
a temp dir, creates an RF=3 topic with min.insync.replicas=2, and keeps an acks=all idempotent
load on every partition (one record per send, the next as soon as one is answered). Then, --runs
times, each scenario, letting the cluster settle (full ISRs, preferred leaders) after each:

  kill     kill -9 of a partition leader: per partition it led, time to the first acked write
  bounce   SIGTERM and restart of one broker: per partition, the longest time without an ack
  roll     rolling restart of all brokers (each back in every ISR before the next): the same
  fast     five quick bounces of a follower then the leader of partition 0: the same

Prints p50/p99/max per scenario on stdout, progress on stderr. It never runs against an existing
cluster: it kills processes it owns.

Example: samsa perf failover --runs 10 --scenarios kill`,
    )
    .action(async (o: { runs: number; scenarios: string; partitions: number; leaseTtl?: number; keepDir?: boolean }) => {
      const scenarios = o.scenarios.split(',').map((x) => x.trim());
      const unknown = scenarios.filter((x) => !(FAILOVER_SCENARIOS as readonly string[]).includes(x));
      if (unknown.length > 0 || scenarios.length === 0)
        throw new UsageError(`--scenarios takes ${FAILOVER_SCENARIOS.join(', ')}; got "${o.scenarios}"`);
      const abort = new AbortController();
      const unregister = ctx.onInterrupt(() => abort.abort());
      try {
        const report = await runFailover({
          scenarios: scenarios as FailoverScenario[],
          runs: o.runs,
          partitions: o.partitions,
          ...(o.leaseTtl !== undefined ? { env: { SAMSA_LEASE_TTL_SECONDS: String(o.leaseTtl) } } : {}),
          keepDir: o.keepDir ?? false,
          log: (line) => ctx.stderr(line),
          signal: abort.signal,
        });
        const data = {
          scenarios: Object.fromEntries(scenarios.map((x) => [x, [...report.samples[x as FailoverScenario]]])),
          failures: Object.fromEntries(report.failures),
          acked: report.acked,
          dir: o.keepDir ? report.dir : null,
        };
        ctx.print(
          data,
          () => formatFailover(report, scenarios as FailoverScenario[]) + (o.keepDir ? `\ncluster dir kept at ${report.dir}` : ''),
        );
      } finally {
        unregister();
      }
    });
  return outputSchema(
    cmd,
    s.object({
      scenarios: s.map(s.array(s.integer()), 'per scenario run, the samples in ms (one per partition concerned per run)'),
      failures: s.map(s.integer(), 'sends that failed (and were sent again), by reason'),
      acked: s.integer('acknowledged writes'),
      dir: s.nullable(s.string('the kept cluster dir, with --keep-dir')),
    }),
  );
}

export const perfCommand: CommandModule = (ctx) =>
  commandGroup('perf', "load tests like Kafka's perf-test tools: throughput and latency percentiles")
    .addHelpText(
      'after',
      `
A progress line goes to stderr once a second; the summary (records/s, MB/s, latency
p50/p95/p99/p99.9) goes to stdout at the end. Ctrl-C ends a run early and still prints the summary.`,
    )
    .addCommand(perfProduce(ctx))
    .addCommand(perfConsume(ctx))
    .addCommand(perfE2e(ctx))
    .addCommand(perfFailover(ctx));

/** --requests-per-partition: 1 to 5, and above 1 only for the idempotent producer (acks all). */
function requestsPerPartition(n: number, acks: Acks): number {
  if (n > 5) throw new UsageError(`--requests-per-partition must be at most 5 (the brokers remember 5 batches per producer), got ${n}`);
  if (n > 1 && acks !== 'all')
    throw new UsageError(`--requests-per-partition ${n} needs --acks all: only the idempotent producer keeps several requests in order`);
  return n;
}

/** Runs `work` with progress lines on stderr and Ctrl-C wired to its abort signal. */
async function withProgress(
  label: string,
  ctx: CommandContext,
  work: (hooks: { onProgress: (p: PerfProgress) => void; signal: AbortSignal }) => Promise<PerfReport>,
): Promise<PerfReport> {
  const abort = new AbortController();
  const unregister = ctx.onInterrupt(() => abort.abort());
  try {
    return await work({ onProgress: (p) => ctx.stderr(formatProgress(label, p)), signal: abort.signal });
  } finally {
    unregister();
  }
}

/** With --partitions, creates the topic unless it exists. */
async function ensureTopic(samsa: Samsa, topic: string, o: TopicFlags): Promise<void> {
  if (o.partitions === undefined) {
    if (o.replicationFactor !== undefined) throw new UsageError('--replication-factor goes with --partitions');
    return;
  }
  try {
    await samsa.admin().createTopic({ name: topic, partitions: o.partitions, replicationFactor: o.replicationFactor ?? 1 });
  } catch (err) {
    if (!(err instanceof SamsaError && err.reason === 'TOPIC_ALREADY_EXISTS')) throw err;
  }
}

/** --duration SECONDS (a number > 0) as milliseconds. */
function seconds(raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('It must be a number of seconds > 0.');
  return n * 1000;
}
