/**
 * Idempotent produce is exactly once per partition across leader changes (docs/replication.md,
 * "Idempotent producer": a retry of a batch the old leader wrote and replicated is answered by the
 * new leader with the original offsets). Through real processes: SDK producers (idempotent,
 * acks=all, five requests in flight per partition) write continuously to six partitions while
 * leadership moves again and again under them:
 *
 * - preferred-leader elections after each partition's replicas are rotated (a reorder, no data
 *   moves: the next broker becomes the preferred leader), several rounds;
 * - kill -9 of a broker and its restart (its replicas recovered from files), after which the
 *   controller's automatic preferred-leader pass moves leadership back to it under the writes:
 *   the sequence in which replica-budget.test.ts once saw a record written twice (1a2c426).
 *
 * Brokers fsync every append (SAMSA_FSYNC=batch): a follower's copy then takes long enough that a
 * leader move and the producer's retry often arrive while it is being written, the moment the
 * bug fixed with this test depended on (test/unit/replica/idempotent-leader-change.test.ts drives
 * it exactly).
 *
 * Checked with the fault checker (converge, readBack, verifyLog, compareReplicas) for the SDK's
 * topic: every acknowledged record at the offset it was acknowledged at, no record at two
 * offsets, none unknown, offsets gapless, acknowledged records in send order per partition,
 * replicas identical; and Scenario.finish() for the raw at-most-once load on its own topic.
 */
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { compareReplicas, converge, readBack, verifyLog } from './harness/checker.js';
import { FaultCluster, sameSet } from './harness/fault-cluster.js';
import { IdempotentLoad, idempotentTopic, idempotentValue, sendOrderOf } from './harness/idempotent-load.js';
import { Scenario } from './harness/scenario.js';

afterAll(() => FaultCluster.stopAll());

