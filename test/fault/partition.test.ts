/**
 * Network partitions (issue 12.7): brokers and controllers each in a network namespace of their
 * own (harness/netns.ts), cut by nftables rules that drop packets silently both ways, while the
 * test (the clients) and, unless cut too, etcd still reach everyone. Each scenario runs the
 * acks=all load and ends with Scenario.finish(): nothing acknowledged lost, duplicated or moved,
 * replicas identical, the full ISR back after the heal.
 *
 * What is held to account is counted, never timed: ISR changes during a cut (from an etcd watch on
 * the partition records), writes a cut-off leader acknowledged after a successor was published,
 * admin calls a cut-off controller still answered as the active one. The bounds inside waits mean
 * "it never happened", not speed targets.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { buildBatch } from '../../libs/record/index.js';
import { toSamsaError } from '../../libs/errors/index.js';
import { connectEtcd, MetadataKeys } from '../../libs/cluster/index.js';
import type { ServiceProcess } from '../../tools/launcher/index.js';
import { FaultCluster } from './harness/fault-cluster.js';
import { NetLab } from './harness/netns.js';
import { PartitionWatch, describeChanges } from './harness/partition-watch.js';
import { Scenario } from './harness/scenario.js';

afterAll(() => FaultCluster.stopAll());

const unavailable = NetLab.unavailable();
if (unavailable) process.stdout.write(`[fault] partition scenarios skipped: ${unavailable}\n`);

/** How long each cut lasts: several replica lag times and lease TTLs of the fault timings. */
const CUT_MS = 15_000;

/** What a broker that does not (or no longer) lead a partition answers a produce with. */
const NOT_LEADING = ['NOT_LEADER_OR_FOLLOWER', 'LEADER_NOT_AVAILABLE', 'FENCED'];

