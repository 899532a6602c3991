/**
 * The shape every fault scenario shares: a cluster, a topic, a load producer, the fault (the
 * scenario's own code, which marks named moments), then one ending that checks everything (see
 * checker.ts) and prints a summary to stdout:
 *
 *   [fault] kill -9 leader: acked 3120, read back 3180, lost 0, duplicated 0,
 *           unacked-but-present 60, recovery after "kill -9 broker 2": 3412 ms, ...
 *
 * Times to recover are printed, not asserted: only the bounds inside the waits (which mean "it
 * never recovered") can fail a test.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import {
  compareReplicas,
  converge,
  currentEnds,
  readBack,
  verifyLog,
  verifyObserved,
  type LogVerdict,
  type ObservedVerdict,
  type PartitionEnd,
  type ReadRecord,
  type ReplicaVerdict,
} from './checker.js';
import { FaultCluster, sameSet, type FaultClusterOptions } from './fault-cluster.js';
import { LiveConsumer } from './live-consumer.js';
import { LoadProducer, type LoadProducerOptions } from './load-producer.js';
import type { PartitionView } from './probe.js';

export interface ScenarioOptions {
  name: string;
  partitions?: number;
  replicationFactor?: number;
  minInsyncReplicas?: number;
  cluster?: Omit<FaultClusterOptions, 'name'>;
  load?: Partial<Omit<LoadProducerOptions, 'topic' | 'partitions' | 'brokers'>>;
  /**
   * Run a live consumer beside the load (started by startLoad()): it reads committed records
   * during the run, and finish() checks that each is still at the offset it was read at.
   */
  consumer?: boolean;
}

export interface Mark {
  label: string;
  atMs: number;
  /** Partitions whose recovery this moment is about; all when absent. */
  partitions?: number[];
}

export interface ScenarioResult {
  verdict: LogVerdict;
  replicas: ReplicaVerdict[];
  ends: PartitionEnd[];
  recoveries: { label: string; ms: number | undefined }[];
  /** What the live consumer read, held to the end state; absent without a consumer. */
  observed?: ObservedVerdict;
  /** Waits that never ended (see Scenario.attempt), converge() among them. */
  problems: string[];
}

export class Scenario {
  readonly marks: Mark[] = [];
  /** Waits that never ended: recorded by attempt(), failed by finish() after it gathered the evidence. */
  readonly problems: string[] = [];

  private constructor(
    readonly name: string,
    readonly cluster: FaultCluster,
    readonly topic: string,
    readonly load: LoadProducer,
    readonly initial: PartitionView[],
    private readonly startedAtMs: number,
    readonly consumer: LiveConsumer | undefined,
  ) {}

  static async start(options: ScenarioOptions): Promise<Scenario> {
    const startedAtMs = Date.now();
    const cluster = await FaultCluster.start({ name: options.name, ...options.cluster });
    const topic = `fault-${options.name}`;
    const partitions = options.partitions ?? 3;
    const initial = await cluster.createTopic(topic, partitions, options.replicationFactor ?? 3, options.minInsyncReplicas ?? 2);
    const load = new LoadProducer(cluster.probe, {
      topic,
      partitions,
      brokers: cluster.brokerAddresses(),
      producerId: options.name,
      ...options.load,
    });
    const consumer = options.consumer
      ? new LiveConsumer(cluster.probe, { topic, partitions, brokers: cluster.brokerAddresses() })
      : undefined;
    return new Scenario(options.name, cluster, topic, load, initial, startedAtMs, consumer);
  }

  /** Notes a moment (a fault, a heal) whose time to recover the summary prints; returns its time. */
  mark(label: string, partitions?: number[]): number {
    const atMs = Date.now();
    this.marks.push({ label, atMs, ...(partitions ? { partitions } : {}) });
    return atMs;
  }

  /** Partitions broker `id` led when the topic was created. */
  ledBy(id: number): number[] {
    return this.initial.filter((p) => p.leaderId === id).map((p) => p.partition);
  }

  /** Waits until every partition has a serving leader and its whole replica set in the ISR again. */
  waitFullIsr(what: string, timeoutMs = 30_000): Promise<PartitionView[]> {
    return this.cluster.waitForPartitions(this.topic, (p) => p.leaderId >= 0 && sameSet(p.isr, p.replicas), timeoutMs, what);
  }

