/**
 * The KIP-966 case (issue 12 item 2): the last in-sync replica restarts after an unclean shutdown
 * having lost its unflushed tail. A leader is cut from its followers (network namespaces, as in
 * partition.test.ts) until its partitions' ISRs shrink to it alone; below min.insync.replicas the
 * followers that left stay eligible (the ELR) and nothing more commits. Then the leader is killed
 * with -9, the last batches of its active segments are cut as a power loss would (they hold
 * records acknowledged while the ISR was full, which the followers have), the network heals and
 * it starts again. An eligible follower must lead; were the restarted broker elected (it is the
 * last ISR member), its followers would truncate to its shorter log and acknowledged records,
 * some already read by the live consumer, would be lost or replaced. Scenario.finish() checks: 0
 * lost, 0 moved, 0 duplicated, replicas identical after healing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FaultCluster } from './harness/fault-cluster.js';
import { NetLab } from './harness/netns.js';
import { Scenario } from './harness/scenario.js';
import { loseUnflushedTail } from './harness/tail-cutter.js';

afterAll(() => FaultCluster.stopAll());

const unavailable = NetLab.unavailable();
if (unavailable) process.stdout.write(`[fault] eligible-leader scenarios skipped: ${unavailable}\n`);

/** Batches of each led partition's active segment lost with the power. */
const LOST_TAIL_BATCHES = 40;

describe.skipIf(unavailable !== undefined)('eligible leader replicas (KIP-966; replication factor 3, min.insync.replicas 2)', () => {
  it('the last ISR member killed -9 with its unflushed tail lost: an eligible follower leads, nothing acknowledged or read is lost or moved', async () => {
    const s = await Scenario.start({ name: 'last-isr-lost-tail', consumer: true, cluster: { netns: true } });
    const lab = s.cluster.lab;
    const victim = s.initial[0]?.leaderId as number;
    const led = s.ledBy(victim);
    const others = s.cluster.brokers.filter((b) => b.spec.id !== victim).map((b) => b.name);
    // Enough appends that the batches lost are a tail of acknowledged records, not the whole log.
    await s.startLoad(1_000);

    s.mark(`cut broker ${victim} from brokers ${others.join(', ')}`, led);
    await lab.cut(`broker-${victim}`, others);
    const shrunk = await s.attempt(`the ISRs of broker ${victim}'s partitions shrink to it alone`, () =>
      s.cluster.waitForPartitions(
        s.topic,
        (p) => !led.includes(p.partition) || (p.leaderId === victim && p.isr.length === 1),
        30_000,
        `broker ${victim} alone in the ISRs of ${led.map((p) => `p${p}`).join(', ')}`,
      ),
    );
    const epochs = new Map((shrunk ?? s.initial).filter((p) => led.includes(p.partition)).map((p) => [p.partition, p.leaderEpoch]));

    s.mark(`kill -9 broker ${victim}, the last ISR member`, led);
    await s.cluster.broker(victim).kill9();
    const cuts = loseUnflushedTail(s.cluster.dataDir(victim), s.topic, led, LOST_TAIL_BATCHES);
    for (const c of cuts)
      process.stdout.write(
        `[fault]   lost tail: cut ${c.batchesCut} of ${c.batchesBefore} batches, offsets ${c.endOffsetAfter}..${c.endOffsetBefore - 1}\n`,
      );
    expect(
      cuts.some((c) => c.batchesCut > 0),
      'some tail was cut',
    ).toBe(true);

    // An eligible follower takes over once the dead broker's lease has ended; the restarted one must not lead.
    const moved = await s.attempt(`an eligible follower leads broker ${victim}'s partitions`, () =>
      s.cluster.waitForPartitions(
        s.topic,
        (p) =>
          !led.includes(p.partition) || (p.leaderId >= 0 && p.leaderId !== victim && p.leaderEpoch > (epochs.get(p.partition) ?? Infinity)),
        30_000,
        `a leader other than broker ${victim} for ${led.map((p) => `p${p}`).join(', ')}`,
      ),
    );
    if (moved)
      process.stdout.write(
        `[fault]   new leaders: ${moved
          .filter((p) => led.includes(p.partition))
          .map((p) => `p${p.partition} on broker ${p.leaderId} epoch ${p.leaderEpoch} isr [${p.isr.join(',')}]`)
          .join('; ')}\n`,
      );

    s.mark(`heal and restart broker ${victim}`, led);
    await lab.heal(`broker-${victim}`);
    await s.attempt(`broker ${victim} to start again`, () => s.cluster.broker(victim).start(45_000));
    await s.attempt(`every replica back in the ISR`, () => s.waitFullIsr(`broker ${victim} back in every ISR`));
    await s.attempt('the load after the restart', () => s.load.waitForMoreAcks(200, 30_000, 'the load after the restart'));
    await s.finish();
  }, 400_000);
});