describe.skipIf(unavailable !== undefined)('network partitions (replication factor 3, min.insync.replicas 2)', () => {
  it('a leader cut from its followers, clients still reaching it: the ISR shrinks once and does not flap; healed, acks=all comes back with the full ISR', async () => {
    const s = await Scenario.start({ name: 'cut-leader-peers', cluster: { netns: true } });
    const lab = s.cluster.lab;
    const victim = s.initial[0]?.leaderId as number;
    const led = s.ledBy(victim);
    const others = s.cluster.brokers.filter((b) => b.spec.id !== victim).map((b) => b.name);
    const watch = await watchPartitions(s);
    await s.startLoad();

    const cutAt = s.mark(`cut broker ${victim} from brokers ${others.join(', ')}`, led);
    await lab.cut(`broker-${victim}`, others);
    // Its partitions shrink to it alone (acks=all then refused: below min.insync.replicas); it
    // leaves the others' ISRs.
    await s.attempt('the ISRs shrink around the cut', () =>
      s.cluster.waitForPartitions(
        s.topic,
        (p) => (p.leaderId === victim ? p.isr.length === 1 : p.leaderId >= 0 && !p.isr.includes(victim)),
        30_000,
        `broker ${victim} alone in its partitions' ISRs, out of the others'`,
      ),
    );
    await sleepUntil(cutAt + CUT_MS);
    const healAt = s.mark(`heal broker ${victim}`, led);
    await lab.heal(`broker-${victim}`);
    const during = watch.isrChanges(cutAt, healAt);

    await s.waitFullIsr(`broker ${victim} and its followers back in every ISR after the heal`);
    for (const p of led)
      await s.attempt(`acks=all writes to partition ${p} after the heal`, () =>
        s.load.waitForMoreAcks(50, 30_000, `acks=all writes to partition ${p} after the heal`, p),
      );
    const after = watch.isrChanges(healAt);
    process.stdout.write(
      `[fault] cut-leader-peers: ${during.length} ISR changes during the ${CUT_MS / 1000} s cut: ${describeChanges(during, cutAt)}\n` +
        `[fault] cut-leader-peers: ${after.length} ISR changes after the heal: ${describeChanges(after, healAt)}\n`,
    );
    // The flapping this checks for: a replica cut off from its leader taken back into the ISR
    // (and dropped again) while the cut lasts. Every change during the cut must shrink an ISR, and
    // each partition shrinks at most once per member that left (two followers, or one).
    const grown = during.filter((c) => c.to.some((id) => !c.from.includes(id)));
    expect(grown, 'ISR changes during the cut that took a member back in').toEqual([]);
    for (const p of s.initial) {
      expect(
        during.filter((c) => c.partition === p.partition).length,
        `ISR changes of partition ${p.partition} during the cut`,
      ).toBeLessThanOrEqual(p.leaderId === victim ? 2 : 1);
    }
    expect(during.length, 'some ISR shrank during the cut').toBeGreaterThan(0);
    await s.finish();
  });

  it('a leader cut from etcd, still reaching its followers and clients: it stops leading by its lease TTL, before a successor is published; nothing acknowledged is lost', async () => {
    const s = await Scenario.start({ name: 'cut-leader-etcd', cluster: { netns: true } });
    const lab = s.cluster.lab;
    const victim = s.initial[0]?.leaderId as number;
    const led = s.ledBy(victim);
    const broker = s.cluster.broker(victim);
    // A second topic for acks=1 writes to the cut leader: each one it acknowledges after a
    // successor was published is a write acknowledged in a dead epoch (lost). The load's topic is
    // kept for the checker; this one is only counted.
    const zombieTopic = `${s.topic}-acks1`;
    const zombieInitial = await s.cluster.createTopic(zombieTopic, 3, 3, 2);
    const zp = zombieInitial.find((p) => p.leaderId === victim);
    if (!zp) throw new Error(`broker ${victim} leads no partition of ${zombieTopic}: ${JSON.stringify(zombieInitial)}`);
    const zombieWatch = await PartitionWatch.start(s.cluster.local.etcd.endpoint, s.cluster.local.clusterId, zombieTopic);
    onTestFinished(() => zombieWatch.close());
    await s.startLoad();

    const cutAt = s.mark(`cut broker ${victim} from etcd`, led);
    await lab.cutFromHostPort(`broker-${victim}`, etcdPort(s));
    const probes = new Acks1Probe(s, broker, zombieTopic, zp.partition);
    probes.start();
    await s.attempt(`a new leader for broker ${victim}'s partitions`, () =>
      s.cluster.waitForPartitions(
        s.topic,
        (p) => p.leaderId >= 0 && p.leaderId !== victim,
        30_000,
        `leadership moved off broker ${victim}`,
      ),
    );
    const refusedAt = await s.attempt(`broker ${victim} to refuse writes as not the leader`, () => probes.waitForRefusal(30_000));
    await s.attempt(`a new leader for ${zombieTopic} partition ${zp.partition}`, () =>
      s.cluster.waitForPartitions(
        zombieTopic,
        (p) => p.partition !== zp.partition || (p.leaderId >= 0 && p.leaderId !== victim),
        30_000,
        `${zombieTopic} partition ${zp.partition} moved off broker ${victim}`,
      ),
    );
    for (const p of led)
      await s.attempt(`acks=all writes to partition ${p} under its new leader`, () =>
        s.load.waitForMoreAcks(50, 30_000, `acks=all writes to partition ${p} under its new leader`, p),
      );
    await probes.stop();
    const successorAt = zombieWatch.newEpochAt(zp.partition, zp.leaderEpoch);
    const ackedAfterSuccessor =
      successorAt === undefined ? [] : probes.results.filter((r) => r.outcome === 'acked' && r.sentAtMs >= successorAt);
    const ackedInCut = probes.results.filter((r) => r.outcome === 'acked').length;
    process.stdout.write(
      `[fault] cut-leader-etcd: acks=1 writes to the cut leader: ${probes.results.length} sent, ${ackedInCut} acknowledged; ` +
        `first refusal ${refusedAt === undefined ? 'never' : `${refusedAt - cutAt} ms`} after the cut; successor published ${successorAt === undefined ? 'never' : `${successorAt - cutAt} ms`} after it; ` +
        `acknowledged after the successor: ${ackedAfterSuccessor.length}; outcomes: ${probes.outcomes()}\n`,
    );
    expect(successorAt, 'a successor was published for the acks=1 partition').toBeDefined();
    expect(
      ackedAfterSuccessor.map((r) => `sent +${r.sentAtMs - cutAt} ms`),
      'writes the cut-off leader acknowledged after its successor was published',
    ).toEqual([]);
    expect(logLines(broker, /cluster membership lease lost/).length, 'the cut broker logged that its lease was lost').toBeGreaterThan(0);

    s.mark(`heal broker ${victim}`);
    await lab.heal(`broker-${victim}`);
    await s.waitFullIsr(`broker ${victim} back in every ISR after the heal`);
    await s.load.waitForMoreAcks(100, 30_000, 'the load after the heal');
    await s.finish();
  });

  it('the active controller cut from etcd: the standby takes over, and the cut one no longer acts as the controller once its lease TTL is up', async () => {
    const s = await Scenario.start({ name: 'cut-controller-etcd', cluster: { netns: true, controllers: 2 } });
    const lab = s.cluster.lab;
    const old = await s.cluster.activeController();
    const epochWatch = await ControllerEpochWatch.start(s);
    onTestFinished(() => epochWatch.close());
    await s.startLoad();

    const cutAt = s.mark(`cut ${old.name} from etcd`);
    await lab.cutFromHostPort(old.name, etcdPort(s));
    // An admin call with no side effect: CreateTopic of the load's topic. The active controller
    // answers TOPIC_ALREADY_EXISTS from its view; one that does not believe itself active answers
    // NOT_CONTROLLER (its stale view still names itself, so it does not forward).
    const probe = new AdminProbe(s, old);
    probe.start();
    const successor = await s.attempt('the standby controller to take over', () =>
      waitFor(
        async () => {
          const c = await s.cluster.activeController().catch(() => undefined);
          return c && c.name !== old.name ? c : undefined;
        },
        30_000,
        "the standby named active in the brokers' metadata",
      ),
    );
    const refusedAt = await s.attempt(`${old.name} to refuse admin calls as not the controller`, () => probe.waitForRefusal(30_000));
    await probe.stop();
    const electedAt = epochWatch.changedAt();
    const activeAfterSuccessor =
      electedAt === undefined ? [] : probe.results.filter((r) => r.outcome === 'TOPIC_ALREADY_EXISTS' && r.sentAtMs >= electedAt);
    process.stdout.write(
      `[fault] cut-controller-etcd: successor ${successor?.name ?? 'none'} published ${electedAt === undefined ? 'never' : `${electedAt - cutAt} ms`} after the cut; ` +
        `${old.name} first refused ${refusedAt === undefined ? 'never' : `${refusedAt - cutAt} ms`} after it; ` +
        `answers as the active controller after the successor: ${activeAfterSuccessor.length}; outcomes: ${probe.outcomes()}\n`,
    );
    expect(electedAt, 'a new controller epoch was published').toBeDefined();
    expect(
      activeAfterSuccessor.map((r) => `sent +${r.sentAtMs - cutAt} ms`),
      `admin calls ${old.name} answered as the active controller after the successor was elected`,
    ).toEqual([]);
    expect(logLines(old, /no longer the controller/).length, `${old.name} logged that it is no longer the controller`).toBeGreaterThan(0);

    s.mark(`heal ${old.name}`);
    await lab.heal(old.name);
    await s.load.waitForMoreAcks(100, 30_000, 'the load after the heal');
    expect((await s.cluster.activeController()).name, 'the successor stays active; the healed one stands by').toBe(successor?.name);
    await s.finish();
  });
});