/** Partitions of the SDK's topic: more partitions, more leader moves per election. */
const PARTITIONS = 6;
/** Rounds of rotate-and-elect. */
const ROTATIONS = 6;
describe('idempotent produce across leader moves (RF 3, min.insync.replicas 2)', () => {
  it('preferred-leader moves and a kill -9 with the automatic move back, under idempotent acks=all writes: every acknowledged record exactly once, in order, nothing lost', async () => {
    const s = await Scenario.start({
      name: 'idempotent-leader-moves',
      // A second after the restarted broker is back in sync the controller moves leadership back to it.
      cluster: { env: { SAMSA_LEADER_REBALANCE_DELAY_MS: '1000', SAMSA_FSYNC: 'batch' } },
    });
    const { samsa, admin, topic: idem } = await idempotentTopic(s, PARTITIONS);
    const producer = samsa.producer({ acks: 'all', idempotent: true, maxInFlightPerPartition: 5, ackTimeoutMs: 5_000 });
    onTestFinished(() => producer.close());
    // Four sends in flight per partition (the producer pipelines them, up to 5 requests), 3 records each.
    const load = new IdempotentLoad({ producer, topic: idem, partitions: PARTITIONS, sendsInFlight: 4, recordsPerSend: 3 });
    await s.startLoad();
    load.start();
    await s.attempt('the idempotent load flowing', () => load.waitForMoreAcks(300, 30_000, 'the idempotent load to flow'));

    let moves = 0;
    const countMoves = (
      before: readonly { partition: number; leaderId: number }[],
      after: readonly { partition: number; leaderId: number }[],
    ): void => {
      for (const a of after) if (before.find((b) => b.partition === a.partition)?.leaderId !== a.leaderId) moves++;
    };

    for (let round = 1; round <= ROTATIONS; round++) {
      const before = await s.cluster.describe(idem);
      // The next broker of each partition's replicas becomes its first (preferred) one.
      const rotated = before.map((p) => ({
        topic: idem,
        partition: p.partition,
        replicas: [...p.replicas.slice(1), p.replicas[0] as number],
      }));
      s.mark(`round ${round}: replicas rotated, preferred election`);
      await admin.alterPartitionReassignments(rotated);
      await admin.electLeaders('preferred', [{ topic: idem }]);
      const after = await s.attempt(`round ${round}: every partition led by its new preferred replica`, () =>
        s.cluster.waitForPartitions(
          idem,
          (p) => p.leaderId === p.replicas[0] && sameSet(p.isr, p.replicas),
          30_000,
          `round ${round}: preferred leaders`,
        ),
      );
      if (after) countMoves(before, after);
      await s.attempt(`round ${round}: the idempotent load after the move`, () =>
        load.waitForMoreAcks(150, 30_000, `acks after round ${round}`),
      );
    }

    // The incident's sequence: kill -9 the broker leading most, restart it, and let the automatic
    // preferred-leader pass move its partitions back to it while the writes go on.
    const views = await s.cluster.describe(idem);
    const victim = [1, 2, 3]
      .map((id) => ({ id, leads: views.filter((p) => p.leaderId === id).length }))
      .sort((a, b) => b.leads - a.leads)[0]?.id as number;
    const preferredOfVictim = views.filter((p) => p.replicas[0] === victim).map((p) => p.partition);
    s.mark(`kill -9 broker ${victim}`);
    await s.cluster.broker(victim).kill9();
    const away = await s.attempt(`broker ${victim}'s partitions led elsewhere`, () =>
      s.cluster.waitForPartitions(
        idem,
        (p) => p.leaderId >= 0 && p.leaderId !== victim,
        30_000,
        `no partition led by killed broker ${victim}`,
      ),
    );
    if (away) countMoves(views, away);
    await s.attempt('the idempotent load without the victim', () => load.waitForMoreAcks(150, 30_000, 'acks with the victim down'));
    s.mark(`restart broker ${victim}`);
    await s.cluster.broker(victim).start();
    const back = await s.attempt(`broker ${victim} leads its preferred partitions again (the automatic move back)`, () =>
      s.cluster.waitForPartitions(
        idem,
        (p) => sameSet(p.isr, p.replicas) && (!preferredOfVictim.includes(p.partition) || p.leaderId === victim),
        90_000,
        `broker ${victim} back as the leader of ${preferredOfVictim.map((p) => `p${p}`).join(', ')}`,
      ),
    );
    if (back && away) countMoves(away, back);
    await s.attempt('the idempotent load after the move back', () => load.waitForMoreAcks(300, 30_000, 'acks after the move back'));

    await load.stop();
    const ends = await s.attempt('the idempotent topic converges', () => converge(s.cluster, idem, 60_000));
    expect(ends, 'the idempotent topic converged').toBeDefined();
    const final = await readBack(s.cluster, idem, ends ?? []);
    const verdict = verifyLog(load, final);
    // Acknowledged records in the order they were sent, per partition.
    const outOfOrder: string[] = [];
    for (const records of final) {
      let last = -1;
      for (const r of records) {
        if (!load.acked.has(r.value)) continue;
        if (sendOrderOf(r.value) < last)
          outOfOrder.push(`${r.value} at ${r.partition}/${r.offset} after ${idempotentValue(r.partition, last)}`);
        last = sendOrderOf(r.value);
      }
    }
    const failures = [...load.failures].map(([reason, n]) => `${reason} x${n}`).join(', ') || 'none';
    process.stdout.write(
      `[fault] idempotent-leader-moves (SDK, idempotent): ${moves} leader moves seen; sent ${load.sent.size}, acked ${verdict.acked}, read back ${verdict.readBack}, ` +
        `lost ${verdict.lost.length}, duplicated ${verdict.duplicated.length}, unacked-but-present ${verdict.unackedPresent}, unknown ${verdict.unknown.length}, ` +
        `offset errors ${verdict.offsetErrors.length}, out of order ${outOfOrder.length}; failed sends: ${failures}\n`,
    );
    for (const x of [...verdict.duplicated, ...verdict.lost, ...outOfOrder].slice(0, 10)) process.stdout.write(`[fault]   ! ${x}\n`);

    const first = (list: readonly string[]): { count: number; first: string[] } => ({ count: list.length, first: list.slice(0, 10) });
    expect(first(verdict.duplicated), 'idempotent records at two offsets (written twice)').toEqual(first([]));
    expect(first(verdict.lost), 'acknowledged idempotent records lost or moved').toEqual(first([]));
    expect(first(verdict.unknown), 'records nobody sent').toEqual(first([]));
    expect(first(verdict.offsetErrors), 'offsets not gapless from 0').toEqual(first([]));
    expect(first(outOfOrder), 'acknowledged records out of send order').toEqual(first([]));

    // The raw load's checks (its own topic); it also stops every broker cleanly, for the replica comparison.
    await s.finish();
    const replicas = await compareReplicas((id) => s.cluster.dataDir(id), idem, ends ?? []);
    expect(
      replicas.flatMap((r) => r.mismatches.map((m) => `partition ${r.partition}: ${m}`)),
      'replicas of the idempotent topic that differ',
    ).toEqual([]);
    // A check that saw nothing checks nothing: leadership really moved, and writes went through.
    expect(moves).toBeGreaterThanOrEqual(ROTATIONS * PARTITIONS);
    expect(verdict.acked).toBeGreaterThan(1_000);
  }, 400_000);
});
