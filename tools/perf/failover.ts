/**
 * The failover benchmark behind `samsa perf failover`: how long writes are unavailable when
 * brokers die or restart. It starts its own cluster (etcd, one controller, three brokers, as real
 * processes on free ports in a temp dir), creates an RF=3, min.insync.replicas=2 topic, and keeps
 * an acks=all idempotent load on every partition: one send of one record at a time per partition,
 * the next as soon as the last is answered (a failed send is counted and sent again), so the time
 * between two acknowledgements of a partition is how long it could not take a write. Then:
 *
 * - kill: `kill -9` of a partition leader; per partition it led, the time from the kill to the
 *   first write acknowledged after it (necessarily by the new leader). The killed broker is
 *   restarted and the cluster left to settle (every ISR full, every leader the preferred one)
 *   before the next run.
 * - bounce: SIGTERM of one broker (a controlled shutdown) and its restart; per partition, the
 *   longest gap between two acknowledgements from the SIGTERM until the cluster has settled again.
 * - roll: a rolling restart (SIGTERM, restart, wait for full ISRs, next broker); per partition,
 *   the longest gap from the first SIGTERM until the cluster has settled.
 * - fast: five quick bounces of a follower and then of the leader of partition 0, without waiting
 *   in between (issue 12's "stopped all acks for 37 s"); per partition, the longest gap.
 *
 * Figures only: nothing here asserts a bound. Times are wall-clock ms on this process's clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Samsa, type Producer, type TopicMetadata } from '../../libs/client/index.js';
import { systemClock } from '../../libs/runtime/index.js';
import { LocalCluster, waitUntil, type ServiceProcess } from '../launcher/index.js';

export const FAILOVER_SCENARIOS = ['kill', 'bounce', 'roll', 'fast'] as const;
export type FailoverScenario = (typeof FAILOVER_SCENARIOS)[number];

export interface FailoverOptions {
  /** Which scenarios, in this order. */
  scenarios: readonly FailoverScenario[];
  /** Repetitions of the kill and bounce scenarios (roll and fast run once per repetition too). */
  runs: number;
  partitions: number;
  /** Extra SAMSA_* settings for every service (e.g. a lease TTL to compare). */
  env?: Record<string, string>;
  /** Keep the cluster's directory (data and every process's log) instead of removing it. */
  keepDir?: boolean;
  /** A line of progress (what runs, each measurement as it is made). */
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface FailoverReport {
  /** Per scenario, one sample (ms) per partition concerned per run. */
  samples: Record<FailoverScenario, number[]>;
  /** Sends that failed (and were sent again), by reason. */
  failures: Map<string, number>;
  acked: number;
  dir: string;
}

/** How long the cluster may take to settle after a fault before the benchmark gives up. */
const SETTLE_TIMEOUT_MS = 120_000;
/** A partition without an acknowledgement for this long after a fault: the run failed. */
const RECOVER_TIMEOUT_MS = 60_000;

/** The acks=all load: one send in flight per partition, acknowledgement times kept per partition. */
class AckLoad {
  /** Acknowledgement times per partition, ascending. */
  readonly acks: number[][];
  readonly failures = new Map<string, number>();
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  private readonly value = Buffer.alloc(100, 0x61);

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    partitions: number,
  ) {
    this.acks = Array.from({ length: partitions }, () => []);
    for (let p = 0; p < partitions; p++) this.loops.push(this.loop(p));
  }

  get acked(): number {
    return this.acks.reduce((n, a) => n + a.length, 0);
  }

  private async loop(partition: number): Promise<void> {
    const times = this.acks[partition] as number[];
    while (!this.stopped) {
      try {
        await this.producer.send({ topic: this.topic, messages: [{ value: this.value, partition }] });
        times.push(systemClock.nowMs());
      } catch (err) {
        const reason = err instanceof Error && 'reason' in err ? String((err as { reason: unknown }).reason) : String(err);
        this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
        await sleep(10);
      }
    }
  }

  /** The first acknowledgement of `partition` after `t` (undefined: none yet). */
  firstAckAfter(partition: number, t: number): number | undefined {
    const times = this.acks[partition] as number[];
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((times[mid] as number) <= t) lo = mid + 1;
      else hi = mid;
    }
    return times[lo];
  }

  /** The longest time `partition` went without an acknowledgement within [from, to], and when it began. */
  longestGap(partition: number, from: number, to: number): { ms: number; since: number } {
    const times = this.acks[partition] as number[];
    let last = from;
    let longest = { ms: 0, since: from };
    for (const t of times) {
      if (t <= from) continue;
      if (t > to) break;
      if (t - last > longest.ms) longest = { ms: t - last, since: last };
      last = t;
    }
    return to - last > longest.ms ? { ms: to - last, since: last } : longest;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }
}