async function watchPartitions(s: Scenario): Promise<PartitionWatch> {
  const w = await PartitionWatch.start(s.cluster.local.etcd.endpoint, s.cluster.local.clusterId, s.topic);
  onTestFinished(() => w.close());
  return w;
}

function etcdPort(s: Scenario): number {
  return Number(s.cluster.local.etcd.endpoint.split(':').pop());
}

function logLines(service: ServiceProcess, pattern: RegExp): string[] {
  return readFileSync(service.spec.logFile, 'utf8')
    .split('\n')
    .filter((l) => pattern.test(l));
}

interface ProbeResult {
  sentAtMs: number;
  doneAtMs: number;
  /** 'acked', or the reason of the refusal. */
  outcome: string;
}

/**
 * A loop of one call every `intervalMs` to one process, each with a short deadline, recording when
 * it was sent and how it ended. Owner: the test; stop() ends the loop and waits for the call in flight.
 */
abstract class ProbeLoop {
  readonly results: ProbeResult[] = [];
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(private readonly intervalMs = 100) {}

  protected abstract call(): Promise<string>;
  protected abstract isRefusal(outcome: string): boolean;

  start(): void {
    this.running = this.loop();
    onTestFinished(() => this.stop());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** Resolves with the send time of the first refusal; throws after timeoutMs. */
  async waitForRefusal(timeoutMs: number): Promise<number> {
    const at = await waitFor(
      () => this.results.find((r) => this.isRefusal(r.outcome))?.sentAtMs,
      timeoutMs,
      `a refusal (outcomes: ${this.outcomes()})`,
    );
    return at;
  }

  outcomes(): string {
    const counts = new Map<string, number>();
    for (const r of this.results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
    return [...counts].map(([k, n]) => `${k} x${n}`).join(', ') || 'none';
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const sentAtMs = Date.now();
      const outcome = await this.call().catch((err: unknown) => {
        const e = toSamsaError(err);
        // Not a reason the server gave (a deadline, a refused connection): say which.
        return e.reason === 'INTERNAL_ERROR' ? `INTERNAL_ERROR (${e.message.slice(0, 40)})` : e.reason;
      });
      this.results.push({ sentAtMs, doneAtMs: Date.now(), outcome });
      await new Promise((r) => setTimeout(r, this.intervalMs));
    }
  }
}

/** acks=1 writes of one record each to one broker for one partition, whatever it leads. */
class Acks1Probe extends ProbeLoop {
  private seq = 0;

