/**
 * Issue 18's "done when" for reassignment: a partition moved from brokers {1,2,3} to {2,3,4}
 * under acks=all load, with the active one of two controllers killed with -9 while the new
 * replica is still copying. The standby takes over from the partition's etcd record and finishes
 * the move. At the end: replicas {2,3,4}, broker 1's copy deleted, nothing acknowledged lost,
 * duplicated or moved (the fault checker, for the load producer's topic; an idempotent SDK
 * producer's topic moved along with it is read back exactly once each), and the adding broker
 * copied at no more than the throttle: its log files, sampled while it was being added, never grew
 * faster than the rate plus the bucket's burst and one batch.
 */
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { waitUntil } from '../../tools/launcher/index.js';
import { FaultCluster, sameSet } from './harness/fault-cluster.js';
import { IdempotentLoad, idempotentTopic } from './harness/idempotent-load.js';
import { Scenario } from './harness/scenario.js';

afterAll(() => FaultCluster.stopAll());

/** The reassignment's throttle (bytes per second into broker 4). */
const THROTTLE = 96 * 1024;
/** What the token bucket may hold at once (0.25 s) plus one whole batch beyond the reservation, plus sampling slack. */
const SLACK_BYTES = THROTTLE * 0.5 + 64 * 1024;
const FROM = [1, 2, 3];
const TO = [2, 3, 4];

/** Bytes of the .log files of `dirs` (missing dirs count 0). */
function logBytes(dirs: readonly string[]): number {
  let total = 0;
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.log')) continue;
      try {
        total += statSync(join(dir, f)).size;
      } catch {
        // a segment deleted between readdir and stat
      }
    }
  }
  return total;
}

