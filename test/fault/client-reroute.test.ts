/**
 * The SDK and a paused (SIGSTOP, not dead) partition leader. A paused broker keeps its
 * connections open and answers nothing, so a client only ever sees its calls run out of time.
 * Before, a timed-out call did not drop the cached metadata: every retry went back to the paused
 * broker, for as long as it slept (a coordinator's reads stalled 60 s+ that way, session 5). Now a
 * DEADLINE_EXCEEDED without a server's answer (BrokerTimeoutError) drops the topic's metadata, as
 * a request timeout does in Kafka's clients, and the refresh asks brokers that answered before the
 * one that did not.
 *
 * One cluster (3 brokers, RF 3, min.insync.replicas 2). Two SDK clients learn the leaders first;
 * then the leader of partition 0 is paused, and for as long as it stays paused: the producer's
 * acks=all sends to its partitions are acknowledged, and the second client (not told anything by
 * the producer's failures) reads those partitions from the start, every record where it was acked.
 * The retry budgets are the only bounds: on the old SDK the sends and reads fail when they run out.
 */
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { Samsa } from '../../libs/client/index.js';
import { FaultCluster } from './harness/fault-cluster.js';

afterAll(() => FaultCluster.stopAll());

const TOPIC = 'sdk-paused-leader';
const PARTITIONS = 3;
/** Short deadlines keep the test short; the behaviour does not depend on them. */
const CLIENT = {
  requestTimeoutMs: 2_000,
  retry: { retries: 200, initialDelayMs: 100, maxDelayMs: 500, maxElapsedMs: 60_000 },
};

describe('the SDK with a paused partition leader', () => {
  it('SIGSTOP the leader: sends and reads time out, refresh metadata and reach the new leader while it is still paused', async () => {
    const cluster = await FaultCluster.start({ name: 'sdk-paused-leader' });
    const initial = await cluster.createTopic(TOPIC, PARTITIONS, 3, 2);
    const writer = new Samsa({ bootstrap: cluster.brokerAddresses(), ...CLIENT });
    const reader = new Samsa({ bootstrap: cluster.brokerAddresses(), ...CLIENT });
    onTestFinished(() => Promise.all([writer.close(), reader.close()]).then(() => undefined));
    const producer = writer.producer({ acks: 'all', ackTimeoutMs: 2_000 });
    onTestFinished(() => producer.close());

    // Both clients cache every partition's leader: one record per partition, read back by the reader.
    const acked = new Map<string, { partition: number; offset: number }>();
    const send = async (partition: number, value: string): Promise<void> => {
      const [md] = await producer.send({ topic: TOPIC, messages: [{ value, partition }] });
      acked.set(value, { partition, offset: md?.baseOffset as number });
    };
    for (let p = 0; p < PARTITIONS; p++) await send(p, `before-${p}`);
    const readAll = async (partition: number): Promise<{ value: string; offset: number }[]> => {
      const out: { value: string; offset: number }[] = [];
      const stream = reader.consumer().partition({ topic: TOPIC, partition, from: 'earliest', follow: false });
      for await (const m of stream) out.push({ value: m.value?.toString() ?? '', offset: m.offset });
      return out;
    };
    for (let p = 0; p < PARTITIONS; p++) expect((await readAll(p)).map((r) => r.value)).toEqual([`before-${p}`]);

    const paused = initial[0]?.leaderId as number;
    const led = initial.filter((p) => p.leaderId === paused).map((p) => p.partition);
    cluster.broker(paused).pause();
    const pausedAt = Date.now();
    onTestFinished(() => cluster.broker(paused).resume()); // when a wait above failed

    // Sent at once: both clients' metadata still names the paused broker as these partitions' leader.
    const sends = led.map((p) => send(p, `after-${p}`).then(() => Date.now() - pausedAt));
    const moved = await cluster.waitForPartitions(
      TOPIC,
      (p) => p.leaderId >= 0 && p.leaderId !== paused,
      20_000,
      `new leaders for the partitions of paused broker ${paused}`,
    );
    const movedMs = Date.now() - pausedAt;
    const ackMs = await Promise.all(sends);
    const reads = await Promise.all(led.map(async (p) => ({ p, records: await readAll(p) })));
    const readMs = Date.now() - pausedAt;
    // All of it while the broker still slept: nothing above was answered by it.
    cluster.broker(paused).resume();

    for (const { p, records } of reads) {
      expect(
        records.map((r) => r.value),
        `partition ${p} read by a client that had cached the paused leader`,
      ).toEqual([`before-${p}`, `after-${p}`]);
      for (const r of records) expect(r.offset, `${r.value} at its acked offset`).toBe(acked.get(r.value)?.offset);
    }
    for (const p of led) expect(moved[p]?.leaderId).not.toBe(paused);
    process.stdout.write(
      `[fault] sdk-paused-leader: broker ${paused} paused; leadership of ${led.join(', ')} moved after ${movedMs} ms; ` +
        `sends acked after ${ackMs.join(', ')} ms; a second client read them after ${readMs} ms\n`,
    );
  });
});