export async function runFailover(options: FailoverOptions): Promise<FailoverReport> {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-failover-'));
  const samples: Record<FailoverScenario, number[]> = { kill: [], bounce: [], roll: [], fast: [] };
  options.log(`starting etcd, 1 controller and 3 brokers in ${dir}`);
  const cluster = await LocalCluster.start({
    dir,
    brokers: 3,
    controllers: 1,
    coordinators: 0,
    env: { SAMSA_LOG_LEVEL: 'info', ...options.env },
  });
  const samsa = new Samsa({ bootstrap: cluster.brokers.map((b) => b.address) });
  let load: AckLoad | undefined;
  let finished = false;
  try {
    const topic = 'failover-bench';
    await samsa
      .admin()
      .createTopic({ name: topic, partitions: options.partitions, replicationFactor: 3, config: { 'min.insync.replicas': '2' } });
    const producer = samsa.producer({ acks: 'all', idempotent: true });
    load = new AckLoad(producer, topic, options.partitions);
    const bench = new Bench(cluster, samsa, topic, load, options);
    await bench.settle();
    await sleep(1000);
    for (let run = 0; run < options.runs; run++) {
      for (const scenario of options.scenarios) {
        if (options.signal?.aborted) break;
        const got = await bench.run(scenario, run);
        samples[scenario].push(...got);
        options.log(`${scenario} run ${run + 1}: ${got.map((ms) => `${ms} ms`).join(', ')}`);
        await bench.settle();
        await sleep(1000);
      }
    }
    finished = true;
    return { samples, failures: load.failures, acked: load.acked, dir };
  } finally {
    await load?.stop();
    await samsa.close();
    await cluster.stop();
    // A failed run keeps its logs for a look.
    if (!options.keepDir && finished) rmSync(dir, { recursive: true, force: true });
    else options.log(`cluster dir kept at ${dir}`);
  }
}

class Bench {
  constructor(
    private readonly cluster: LocalCluster,
    private readonly samsa: Samsa,
    private readonly topic: string,
    private readonly load: AckLoad,
    private readonly options: FailoverOptions,
  ) {}

  run(scenario: FailoverScenario, run: number): Promise<number[]> {
    switch (scenario) {
      case 'kill':
        return this.kill(run);
      case 'bounce':
        return this.bounce(run);
      case 'roll':
        return this.roll();
      case 'fast':
        return this.fast();
    }
  }

  private async describe(): Promise<TopicMetadata> {
    const [t] = await this.samsa.admin().describeTopics([this.topic]);
    if (!t) throw new Error(`topic ${this.topic} is gone`);
    return t;
  }

  /** Every ISR full and every partition led by its preferred replica (leadership rebalanced). */
  async settle(): Promise<void> {
    await waitUntil(
      async () => {
        const t = await this.describe().catch(() => undefined);
        return t !== undefined && t.partitions.every((p) => p.isr.length === p.replicas.length && p.leaderId === p.replicas[0]);
      },
      SETTLE_TIMEOUT_MS,
      'every ISR full and every leader the preferred one',
      200,
    );
  }

  private async fullIsr(): Promise<void> {
    await waitUntil(
      async () => {
        const t = await this.describe().catch(() => undefined);
        return t !== undefined && t.partitions.every((p) => p.isr.length === p.replicas.length && p.leaderId >= 0);
      },
      SETTLE_TIMEOUT_MS,
      'every ISR full',
      200,
    );
  }

  private broker(id: number): ServiceProcess {
    return this.cluster.broker(id);
  }