describe('partition reassignment', () => {
  it('moves {1,2,3} to {2,3,4} under acks=all load with the active controller killed midway: new replica set, nothing lost, throttle respected', async () => {
    const s = await Scenario.start({
      name: 'reassign-controller-kill',
      partitions: 1,
      replicationFactor: 3,
      minInsyncReplicas: 2,
      cluster: { brokers: 4, controllers: 2, env: { SAMSA_LEADER_REBALANCE_DELAY_MS: '0' } },
      // The load topic is moved too, through the same 96 KiB/s bucket: it must grow well below the
      // throttle whatever the machine's speed, or the new replica never catches up (a fast
      // machine's unpaced load reached ~50 KB/s). 2 lanes x 5 records per 50 ms: at most ~12 KB/s.
      load: { pauseMs: 50 },
    });
    const { samsa, admin, topic: idem } = await idempotentTopic(s, 1);
    const topics = [s.topic, idem];

    // Start both from {1,2,3}, whatever placement chose (quickly: a high throttle).
    await admin.alterPartitionReassignments(
      topics.map((topic) => ({ topic, partition: 0, replicas: FROM })),
      { throttleBytesPerSecond: 100 * 1024 * 1024 },
    );
    for (const topic of topics)
      await s.cluster.waitForPartitions(topic, (p) => sameSet(p.replicas, FROM) && sameSet(p.isr, FROM), 60_000, `${topic} on {1,2,3}`);

    // About 1 MB for broker 4 to copy, from the idempotent producer.
    const producer = samsa.producer({ acks: 'all', idempotent: true });
    onTestFinished(() => producer.close());
    const filler = 'f'.repeat(1000);
    const prefilled: string[] = [];
    for (let i = 0; i < 1000; i += 50) {
      const values = Array.from({ length: 50 }, (_, j) => `fill-${i + j}-${filler}`);
      await producer.send({ topic: idem, messages: values.map((value) => ({ value, partition: 0 })) });
      prefilled.push(...values);
    }
    await s.startLoad();
    // One writer, 10 records a send, 20 ms apart whether acknowledged or not.
    const idemLoad = new IdempotentLoad({
      producer,
      topic: idem,
      partitions: 1,
      sendsInFlight: 1,
      recordsPerSend: 10,
      pauseMs: 20,
      failurePauseMs: 20,
    });
    idemLoad.start();

    const adding = topics.map((t) => join(s.cluster.dataDir(4), `${t}-0`));
    const samples: { atMs: number; bytes: number }[] = [];
    const sampler = setInterval(() => samples.push({ atMs: Date.now(), bytes: logBytes(adding) }), 200);
    onTestFinished(() => clearInterval(sampler));

    s.mark('reassignment to {2,3,4} started');
    const recorded = await admin.alterPartitionReassignments(
      topics.map((topic) => ({ topic, partition: 0, replicas: TO })),
      { throttleBytesPerSecond: THROTTLE },
    );
    expect(recorded.map((r) => r.addingReplicas)).toEqual([[4], [4]]);

    // Midway: broker 4 has some of the idempotent topic (over 1 MB at the throttle), not all. The load
    // topic holds far less and may legitimately have finished already; the idempotent one must not have.
    const addingIdem = [join(s.cluster.dataDir(4), `${idem}-0`)];
    await waitUntil(async () => logBytes(addingIdem) > 250 * 1024, 60_000, 'broker 4 copying', 100);
    const metadata = await s.cluster.probe.metadata(s.cluster.brokerAddresses()[1] as string, []);
    const active = s.cluster.controllers.find((c) => c.name === `controller-${metadata.controller?.id}`);
    expect(active, `the active controller (${metadata.controller?.id})`).toBeDefined();
    const inFlight = (await admin.listPartitionReassignments()).map((r) => r.topic);
    expect(inFlight, 'reassignments still in progress when the controller is killed').toContain(idem);
    s.mark(`kill -9 the active controller (${active?.name})`);
    await active?.kill9();

    let doneAtMs = 0;
    for (const topic of topics) {
      await s.attempt(`${topic} moved to {2,3,4}`, () =>
        s.cluster.waitForPartitions(
          topic,
          (p) => p.replicas.length === 3 && sameSet(p.replicas, TO) && sameSet(p.isr, TO) && p.leaderId >= 0,
          120_000,
          `${topic} on {2,3,4}, all in sync`,
        ),
      );
      doneAtMs = Math.max(doneAtMs, Date.now());
    }
    clearInterval(sampler);
    expect(await admin.listPartitionReassignments()).toEqual([]);

    // The throttle: over every window of the samples taken while broker 4 was being added.
    const copying = samples.filter((x) => x.bytes > 0 && x.atMs <= doneAtMs);
    expect(copying.length, 'samples while copying').toBeGreaterThan(5);
    const over: string[] = [];
    for (let i = 0; i < copying.length; i++) {
      for (let j = i + 1; j < copying.length; j++) {
        const a = copying[i] as { atMs: number; bytes: number };
        const b = copying[j] as { atMs: number; bytes: number };
        const allowed = (THROTTLE * (b.atMs - a.atMs)) / 1000 + SLACK_BYTES;
        if (b.bytes - a.bytes > allowed) over.push(`${b.bytes - a.bytes} B in ${b.atMs - a.atMs} ms (allowed ${Math.round(allowed)})`);
      }
    }
    const first = copying[0] as { atMs: number; bytes: number };
    const last = copying[copying.length - 1] as { atMs: number; bytes: number };
    process.stdout.write(
      `[fault] reassign-controller-kill: broker 4 copied ${last.bytes - first.bytes} B in ${last.atMs - first.atMs} ms ` +
        `(${Math.round(((last.bytes - first.bytes) * 1000) / Math.max(1, last.atMs - first.atMs))} B/s; throttle ${THROTTLE} B/s)\n`,
    );
    expect(over.slice(0, 5), 'windows over the throttle').toEqual([]);

    // Broker 1 let go of both.
    for (const topic of topics) {
      const dir = join(s.cluster.dataDir(1), `${topic}-0`);
      await s.attempt(`broker 1 deleted ${topic}-0`, () => waitUntil(async () => !existsSync(dir), 30_000, `${dir} deleted`, 200));
    }

    // The idempotent producer's records: each acknowledged one exactly once.
    await idemLoad.stop();
    const idemAcked = new Set(idemLoad.acked.keys());
    const read = new Map<string, number>();
    for await (const m of samsa.consumer().partition({ topic: idem, partition: 0, from: 'earliest', follow: false })) {
      const v = Buffer.from(m.value ?? Buffer.alloc(0)).toString();
      read.set(v, (read.get(v) ?? 0) + 1);
    }
    const twice = [...read].filter(([, n]) => n > 1).map(([v]) => v);
    const missing = [...prefilled, ...idemAcked].filter((v) => !read.has(v));
    process.stdout.write(
      `[fault] reassign-controller-kill: idempotent ${idemAcked.size} acked, ${read.size} read, ${twice.length} twice\n`,
    );
    expect(twice.slice(0, 5), 'idempotent records written twice').toEqual([]);
    expect(missing.slice(0, 5), 'idempotent records acknowledged and lost').toEqual([]);
    expect(idemAcked.size).toBeGreaterThan(0);

    await s.finish();
  }, 300_000);
});