  /**
   * Runs `fn`; when it throws (a bounded wait that ran out: "it never recovered") the failure is
   * recorded instead of ending the test there, and undefined returned. finish() then still stops
   * the load, reads everything back and prints the whole evidence before it fails on it.
   */
  async attempt<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      const message = `${what}: ${err instanceof Error ? err.message : String(err)}`;
      this.problems.push(message);
      process.stdout.write(`[fault] ${this.name}: ! ${message}\n`);
      return undefined;
    }
  }

  /** Starts the load (and the live consumer, if any) and waits until it is really flowing (`count` records acknowledged). */
  async startLoad(count = 300): Promise<void> {
    this.consumer?.start();
    this.load.start();
    await this.load.waitForMoreAcks(count, 20_000, 'the load to flow before the fault');
  }

  /**
   * Ends the scenario: stops the load, settles, converges, reads back, stops the brokers cleanly,
   * compares replicas, prints the summary, and asserts. Every broker must be running (healed) by now.
   */
  async finish(): Promise<ScenarioResult> {
    await this.load.stop();
    await this.attempt('one acks=all write to every partition after the scenario (settle)', () => this.load.settle());
    await this.consumer?.stop();
    const recoveries = this.marks.map((m) => ({ label: m.label, ms: this.load.recoveryMs(m.atMs, m.partitions) }));
    // Not converged: the evidence is read from where each partition stands, and the test fails on the problem.
    const ends =
      (await this.attempt('converge (full ISR everywhere, high watermarks standing still)', () => converge(this.cluster, this.topic))) ??
      (await currentEnds(this.cluster, this.topic));
    // Every request the load made, for a look when the cluster dir is kept (a failure, or SAMSA_KEEP_TEST_DIRS).
    const consumed = this.consumer ? { consumed: this.consumer.observed } : {};
    writeFileSync(
      join(this.cluster.dir, 'attempts.json'),
      JSON.stringify({ marks: this.marks, problems: this.problems, attempts: this.load.attempts, ...consumed }),
    );
    let final: ReadRecord[][];
    try {
      final = await readBack(this.cluster, this.topic, ends);
    } catch (err) {
      process.stdout.write(
        `[fault] ${this.name}: read-back failed (${err instanceof Error ? err.message : String(err)}); problems: ${this.problems.join(' | ') || 'none'}\n`,
      );
      throw err;
    }
    const verdict = verifyLog(this.load, final);
    const readPartitions = new Set(ends.map((e) => e.partition));
    const observed = this.consumer
      ? verifyObserved(
          this.consumer.observed.filter((_, p) => readPartitions.has(p)),
          final,
        )
      : undefined;
    await Promise.all(this.cluster.brokers.map((b) => b.stop()));
    const replicas = await compareReplicas((id) => this.cluster.dataDir(id), this.topic, ends);
    const result: ScenarioResult = { verdict, replicas, ends, recoveries, problems: [...this.problems], ...(observed ? { observed } : {}) };
    process.stdout.write(this.summary(result) + '\n');

    // How many, and the first few: a failure can name thousands (the summary above has the counts too).
    const none = (list: readonly string[]): { count: number; first: string[] } => ({ count: list.length, first: list.slice(0, 10) });
    expect(none(verdict.lost), 'acknowledged records lost or moved').toEqual(none([]));
    expect(none(observed?.moved ?? []), 'records a consumer read during the run, found elsewhere at the end').toEqual(none([]));
    expect(none(verdict.duplicated), 'records at two offsets').toEqual(none([]));
    expect(none(verdict.unknown), 'records nobody sent').toEqual(none([]));
    expect(none(verdict.offsetErrors), 'offsets not gapless from 0').toEqual(none([]));
    expect(this.problems, 'waits that never ended (it never recovered)').toEqual([]);
    expect(
      replicas.flatMap((r) => r.mismatches.map((m) => `partition ${r.partition}: ${m}`)),
      'replicas that differ',
    ).toEqual([]);
    // A check that saw nothing checks nothing.
    expect(verdict.acked).toBeGreaterThan(0);
    expect(verdict.readBack).toBeGreaterThanOrEqual(verdict.acked);
    return result;
  }

  private summary(r: ScenarioResult): string {
    const v = r.verdict;
    const failures = [...this.load.failuresByReason()].map(([reason, n]) => `${reason} x${n}`).join(', ') || 'none';
    const lines = [
      `[fault] ${this.name}: acked ${v.acked}, read back ${v.readBack}, lost ${v.lost.length}, duplicated ${v.duplicated.length}, ` +
        `unacked-but-present ${v.unackedPresent}, unknown ${v.unknown.length}, offset errors ${v.offsetErrors.length}`,
      `[fault]   sent ${this.load.sent.size} in ${this.load.attempts.length} requests; failed requests: ${failures}`,
      ...r.recoveries.map(
        (x) =>
          `[fault]   time to recover after "${x.label}": ${x.ms === undefined ? 'never (no acks=all write went through afterwards)' : `${x.ms} ms`}`,
      ),
      ...(r.observed && this.consumer
        ? [
            `[fault]   live consumer: read ${r.observed.read} committed records during the run, ${r.observed.moved.length} of them not at that offset at the end; fetch errors: ${
              [...this.consumer.errors].map(([reason, n]) => `${reason} x${n}`).join(', ') || 'none'
            }`,
          ]
        : []),
      `[fault]   partitions: ${r.ends.map((e) => `p${e.partition} leader ${e.leaderId} hw ${e.highWatermark}`).join('; ')}`,
      `[fault]   replicas identical below the high watermark: ${r.replicas.every((x) => x.mismatches.length === 0) ? 'yes' : 'NO'}; total ${((Date.now() - this.startedAtMs) / 1000).toFixed(1)} s`,
    ];
    for (const x of r.problems) lines.push(`[fault]   ! never recovered: ${x}`);
    for (const x of [
      ...v.lost.slice(0, 5),
      ...(r.observed?.moved.slice(0, 5) ?? []),
      ...v.duplicated.slice(0, 5),
      ...v.unknown.slice(0, 5),
      ...v.offsetErrors.slice(0, 5),
    ])
      lines.push(`[fault]   ! ${x}`);
    for (const x of r.replicas) for (const m of x.mismatches) lines.push(`[fault]   ! partition ${x.partition}: ${m}`);
    return lines.join('\n');
  }
}