  constructor(
    private readonly s: Scenario,
    private readonly broker: ServiceProcess,
    private readonly topic: string,
    private readonly partition: number,
  ) {
    super();
  }

  protected async call(): Promise<string> {
    const batch = buildBatch([{ value: Buffer.from(`acks1-${this.seq++}`) }]);
    await this.s.cluster.probe.produce(
      this.broker.address,
      { topic: this.topic, acks: 'ACKS_LEADER', timeoutMs: 1_000, batches: [{ partition: this.partition, batch }] },
      1_500,
    );
    return 'acked';
  }

  protected isRefusal(outcome: string): boolean {
    return NOT_LEADING.includes(outcome);
  }
}

/** CreateTopic of the scenario's (existing) topic, sent to one controller and never forwarded elsewhere by us. */
class AdminProbe extends ProbeLoop {
  constructor(
    private readonly s: Scenario,
    private readonly controller: ServiceProcess,
  ) {
    super(200);
  }

  protected async call(): Promise<string> {
    await this.s.cluster.probe.controller(
      this.controller.address,
      (c, o, cb) => c.createTopic({ name: this.s.topic, partitions: 3, replicationFactor: 3, config: {} }, o, cb),
      1_500,
    );
    return 'created';
  }

  protected isRefusal(outcome: string): boolean {
    return outcome === 'NOT_CONTROLLER';
  }
}

/** When the controller epoch key changed after the watch began. */
class ControllerEpochWatch {
  private changed: number | undefined;

  private constructor(private readonly close_: () => Promise<void>) {}

  static async start(s: Scenario): Promise<ControllerEpochWatch> {
    const etcd = connectEtcd([s.cluster.local.etcd.endpoint]);
    try {
      const key = new MetadataKeys(s.cluster.local.clusterId).controllerEpoch;
      const watcher = await etcd.watch().key(key).create();
      const w = new ControllerEpochWatch(async () => {
        await watcher.cancel().catch(() => undefined);
        etcd.close();
      });
      watcher.on('put', () => (w.changed ??= Date.now()));
      return w;
    } catch (err) {
      etcd.close();
      throw err;
    }
  }

  changedAt(): number | undefined {
    return this.changed;
  }

  close(): Promise<void> {
    return this.close_();
  }
}

/** Polls `check` every 100 ms until it returns something; throws `what` after timeoutMs. */
async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function sleepUntil(atMs: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, atMs - Date.now())));
}
