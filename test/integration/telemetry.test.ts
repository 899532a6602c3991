/**
 * Observability of a running cluster: traces across hops, /metrics, and health.
 *
 * The cluster (real etcd, a controller, three brokers, a group coordinator) exports its spans over OTLP/HTTP (JSON) to a
 * receiver this test runs. Two produces are followed:
 * - a plain gRPC client (this test, which exports nothing itself) sends an acks=all Produce with a
 *   W3C `traceparent` to a broker that does NOT lead the partition of an RF=3 topic: the trace must
 *   hold that broker's server span as a child of the client's span, its forward to the leader, the
 *   leader's append (partition.append -> log.append -> log.fsync) under the leader's server span,
 *   and both followers' replication (leader replication.send -> follower replication.append ->
 *   log.append) under the leader's partition.append;
 * - the `samsa` CLI, run with the telemetry bootstrap, produces and then consumes: the trace of the
 *   produce starts at the CLI's own `send` span and reaches the leader's append, and the consume's
 *   `receive` span links to that `send` span through the record's `traceparent` header; then
 *   the CLI consumes as a group member, and the coordinator's group.join (inside the member's
 *   GroupConsume call), group.rebalance and group.commit spans must arrive.
 * Then every service's /metrics must show the metrics of the run, and every service answers
 * grpc.health.v1 Check with SERVING. Last, a service that would export only after an hour sends
 * its spans when it is stopped (SIGTERM flushes telemetry).
 *
 * Why one file (over ~500 lines): every case shares the one cluster started at the top, and each
 * test file starts its own, so a second file would add a cluster start (and its processes) to CI
 * for no gain in reading; the describe blocks are the chapters.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitUntil, ServiceProcess } from '../../tools/launcher/index.js';
import { brokerClient, callUnary, checkHealth, controllerClient, type v1 } from '../../libs/rpc/index.js';
import { Samsa } from '../../libs/client/index.js';
import { startCluster, uniqueName } from '../harness/cluster.js';
import { OtlpReceiver, type ReceivedSpan } from '../harness/otlp-receiver.js';
import { scrape, samples, value } from '../harness/prometheus.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const SERVER_KIND = 2;
const PRODUCER_KIND = 4;
const CONSUMER_KIND = 5;

const receiver = await OtlpReceiver.start();
const OTEL_ENV = {
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
  // Export soon after a span ends; the test still waits for spans by condition, never by time.
  OTEL_BSP_SCHEDULE_DELAY: '200',
};
// The coordinator refreshes consumer lag every 200 ms (default 10 s): background work that must not
// become traces (the idle test below).
const cluster = await startCluster({
  name: 'telemetry',
  brokers: 3,
  coordinators: 1,
  env: { ...OTEL_ENV, SAMSA_FSYNC: 'batch', SAMSA_LAG_REFRESH_MS: '200' },
});
const samsa = new Samsa({ bootstrap: cluster.bootstrap });
afterAll(() => samsa.close());
const topic = uniqueName('traced');
let leader: ServiceProcess;
let other: ServiceProcess;

/** The `samsa` CLI with only the standard OTEL_* variables set, as an operator would trace it (no `node --import`). */
function tracedCli(args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...OTEL_ENV, OTEL_SERVICE_NAME: 'samsa-cli', SAMSA_INSTANCE_ID: 'cli' };
    const child = spawn(process.execPath, [CLI, '--bootstrap', cluster.bootstrap, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** The chain of spans from `span` up to the root of what was received, nearest first. */
function ancestors(span: ReceivedSpan, all: ReceivedSpan[]): ReceivedSpan[] {
  const chain: ReceivedSpan[] = [];
  let current: ReceivedSpan | undefined = span;
  while (current) {
    chain.push(current);
    const parentId: string = current.parentSpanId;
    current = parentId ? all.find((s) => s.spanId === parentId) : undefined;
  }
  return chain;
}

const describeSpan = (s: ReceivedSpan): string => `${s.name}@${s.instance}`;

beforeAll(async () => {
  await samsa.admin().createTopic({ name: topic, partitions: 1, replicationFactor: 3 });
  // Every broker must know the leader before the produce that has to be forwarded.
  let leaderId = -1;
  await waitUntil(
    async () => {
      for (const b of cluster.brokers) {
        const client = brokerClient(b.address);
        try {
          const md = await callUnary<v1.GetMetadataResponse__Output>(b.address, { timeoutMs: 2000 }, (options, cb) =>
            client.getMetadata({ topics: [topic] }, options, cb),
          );
          const id = md.topics[0]?.partitions[0]?.leaderId ?? -1;
          if (id < 0 || (leaderId >= 0 && id !== leaderId)) return false;
          leaderId = id;
        } catch {
          return false;
        } finally {
          client.close();
        }
      }
      return true;
    },
    30_000,
    `every broker to know the leader of ${topic}`,
  );
  leader = cluster.broker(leaderId);
  other = cluster.brokers.find((b) => b !== leader) as ServiceProcess;
});

describe('traces', () => {
  it('an acks=all produce sent to a non-leader is one trace: client -> receiving broker -> forward -> leader append -> followers', async () => {
    const traceId = hex(16);
    const clientSpanId = hex(8);
    const traceparent = `00-${traceId}-${clientSpanId}-01`;
    const metadata = new grpc.Metadata();
    metadata.set('traceparent', traceparent);
    const client = brokerClient(other.address);
    try {
      const res = await callUnary<v1.ProduceResponse__Output>(other.address, { timeoutMs: 30_000 }, (options, cb) =>
        client.produce(
          {
            topic,
            acks: 'ACKS_ALL',
            records: [{ value: Buffer.from('forwarded'), headers: [{ key: 'traceparent', value: Buffer.from(traceparent) }] }],
          },
          metadata,
          options,
          cb,
        ),
      );
      expect(res.results[0]?.baseOffset).toBe(0);
    } finally {
      client.close();
    }

    // Each process exports on its own schedule: wait until the leader's fsync connects, hop by hop,
    // to the client's span (or give up and let the assertions below say what is missing).
    const onLeader = (s: ReceivedSpan): boolean => s.instance === `broker-${leader.spec.id}`;
    const connected = (spans: ReceivedSpan[]): boolean => {
      const fsync = spans.find((s) => s.traceId === traceId && s.name === 'log.fsync' && onLeader(s));
      const followerAppends = spans.filter((s) => s.traceId === traceId && s.name === 'replication.append');
      return (
        fsync !== undefined &&
        ancestors(fsync, spans).at(-1)?.parentSpanId === clientSpanId &&
        spans.some((s) => s.traceId === traceId && s.name === 'partition.await_isr') &&
        followerAppends.length >= 2 &&
        followerAppends.every((f) => ancestors(f, spans).length >= 3)
      );
    };
    await receiver.waitFor('the forwarded produce trace to connect from the leader fsync to the client', connected).catch(() => undefined);
    const spans = receiver.trace(traceId);
    const fsync = spans.find((s) => s.name === 'log.fsync' && onLeader(s));
    expect(fsync, `log.fsync in trace ${traceId}; have ${spans.map(describeSpan).join(', ')}`).toBeDefined();
    const chain = ancestors(fsync as ReceivedSpan, spans);
    // Nearest first: every hop is the parent of the next, and the last one hangs off the client's span.
    expect(chain.map(describeSpan)).toEqual([
      `log.fsync@broker-${leader.spec.id}`,
      `log.append@broker-${leader.spec.id}`,
      `partition.append@broker-${leader.spec.id}`,
      `samsa.v1.BrokerService/Produce@broker-${leader.spec.id}`,
      `samsa.v1.BrokerService/Produce@broker-${other.spec.id}`,
      `broker.forward@broker-${other.spec.id}`,
      `samsa.v1.BrokerService/Produce@broker-${other.spec.id}`,
    ]);
    const [, , , leaderServer, forwardClient, , receivingServer] = chain;
    expect(leaderServer?.kind).toBe(SERVER_KIND);
    expect(forwardClient?.kind).toBe(3); // CLIENT
    expect(receivingServer?.kind).toBe(SERVER_KIND);
    expect(receivingServer?.parentSpanId).toBe(clientSpanId);
    expect(leaderServer?.service).toBe('samsa-broker');
    const append = chain[2] as ReceivedSpan;
    expect(append.attributes).toMatchObject({
      'samsa.topic': topic,
      'samsa.partition': 0,
      'samsa.acks': 'all',
      'samsa.records': 1,
      'samsa.base_offset': 0,
    });
    // acks=all waited for the ISR inside the append.
    expect(spans.some((s) => s.name === 'partition.await_isr' && s.parentSpanId === append.spanId)).toBe(true);

    // Each follower's copy: its replication.append (with its own log.append under it) is a child of
    // the leader's replication.send to it, which is a child of the leader's partition.append.
    const followers = cluster.brokers.filter((b) => b !== leader).map((b) => `broker-${b.spec.id}`);
    for (const follower of followers) {
      const replicated = spans.find((s) => s.name === 'replication.append' && s.instance === follower);
      expect(replicated, `replication.append on ${follower}; have ${spans.map(describeSpan).join(', ')}`).toBeDefined();
      expect(
        ancestors(replicated as ReceivedSpan, spans)
          .map(describeSpan)
          .slice(0, 3),
      ).toEqual([
        `replication.append@${follower}`,
        `replication.send@broker-${leader.spec.id}`,
        `partition.append@broker-${leader.spec.id}`,
      ]);
      expect(
        spans.some((s) => s.name === 'log.append' && s.instance === follower && s.parentSpanId === (replicated as ReceivedSpan).spanId),
      ).toBe(true);
      expect(
        spans.find((s) => s.name === 'replication.send' && s.spanId === (replicated as ReceivedSpan).parentSpanId)?.attributes[
          'samsa.follower_id'
        ],
      ).toBe(Number(follower.replace('broker-', '')));
    }
    // Every parent arrived, but the test's own client span (nothing exports it).
    expect(receiver.missingParents(traceId, [clientSpanId])).toEqual([]);
    expect(spans.filter((s) => s.statusCode === 2).map(describeSpan)).toEqual([]);
    expect(receiver.rejected).toEqual([]);
  });

  it('the CLI traces its produce to the leader, and a consume of the record links back to the producer span', async () => {
    const produced = await tracedCli(['produce', topic], 'from-the-cli\n');
    expect(produced.stderr).toContain('1 record');
    expect(produced.code).toBe(0);
    await receiver.waitFor('the CLI send span and the leader append connected to it', (spans) => {
      const send = spans.find((s) => s.service === 'samsa-cli' && s.name === `send ${topic}`);
      const append =
        send && spans.find((s) => s.traceId === send.traceId && s.name === 'log.append' && s.instance === `broker-${leader.spec.id}`);
      return append !== undefined && ancestors(append, spans).at(-1)?.spanId === send?.spanId;
    });
    const send = receiver.spans.find((s) => s.service === 'samsa-cli' && s.name === `send ${topic}`) as ReceivedSpan;
    expect(send.kind).toBe(PRODUCER_KIND);
    expect(send.parentSpanId).toBe('');
    const trace = receiver.trace(send.traceId);
    const append = trace.find((s) => s.name === 'log.append' && s.instance === `broker-${leader.spec.id}`) as ReceivedSpan;
    const chain = ancestors(append, trace).map(describeSpan);
    expect(chain[0]).toBe(`log.append@broker-${leader.spec.id}`);
    expect(chain).toContain(`samsa.v1.BrokerService/Produce@broker-${leader.spec.id}`);
    expect(chain).toContain('samsa.v1.BrokerService/Produce@cli');
    expect(chain[chain.length - 1]).toBe(`send ${topic}@cli`);
    expect(receiver.missingParents(send.traceId)).toEqual([]);

    const consumed = await tracedCli(['consume', topic, '--from', 'earliest', '--max-messages', '2']);
    expect(consumed.code).toBe(0);
    expect(consumed.stdout.trim().split('\n')).toEqual(['forwarded', 'from-the-cli']);
    await receiver.waitFor('a receive span linked to the CLI send span', (spans) =>
      spans.some((s) => s.name === `receive ${topic}` && s.links.some((l) => l.spanId === send.spanId)),
    );
    const receive = receiver.spans.find(
      (s) => s.name === `receive ${topic}` && s.links.some((l) => l.spanId === send.spanId),
    ) as ReceivedSpan;
    expect(receive.kind).toBe(CONSUMER_KIND);
    expect(receive.service).toBe('samsa-cli');
    expect(receive.links).toContainEqual({ traceId: send.traceId, spanId: send.spanId });
    // The consume is a trace of its own, linked rather than parented.
    expect(receive.traceId).not.toBe(send.traceId);

    // The Consume stream the CLI closed after two records is one well-formed tree: the CLI's
    // client span, the leader's server span (ended by the cancel, exported), partition.consume
    // under it; the cancel is how a consume ends, so no span of it is an error.
    const consumeSpan = (s: ReceivedSpan): boolean => s.name === 'partition.consume' && s.attributes['samsa.topic'] === topic;
    await receiver.waitFor('the consume tree from the CLI span to partition.consume', (spans) => {
      const pc = spans.find(consumeSpan);
      return pc !== undefined && ancestors(pc, spans).at(-1)?.instance === 'cli';
    });
    const consume = receiver.spans.find(consumeSpan) as ReceivedSpan;
    const tree = receiver.trace(consume.traceId);
    expect(ancestors(consume, tree).map(describeSpan)).toEqual([
      `partition.consume@broker-${leader.spec.id}`,
      `samsa.v1.BrokerService/Consume@broker-${leader.spec.id}`,
      'samsa.v1.BrokerService/Consume@cli',
    ]);
    expect(receiver.missingParents(consume.traceId)).toEqual([]);
    const server = tree.find((s) => s.kind === SERVER_KIND) as ReceivedSpan;
    expect(server.attributes['rpc.grpc.status_code']).toBe(1); // CANCELLED
    expect(tree.filter((s) => s.statusCode === 2).map(describeSpan)).toEqual([]);
  });
});

describe('metrics', () => {
  it('every service shows the metrics of the run with plausible values', async () => {
    const leaderMetrics = await scrape(leader.metricsUrl as string);
    const t = { topic };
    // Two records were produced (one forwarded, one from the CLI), both appended on the leader.
    expect(value(leaderMetrics, 'samsa_broker_produced_records_total', t)).toBe(2);
    const bytesIn = value(leaderMetrics, 'samsa_broker_produced_bytes_total', t);
    expect(bytesIn).toBeGreaterThan(2 * 61);
    expect(bytesIn).toBeLessThan(2048);
    // The consume read both back.
    expect(value(leaderMetrics, 'samsa_broker_fetched_records_total', t)).toBeGreaterThanOrEqual(2);
    expect(value(leaderMetrics, 'samsa_broker_fetched_bytes_total', t)).toBeGreaterThanOrEqual(bytesIn);
    // The log holds at least the bytes appended; led here, with all three replicas in sync.
    const p0 = { topic, partition: '0' };
    expect(value(leaderMetrics, 'samsa_partition_log_size_bytes', p0)).toBeGreaterThanOrEqual(bytesIn);
    expect(value(leaderMetrics, 'samsa_partition_log_end_offset', p0)).toBe(2);
    expect(value(leaderMetrics, 'samsa_partition_high_watermark', p0)).toBe(2);
    expect(value(leaderMetrics, 'samsa_partition_isr_size', p0)).toBe(3);
    expect(value(leaderMetrics, 'samsa_broker_under_replicated_partitions')).toBe(0);
    expect(value(leaderMetrics, 'samsa_broker_partitions', { role: 'leader' })).toBeGreaterThanOrEqual(1);
    // The leader appended, so that replica's files are open; no more are open than hosted.
    const hostedHere =
      value(leaderMetrics, 'samsa_broker_partitions', { role: 'leader' }) +
      value(leaderMetrics, 'samsa_broker_partitions', { role: 'follower' });
    expect(value(leaderMetrics, 'samsa_broker_open_replica_logs')).toBeGreaterThanOrEqual(1);
    expect(value(leaderMetrics, 'samsa_broker_open_replica_logs')).toBeLessThanOrEqual(hostedHere);
    // Latency histograms: the leader answered two produces; the forwarding broker one.
    const produceCount = samples(leaderMetrics, 'samsa_broker_produce_duration_seconds_count', { topic, outcome: 'ok' }).reduce(
      (n, s) => n + s.value,
      0,
    );
    expect(produceCount).toBe(2);
    const otherMetrics = await scrape(other.metricsUrl as string);
    expect(
      samples(otherMetrics, 'samsa_broker_produce_duration_seconds_count', { topic, outcome: 'ok' }).reduce((n, s) => n + s.value, 0),
    ).toBe(1);
    // The consume's stream is closed again.
    await waitUntil(
      async () => value(await scrape(leader.metricsUrl as string), 'samsa_broker_open_streams', { kind: 'local' }) === 0,
      30_000,
      'the consume stream to close',
    );

    // The followers hold byte-identical copies (acks=all) and count them as follower replicas.
    const logSize = value(leaderMetrics, 'samsa_partition_log_size_bytes', p0);
    for (const b of cluster.brokers.filter((x) => x !== leader)) {
      const m = await scrape(b.metricsUrl as string);
      expect(value(m, 'samsa_partition_log_size_bytes', p0), b.name).toBe(logSize);
      expect(value(m, 'samsa_broker_partitions', { role: 'follower' }), b.name).toBeGreaterThanOrEqual(1);
      expect(samples(m, 'samsa_partition_isr_size', p0), `${b.name} reports ISR only for partitions it leads`).toEqual([]);
    }
    for (const b of cluster.brokers) {
      const m = await scrape(b.metricsUrl as string);
      expect(samples(m, 'samsa_broker_under_replicated_partitions'), b.name).toHaveLength(1);
      expect(samples(m, 'target_info', { service_instance_id: `broker-${b.spec.id}`, service_name: 'samsa-broker' }), b.name).toHaveLength(
        1,
      );
    }
    const controllerMetrics = await scrape(cluster.controllers[0]?.metricsUrl as string);
    // Nothing stalled in this run: every member's lease counter is there, at 0.
    for (const s of [...cluster.brokers, ...cluster.controllers, ...cluster.coordinators]) {
      const m = await scrape(s.metricsUrl as string);
      expect(value(m, 'samsa_lease_stall_revocations_total'), s.name).toBe(0);
    }
    expect(value(controllerMetrics, 'samsa_controller_active')).toBe(1);
    expect(value(controllerMetrics, 'samsa_controller_brokers_alive')).toBe(3);
    expect(value(controllerMetrics, 'samsa_controller_offline_partitions')).toBe(0);
    expect(value(controllerMetrics, 'samsa_controller_elections_total')).toBe(1);
    expect(value(controllerMetrics, 'samsa_controller_metadata_version')).toBeGreaterThan(0);

    // Labels read as words: acks="all", not ACKS_ALL; per-RPC counts by method and status.
    expect(samples(leaderMetrics, 'samsa_broker_produce_duration_seconds_count', { topic, acks: 'all', outcome: 'ok' }).length).toBe(1);
    const produceCalls = samples(leaderMetrics, 'rpc_server_call_duration_seconds_count', {
      rpc_service: 'samsa.v1.BrokerService',
      rpc_method: 'Produce',
      rpc_response_status_code: 'OK',
    });
    expect(produceCalls.reduce((n, s) => n + s.value, 0)).toBeGreaterThanOrEqual(2);
    // The CLI's consume ended by cancelling its stream: counted as CANCELLED, not as an error.
    expect(
      samples(leaderMetrics, 'rpc_server_call_duration_seconds_count', { rpc_method: 'Consume', rpc_response_status_code: 'CANCELLED' })
        .length,
    ).toBe(1);
    // acks=all with fsync=batch: each append was fsynced on the leader.
    expect(
      samples(leaderMetrics, 'samsa_log_fsync_duration_seconds_count', { reason: 'append' }).reduce((n, s) => n + s.value, 0),
    ).toBeGreaterThanOrEqual(2);
    expect(value(leaderMetrics, 'samsa_partition_log_segments', p0)).toBe(1);
    expect(value(leaderMetrics, 'samsa_broker_under_min_isr_partitions')).toBe(0);
  });

  it('every metric docs/metrics.md lists for a service is on its /metrics, with units in the names', async () => {
    const rows = documentedMetrics();
    expect(rows.length).toBeGreaterThan(40);
    const byKind = { broker: cluster.brokers[0], controller: cluster.controllers[0], coordinator: cluster.coordinators[0] };
    for (const [kind, service] of Object.entries(byKind)) {
      const scraped = new Set((await scrape(service?.metricsUrl as string)).map((s) => s.name));
      const missing = rows
        .filter((r) => r.services.includes(kind) && !r.onEvent)
        .filter((r) => !scraped.has(r.type === 'histogram' ? `${r.name}_count` : r.name))
        .map((r) => r.name);
      expect(missing, `${kind} lacks documented metrics`).toEqual([]);
      // Nothing served that the docs do not list (beyond target_info).
      const documented = new Set(
        rows.flatMap((r) => (r.type === 'histogram' ? [`${r.name}_bucket`, `${r.name}_sum`, `${r.name}_count`] : [r.name])),
      );
      expect(
        [...scraped].filter((n) => n !== 'target_info' && !documented.has(n)),
        `${kind} serves undocumented metrics`,
      ).toEqual([]);
    }
  });
});

describe('metrics endpoint', () => {
  it("is served by each service's main thread only: its worker threads start no telemetry of their own", () => {
    // Node runs --import preloads (the telemetry bootstrap) in worker threads too; each one's SDK
    // tried to bind the same /metrics port and warned. Every member here has a lease keep-alive thread.
    for (const s of [...cluster.brokers, ...cluster.controllers, ...cluster.coordinators]) {
      const log = readFileSync(join(cluster.dir, 'logs', `${s.name}.log`), 'utf8');
      expect(log, s.name).not.toMatch(/cannot serve \/metrics/);
    }
  });
});

interface DocumentedMetric {
  name: string;
  type: string;
  services: string;
  onEvent: boolean;
}

/** The rows of the table in docs/metrics.md. */
function documentedMetrics(): DocumentedMetric[] {
  const text = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'metrics.md'), 'utf8');
  return [...text.matchAll(/^\| `([a-z0-9_]+)` \| (\w+) \|[^|]*\| ([^|]+) \| ([^|]+) \|$/gm)].map((m) => ({
    name: m[1] as string,
    type: m[2] as string,
    services: m[3] as string,
    onEvent: (m[4] as string).includes('*on event*'),
  }));
}

