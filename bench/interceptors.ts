/**
 * `npm run bench:interceptors`: what the telemetry and access-guard interceptors cost per call,
 * in process: one gRPC server and one client in this process (plaintext, loopback), a unary call
 * (GetMetadata, 32 in flight) and a server stream (Consume, 1 KiB messages), handlers that answer
 * at once. CPU µs per call / per message is process CPU (client + server sides together) over the
 * calls, from process.cpuUsage(); wall-clock rates are printed too but move with the load.
 *
 * One configuration per process, because telemetry starts once per process (libs/telemetry/start.ts)
 * and then every server and channel made carries its interceptors:
 *   off      no telemetry, no access guard (what strict decoding alone costs is the base)
 *   guard    the access guard: ACLs on (one ALLOW binding per call's check), quotas metered
 *   metrics  Prometheus metrics on (rpc duration histograms), traces off
 *   traces   metrics and traces on, every call sampled (OTEL_TRACES_SAMPLER=always_on),
 *            exported over OTLP/http to a sink in a child process
 *   all      traces + metrics + guard, as a traced broker runs
 * `node dist/bench/interceptors.js` alone runs each configuration SAMSA_BENCH_RUNS times
 * (default 3), alternated, each in a fresh child process, and prints the medians as Markdown.
 */
import * as grpc from '@grpc/grpc-js';
import { spawn, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import {
  brokerClient,
  bindServer,
  createServer,
  loadSamsaProto,
  serverStream,
  setAccessGuard,
  shutdownServer,
  unary,
  type v1,
} from '../libs/rpc/index.js';
import { AccessGuard, AclAuthorizer, AuditLog, QuotaMeter, type AclBinding, type Operation } from '../libs/security/index.js';
import { createLogger, shutdownTelemetry } from '../libs/telemetry/index.js';
import { freePort } from '../tools/launcher/index.js';

const MODES = ['off', 'guard', 'metrics', 'traces', 'all'] as const;
type Mode = (typeof MODES)[number];
const UNARY_CALLS = Number(process.env.SAMSA_BENCH_UNARY_CALLS ?? '10000');
const STREAM_MESSAGES = Number(process.env.SAMSA_BENCH_STREAM_MESSAGES ?? '50000');
const IN_FLIGHT = 32;
const TOPIC = 'bench';

interface Result {
  mode: Mode;
  unaryCpuUs: number;
  unaryPerSecond: number;
  streamCpuUs: number;
  streamPerSecond: number;
}

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function measure(mode: Mode): Promise<Result> {
  if (mode === 'guard' || mode === 'all') {
    const allow = (operation: Operation): AclBinding => ({
      resourceType: 'TOPIC',
      resourceName: TOPIC,
      patternType: 'LITERAL',
      principal: 'User:ANONYMOUS',
      host: '*',
      operation,
      permission: 'ALLOW',
    });
    const guard = new AccessGuard({
      authorizer: new AclAuthorizer(new Set(), [allow('DESCRIBE'), allow('READ')]),
      tokens: undefined,
      // Plaintext loopback, as this benchmark runs: callers are known by their claim (none: anonymous).
      insecure: true,
      quotas: new QuotaMeter(() => new Map()),
      audit: new AuditLog(createLogger('bench', 'interceptors', 'error')),
    });
    setAccessGuard(guard.interceptor);
  }
  const server = createServer();
  const payload = Buffer.alloc(1024, 7);
  const metadata: v1.GetMetadataResponse = {
    brokers: [{ id: 1, host: '127.0.0.1', port: 9092 }],
    topics: [{ name: TOPIC, partitions: [0, 1, 2].map((p) => ({ partition: p, leaderId: 1, replicas: [1], isr: [1] })) }],
  };
  server.addService(loadSamsaProto().proto.samsa.v1.BrokerService.service, {
    GetMetadata: unary(() => Promise.resolve(metadata)),
    Consume: serverStream<v1.ConsumeRequest__Output, v1.ConsumeResponse>(async (_req, call) => {
      for (let i = 0; i < STREAM_MESSAGES; i++) {
        const message: v1.ConsumeResponse = { partition: 0, highWatermark: STREAM_MESSAGES, batches: payload, nextOffset: i + 1 };
        if (!call.write(message)) await new Promise<void>((resolve) => call.once('drain', () => resolve()));
      }
    }),
  });
  const port = await bindServer(server, '127.0.0.1', 0, grpc.ServerCredentials.createInsecure());
  const client = brokerClient(`127.0.0.1:${port}`, undefined, grpc.credentials.createInsecure());
  const call = (): Promise<void> =>
    new Promise((resolve, reject) => client.GetMetadata({ topics: [TOPIC] }, (err) => (err ? reject(err) : resolve())));
  const unaryRun = async (n: number): Promise<void> => {
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next++ < n) await call();
      }),
    );
  };
  const streamRun = (): Promise<number> =>
    new Promise((resolve, reject) => {
      let received = 0;
      const stream = client.Consume({ topic: TOPIC, partition: 0 });
      stream.on('data', () => received++);
      stream.on('error', reject);
      stream.on('end', () => resolve(received));
    });
  try {
    await unaryRun(2000); // warm-up: JIT, connection
    let cpu = cpuSeconds();
    let wall = performance.now();
    await unaryRun(UNARY_CALLS);
    const unaryCpu = cpuSeconds() - cpu;
    const unaryWall = (performance.now() - wall) / 1000;
    cpu = cpuSeconds();
    wall = performance.now();
    const messages = await streamRun();
    if (messages !== STREAM_MESSAGES) throw new Error(`stream ended after ${messages} of ${STREAM_MESSAGES} messages`);
    const streamCpu = cpuSeconds() - cpu;
    const streamWall = (performance.now() - wall) / 1000;
    return {
      mode,
      unaryCpuUs: (unaryCpu / UNARY_CALLS) * 1e6,
      unaryPerSecond: UNARY_CALLS / unaryWall,
      streamCpuUs: (streamCpu / STREAM_MESSAGES) * 1e6,
      streamPerSecond: STREAM_MESSAGES / streamWall,
    };
  } finally {
    client.close();
    await shutdownServer(server, 1000);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

/** Runs one configuration in a child process with the environment it needs; its result is the last stdout line. */
async function child(mode: Mode, sinkPort: number, metricsPort: number): Promise<Result> {
  const env: NodeJS.ProcessEnv = { ...process.env, SAMSA_BENCH_MODE: mode };
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  delete env.OTEL_TRACES_EXPORTER;
  delete env.SAMSA_METRICS_PORT;
  if (mode === 'metrics' || mode === 'traces' || mode === 'all') env.SAMSA_METRICS_PORT = String(metricsPort);
  if (mode === 'traces' || mode === 'all') {
    env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${sinkPort}`;
    env.OTEL_TRACES_SAMPLER = 'always_on';
  }
  const instrumentation = new URL('../libs/telemetry/instrumentation.js', import.meta.url).pathname;
  const args = mode === 'off' || mode === 'guard' ? [process.argv[1] as string] : ['--import', instrumentation, process.argv[1] as string];
  const res = spawnSync(process.execPath, args, { env, encoding: 'utf8', timeout: 60_000 });
  if (res.status !== 0) throw new Error(`${mode}: exit ${res.status}: ${res.stderr}`);
  const last = res.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as Result;
}

async function main(): Promise<void> {
  const mode = process.env.SAMSA_BENCH_MODE as Mode | undefined;
  if (mode !== undefined) {
    process.stdout.write(JSON.stringify(await measure(mode)) + '\n');
    // Stops the /metrics server and the span exporter, which would keep the process alive.
    await shutdownTelemetry();
    return;
  }
  const runs = Number(process.env.SAMSA_BENCH_RUNS ?? '3');
  const sinkPort = await freePort();
  // The OTLP sink: answers every export 200 and reads nothing, in its own process so that its CPU
  // is not counted; what the traced process pays is making, batching and sending spans.
  const sink = spawn(
    process.execPath,
    ['-e', `require('http').createServer((q, s) => { q.resume(); q.on('end', () => s.end()); }).listen(${sinkPort}, '127.0.0.1')`],
    { stdio: 'ignore' },
  );
  const results: Result[] = [];
  const load: number[] = [];
  try {
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let r = 0; r < runs; r++) {
      for (const m of MODES) {
        load.push(loadavg()[0] ?? 0);
        const result = await child(m, sinkPort, await freePort());
        results.push(result);
        process.stderr.write(`run ${r + 1} ${JSON.stringify(result)}\n`);
      }
    }
  } finally {
    sink.kill();
  }
  const f = (x: number, digits = 1): string => x.toFixed(digits);
  const delta = (x: number, digits = 1): string => (x >= 0 ? '+' : '') + f(x, digits);
  const base = results.filter((r) => r.mode === 'off');
  const baseUnary = median(base.map((r) => r.unaryCpuUs));
  const baseStream = median(base.map((r) => r.streamCpuUs));
  const lines = [
    `${runs} runs per configuration, alternated; load average ${f(Math.min(...load), 2)}-${f(Math.max(...load), 2)}; ` +
      `${UNARY_CALLS} unary calls (${IN_FLIGHT} in flight), ${STREAM_MESSAGES} stream messages of 1 KiB.`,
    '',
    '| interceptors | unary: CPU µs/call | Δ vs off | calls/s | stream: CPU µs/message | Δ vs off | messages/s |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const m of MODES) {
    const rs = results.filter((r) => r.mode === m);
    const u = median(rs.map((r) => r.unaryCpuUs));
    const s = median(rs.map((r) => r.streamCpuUs));
    lines.push(
      `| ${m} | ${f(u)} | ${m === 'off' ? '' : delta(u - baseUnary)} | ${f(median(rs.map((r) => r.unaryPerSecond)), 0)} | ` +
        `${f(s, 2)} | ${m === 'off' ? '' : delta(s - baseStream, 2)} | ${f(median(rs.map((r) => r.streamPerSecond)), 0)} |`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
}

await main();