  private async kill(run: number): Promise<number[]> {
    const t = await this.describe();
    const victim = (t.partitions[run % t.partitions.length] as { leaderId: number }).leaderId;
    const led = t.partitions.filter((p) => p.leaderId === victim).map((p) => p.partition);
    const at = systemClock.nowMs();
    await this.broker(victim).kill9();
    const got: number[] = [];
    for (const p of led) {
      await waitUntil(
        () => this.load.firstAckAfter(p, at) !== undefined,
        RECOVER_TIMEOUT_MS,
        `an acknowledged write to partition ${p} after kill -9 of broker ${victim}`,
        20,
      );
      got.push((this.load.firstAckAfter(p, at) as number) - at);
    }
    await this.broker(victim).start();
    return got;
  }

  /** SIGTERM and restart of one broker; the longest gap of each partition until settled. */
  private async bounce(run: number): Promise<number[]> {
    const victim = (run % this.cluster.brokers.length) + 1;
    const from = systemClock.nowMs();
    const stopStarted = systemClock.nowMs();
    await this.broker(victim).stop();
    this.options.log(`  broker ${victim} took ${systemClock.nowMs() - stopStarted} ms to stop`);
    await this.broker(victim).start();
    await this.settle();
    return this.gaps(from, systemClock.nowMs());
  }

  private async roll(): Promise<number[]> {
    const from = systemClock.nowMs();
    for (const b of this.cluster.brokers) {
      const stopStarted = systemClock.nowMs();
      await b.stop();
      this.options.log(`  ${b.name} took ${systemClock.nowMs() - stopStarted} ms to stop`);
      await b.start();
      await this.fullIsr();
    }
    await this.settle();
    return this.gaps(from, systemClock.nowMs());
  }

  /** Five times: bounce a follower of partition 0, then its leader, without waiting in between. */
  private async fast(): Promise<number[]> {
    const from = systemClock.nowMs();
    for (let i = 0; i < 5; i++) {
      const t = await this.describe();
      const p0 = t.partitions[0] as { leaderId: number; replicas: number[] };
      const follower = p0.replicas.find((r) => r !== p0.leaderId) ?? (p0.replicas[0] as number);
      await this.broker(follower).stop();
      await this.broker(follower).start();
      const leader = (await this.describe()).partitions[0]?.leaderId ?? p0.leaderId;
      if (leader >= 0) {
        await this.broker(leader).stop();
        await this.broker(leader).start();
      }
    }
    await this.settle();
    return this.gaps(from, systemClock.nowMs());
  }

  /** Per partition, the longest gap; the log says when each began (ISO time, for the brokers' logs). */
  private gaps(from: number, to: number): number[] {
    const gaps = this.load.acks.map((_, p) => this.load.longestGap(p, from, to));
    this.options.log(`  longest gaps began at ${gaps.map((g, p) => `p${p} ${new Date(g.since).toISOString().slice(11, 23)}`).join(', ')}`);
    return gaps.map((g) => g.ms);
  }
}

/** One line per scenario: samples, p50, p99, max, in ms. */
export function formatFailover(report: FailoverReport, scenarios: readonly FailoverScenario[]): string {
  const what: Record<FailoverScenario, string> = {
    kill: 'kill -9 of a leader -> first acked write (per partition it led)',
    bounce: 'SIGTERM bounce -> longest write gap (per partition)',
    roll: 'rolling restart -> longest write gap (per partition)',
    fast: '5 fast follower+leader bounces -> longest write gap (per partition)',
  };
  const lines = scenarios.map((s) => {
    const v = [...report.samples[s]].sort((a, b) => a - b);
    if (v.length === 0) return `${s}: no samples`;
    const pct = (q: number): number => v[Math.min(v.length - 1, Math.max(0, Math.ceil((q / 100) * v.length) - 1))] as number;
    return `${s}: ${what[s]}: ${v.length} samples, p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${v[v.length - 1]} ms`;
  });
  const failures = [...report.failures].map(([r, n]) => `${r} x${n}`).join(', ');
  lines.push(`acked ${report.acked.toLocaleString('en-US')} writes; failed sends (sent again): ${failures || 'none'}`);
  return lines.join('\n');
}