// After the metrics check: a group member's commits are produces too (to __consumer_offsets).
describe('group traces', () => {
  it("a group member's join, the rebalance it causes and its offset commits are spans of the coordinator, the join inside the member's GroupConsume call", async () => {
    const group = uniqueName('traced-group');
    // Relay mode: the coordinator reads the records for the member (group.deliver below).
    const consumed = await tracedCli(['consume', topic, '--group', group, '--delivery', 'relay', '--max-messages', '2']);
    expect(consumed.code).toBe(0);
    expect(consumed.stdout.trim().split('\n')).toEqual(['forwarded', 'from-the-cli']);
    const ofGroup = (s: ReceivedSpan): boolean => s.attributes['samsa.group'] === group;
    await receiver.waitFor('the coordinator spans of the group', (spans) =>
      ['group.join', 'group.rebalance', 'group.commit'].every((name) => spans.some((s) => s.name === name && ofGroup(s))),
    );
    const join = receiver.spans.find((s) => s.name === 'group.join' && ofGroup(s)) as ReceivedSpan;
    expect(join.service).toBe('samsa-coordinator');
    const chain = ancestors(join, receiver.trace(join.traceId)).map((s) => `${s.name}@${s.service}`);
    expect(chain).toContain('samsa.v1.CoordinatorService/GroupConsume@samsa-coordinator');
    expect(chain).toContain('samsa.v1.CoordinatorService/GroupConsume@samsa-cli');
    const rebalance = receiver.spans.find((s) => s.name === 'group.rebalance' && ofGroup(s)) as ReceivedSpan;
    expect(rebalance.attributes['samsa.generation']).toBeGreaterThanOrEqual(1);
    const commits = receiver.spans.filter((s) => s.name === 'group.commit' && ofGroup(s));
    expect(commits.length).toBeGreaterThan(0);
    expect(commits.every((s) => s.attributes['samsa.member_id'] === join.attributes['samsa.member_id'])).toBe(true);

    // The member's session is the coordinator's GroupConsume span; its commits and deliveries are
    // traces of their own that link to it, so the session's trace does not grow with them.
    const session = ancestors(join, receiver.trace(join.traceId)).find(
      (s) => s.name === 'samsa.v1.CoordinatorService/GroupConsume' && s.kind === SERVER_KIND,
    ) as ReceivedSpan;
    await receiver.waitFor('a delivery linked to the session', (spans) =>
      spans.some((s) => s.name === `group.deliver ${topic}` && ofGroup(s)),
    );
    for (const commit of commits) {
      const root = ancestors(commit, receiver.trace(commit.traceId)).at(-1) as ReceivedSpan;
      expect(root.name).toBe('group.member.commit');
      expect(root.traceId).not.toBe(session.traceId);
      expect(root.links).toContainEqual({ traceId: session.traceId, spanId: session.spanId });
    }
    const delivery = receiver.spans.find((s) => s.name === `group.deliver ${topic}` && ofGroup(s)) as ReceivedSpan;
    expect(delivery.parentSpanId).toBe('');
    expect(delivery.links).toContainEqual({ traceId: session.traceId, spanId: session.spanId });

    // The member's side: its connection is the root of the session's trace (the member's and the
    // coordinator's GroupConsume spans under it), and each chunk it received is a `receive` trace of
    // its own linked to that session span and to the producers' spans.
    const memberSession = ancestors(session, receiver.trace(session.traceId)).at(-1) as ReceivedSpan;
    expect(describeSpan(memberSession)).toBe('group.member.session@cli');
    expect(memberSession.attributes['samsa.group']).toBe(group);
    const linksSession = (s: ReceivedSpan): boolean =>
      s.name === `receive ${topic}` && s.links.some((l) => l.spanId === memberSession.spanId);
    await receiver.waitFor("the member's receive spans linked to its session", (spans) => spans.some(linksSession));
    const received = receiver.spans.filter(linksSession);
    for (const r of received) {
      expect(r.service).toBe('samsa-cli');
      expect(r.kind).toBe(CONSUMER_KIND);
      expect(r.parentSpanId).toBe('');
      expect(r.traceId).not.toBe(session.traceId);
    }
    // And to the producer: the CLI's send span of 'from-the-cli' (the test above).
    const send = receiver.spans.find((s) => s.service === 'samsa-cli' && s.name === `send ${topic}`) as ReceivedSpan;
    expect(received.flatMap((r) => r.links)).toContainEqual({ traceId: send.traceId, spanId: send.spanId });
    expect(received.reduce((n, r) => n + Number(r.attributes['messaging.batch.message_count']), 0)).toBe(2);
    // One span per chunk on the coordinator (group.deliver): the reads behind a delivery, and the
    // coordinator's loading of __consumer_offsets, make no `receive` spans of their own.
    expect(receiver.spans.filter((s) => s.service === 'samsa-coordinator' && s.name.startsWith('receive ')).map(describeSpan)).toEqual([]);
    // The session's own trace: the member's call, the coordinator's span, the join and what it caused.
    const sessionTrace = receiver.trace(session.traceId);
    expect(sessionTrace.length, sessionTrace.map(describeSpan).join(', ')).toBeLessThanOrEqual(8);
    expect(receiver.missingParents(session.traceId)).toEqual([]);
  });
});

describe('an idle cluster', () => {
  it('exports (almost) no traces while nobody asks it anything', async () => {
    // Let what the tests above caused arrive (each exporter sends every 200 ms), then watch a
    // window in which the coordinator refreshes lag ~15 times and followers poll their leaders.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const before = receiver.spans.length;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const during = receiver.spans.slice(before);
    // On failure, the whole of each span: which service, which trace, what it was about.
    expect(
      during.map((s) => ({
        span: describeSpan(s),
        kind: s.kind,
        root: s.parentSpanId === '',
        links: s.links.length,
        attributes: s.attributes,
        trace: receiver.trace(s.traceId).map(describeSpan),
      })),
    ).toEqual([]);
  });
});

describe('health', () => {
  it('grpc.health.v1 Check answers SERVING on every service', async () => {
    const services = [...cluster.controllers, ...cluster.brokers, ...cluster.coordinators];
    expect(services).toHaveLength(5);
    for (const s of services) expect(await checkHealth(s.address), s.name).toBe('SERVING');
    for (const b of cluster.brokers) expect(await checkHealth(b.address, 'samsa.v1.BrokerService'), b.name).toBe('SERVING');
    expect(await checkHealth(cluster.controllers[0]?.address as string, 'samsa.v1.ControllerService')).toBe('SERVING');
    for (const c of cluster.coordinators) expect(await checkHealth(c.address, 'samsa.v1.CoordinatorService'), c.name).toBe('SERVING');
  });

  it('the container health probe exits 0 for a SERVING service and 1 for one that does not answer', async () => {
    const probe = (address: string): Promise<{ code: number | null; out: string }> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [join(import.meta.dirname, '..', '..', 'dist', 'tools', 'health-probe.js'), address], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('error', reject);
        child.on('exit', (code) => resolve({ code, out }));
      });
    const ok = await probe(cluster.brokers[0]?.address as string);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.out).toContain('SERVING');
    const closed = await probe(`127.0.0.1:${await freePort()}`);
    expect(closed.code).toBe(1);
    expect(closed.out).toContain('UNREACHABLE');
  });
});

describe('shutdown', () => {
  it('a stopped service flushes the spans it still holds', async () => {
    // A standby controller whose exporter would wait an hour: only the shutdown flush can deliver.
    const dir = join(cluster.dir, 'controller-9');
    const standby = new ServiceProcess({
      kind: 'controller',
      id: 9,
      host: '127.0.0.1',
      port: await freePort('127.0.0.1'),
      etcdEndpoint: cluster.etcd.endpoint,
      clusterId: cluster.clusterId,
      dataDir: dir,
      logFile: join(cluster.dir, 'logs', 'controller-9.log'),
      // As the harness's services: ACLs on, the test's client certificate (the CLI's) a super-user.
      env: { ...OTEL_ENV, OTEL_BSP_SCHEDULE_DELAY: '3600000', SAMSA_LEASE_TTL_SECONDS: '3', SAMSA_SUPER_USERS: 'User:samsa-cli' },
    });
    try {
      await standby.start();
      const traceId = hex(16);
      const metadata = new grpc.Metadata();
      metadata.set('traceparent', `00-${traceId}-${hex(8)}-01`);
      const client = controllerClient(standby.address);
      try {
        const listed = await callUnary<v1.ListTopicsResponse__Output>(standby.address, { timeoutMs: 10_000 }, (options, cb) =>
          client.listTopics({}, metadata, options, cb),
        );
        expect(listed.names).toContain(topic);
      } finally {
        client.close();
      }
      expect(receiver.trace(traceId)).toEqual([]);
      await standby.stop();
      const spans = receiver.trace(traceId);
      expect(spans.map(describeSpan)).toEqual(['samsa.v1.ControllerService/ListTopics@controller-9']);
      expect(spans[0]?.service).toBe('samsa-controller');
    } finally {
      await standby.stop();
    }
  });
});
