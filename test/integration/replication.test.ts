/**
 * Replication with real processes: etcd, a controller and three brokers, topics with replication
 * factor 3 and min.insync.replicas=2. Followers copy the leader over Replicate streams, acks=all
 * waits for the ISR, a killed leader is replaced from the ISR with nothing acknowledged lost, a
 * paused follower leaves the ISR and rejoins, two brokers down refuse acks=all, and in the end
 * every replica holds byte-identical logs.
 */
import { describe, expect, it, afterAll } from 'vitest';
import { Etcd3 } from 'etcd3';
import { MetadataKeys, type PartitionState } from '../../libs/cluster/index.js';
import { PartitionLog, DEFAULT_LOG_CONFIG } from '../../libs/log/index.js';
import { partitionDir } from '../../libs/replica/index.js';
import { decodeRecordsFrom } from '../../libs/record/index.js';
import { Samsa, type Producer } from '../../libs/client/index.js';
import { waitUntil } from '../../tools/launcher/index.js';
import { startCluster, uniqueName } from '../harness/cluster.js';

const LAG_MS = 2000;
const cluster = await startCluster({
  name: 'replication',
  brokers: 3,
  controllers: 1,
  env: { SAMSA_REPLICA_LAG_TIME_MAX_MS: String(LAG_MS), SAMSA_LEADER_REBALANCE_DELAY_MS: '1000', SAMSA_LOG_LEVEL: 'info' },
});
const keys = new MetadataKeys(cluster.clusterId);
const etcd = new Etcd3({ hosts: `http://${cluster.etcd.endpoint}` });
const samsa = new Samsa({
  bootstrap: cluster.brokers.map((b) => b.address),
  retry: { retries: 30, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 60_000 },
});
afterAll(async () => {
  await samsa.close();
  etcd.close();
});

async function state(topic: string, partition: number): Promise<PartitionState> {
  const raw = await etcd.get(keys.partition(topic, partition)).string();
  if (!raw) throw new Error(`no state for ${topic}-${partition}`);
  return JSON.parse(raw) as PartitionState;
}

async function waitForState(
  topic: string,
  partition: number,
  ok: (s: PartitionState) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<PartitionState> {
  await waitUntil(async () => ok(await state(topic, partition)), timeoutMs, what, 100);
  return state(topic, partition);
}

async function createTopic(partitions: number): Promise<string> {
  const name = uniqueName('rep');
  await samsa.admin().createTopic({ name, partitions, replicationFactor: 3, config: { 'min.insync.replicas': '2' } });
  return name;
}

/** Sends `count` records one batch at a time to `partition`; returns the values acknowledged with their offsets. */
async function produce(
  producer: Producer,
  topic: string,
  partition: number,
  prefix: string,
  count: number,
  perBatch = 50,
): Promise<Map<string, number>> {
  const acked = new Map<string, number>();
  for (let i = 0; i < count; i += perBatch) {
    const values = Array.from({ length: Math.min(perBatch, count - i) }, (_, j) => `${prefix}-${i + j}`);
    const [meta] = await producer.send({ topic, messages: values.map((value) => ({ value, partition })) });
    if (!meta) throw new Error('no metadata');
    values.forEach((v, j) => acked.set(v, meta.baseOffset + j));
  }
  return acked;
}

/** Everything committed in the partition, read from its leader: value -> offset. */
async function readAll(topic: string, partition: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const stream = samsa.consumer().partition({ topic, partition, from: 'earliest', follow: false });
  for await (const m of stream) {
    const v = Buffer.from(m.value ?? Buffer.alloc(0)).toString();
    expect(out.has(v), `${v} appears twice`).toBe(false);
    out.set(v, m.offset);
  }
  return out;
}

function expectAllPresent(acked: Map<string, number>, read: Map<string, number>): void {
  const lost = [...acked].filter(([v, offset]) => read.get(v) !== offset);
  expect(lost, `acknowledged records lost or moved: ${lost.slice(0, 5).join(' ')}`).toEqual([]);
}

describe('replication factor 3', () => {
  it('copies every acks=all write to all three replicas and keeps the ISR full', async () => {
    const topic = await createTopic(3);
    const producer = samsa.producer({ acks: 'all' });
    const acked = new Map<string, number>();
    for (let p = 0; p < 3; p++) for (const [v, o] of await produce(producer, topic, p, `p${p}`, 500)) acked.set(v, o);
    for (let p = 0; p < 3; p++) {
      const s = await state(topic, p);
      expect(s.isr.sort()).toEqual([1, 2, 3]);
      const read = await readAll(topic, p);
      expectAllPresent(new Map([...acked].filter(([v]) => v.startsWith(`p${p}-`))), read);
      expect(read.size).toBe(500);
    }
  });

  it('survives kill -9 of a leader: a new leader from the ISR serves everything acknowledged; the old one catches up, rejoins and leads again', async () => {
    const topic = await createTopic(1);
    const producer = samsa.producer({ acks: 'all' });
    const acked = await produce(producer, topic, 0, 'before', 1000);
    const before = await state(topic, 0);
    const victim = cluster.broker(before.leader);
    await victim.kill9();
    const after = await waitForState(topic, 0, (s) => s.leader !== before.leader && s.leader >= 0, 'a new leader');
    expect(after.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
    expect(before.isr).toContain(after.leader);
    for (const [v, o] of await produce(producer, topic, 0, 'after', 500)) acked.set(v, o);
    expectAllPresent(acked, await readAll(topic, 0));

    await victim.restart();
    await waitForState(topic, 0, (s) => s.isr.length === 3, 'the restarted broker back in the ISR');
    // The victim was the preferred replica (first in the list): once in sync it leads again.
    expect(before.replicas[0]).toBe(before.leader);
    const rebalanced = await waitForState(topic, 0, (s) => s.leader === before.leader, 'leadership back on the preferred replica');
    expect(rebalanced.leaderEpoch).toBeGreaterThan(after.leaderEpoch);
    for (const [v, o] of await produce(producer, topic, 0, 'healed', 200)) acked.set(v, o);
    const read = await readAll(topic, 0);
    expectAllPresent(acked, read);
    expect(read.size).toBe(1700);
  });

  it('drops a paused follower from the ISR after the lag time and takes it back when it catches up', async () => {
    const topic = await createTopic(1);
    const producer = samsa.producer({ acks: 'all' });
    const acked = await produce(producer, topic, 0, 'a', 200);
    const s = await state(topic, 0);
    const follower = s.replicas.find((id) => id !== s.leader) as number;
    cluster.broker(follower).pause();
    try {
      // The leader sees no fetch from it for LAG_MS and shrinks the ISR (its lease may end too).
      const shrunk = await waitForState(topic, 0, (x) => !x.isr.includes(follower), 'the paused follower out of the ISR');
      expect(shrunk.leader).toBe(s.leader);
      for (const [v, o] of await produce(producer, topic, 0, 'b', 300)) acked.set(v, o);
    } finally {
      cluster.broker(follower).resume();
    }
    await waitForState(topic, 0, (x) => x.isr.includes(follower), 'the follower back in the ISR');
    expectAllPresent(acked, await readAll(topic, 0));
  });

  it('refuses acks=all with NOT_ENOUGH_REPLICAS when two of three brokers are down, and loses nothing acknowledged', async () => {
    const topic = await createTopic(1);
    const producer = samsa.producer({ acks: 'all', retry: { retries: 0 } });
    const acked = await produce(producer, topic, 0, 'x', 100);
    const s = await state(topic, 0);
    const down = s.replicas.filter((id) => id !== s.leader);
    await Promise.all(down.map((id) => cluster.broker(id).kill9()));
    try {
      await waitForState(topic, 0, (x) => x.isr.length === 1, 'the ISR down to the leader');
      await expect(producer.send({ topic, messages: [{ value: 'refused', partition: 0 }] })).rejects.toMatchObject({
        reason: 'NOT_ENOUGH_REPLICAS',
      });
      const read = await readAll(topic, 0);
      expectAllPresent(acked, read);
      expect(read.has('refused')).toBe(false);
    } finally {
      await Promise.all(down.map((id) => cluster.broker(id).restart()));
    }
    await waitForState(topic, 0, (x) => x.isr.length === 3, 'both brokers back in the ISR');
    for (const [v, o] of await produce(producer, topic, 0, 'y', 100)) acked.set(v, o);
    expectAllPresent(acked, await readAll(topic, 0));
  });

  it('leaves byte-identical logs on every replica', async () => {
    const topic = await createTopic(2);
    const producer = samsa.producer({ acks: 'all' });
    for (let p = 0; p < 2; p++) await produce(producer, topic, p, `z${p}`, 300);
    // Followers fetch continuously; wait for the ISR to be full, then stop every broker cleanly.
    for (let p = 0; p < 2; p++) await waitForState(topic, p, (x) => x.isr.length === 3, 'a full ISR');
    await Promise.all(cluster.brokers.map((b) => b.stop()));
    try {
      for (let p = 0; p < 2; p++) {
        const contents: Buffer[] = [];
        for (const b of cluster.brokers) {
          const log = await PartitionLog.open(partitionDir(b.spec.dataDir, topic, p), DEFAULT_LOG_CONFIG);
          try {
            const parts: Buffer[] = [];
            let offset = log.logStartOffset;
            while (offset < log.logEndOffset) {
              const r = await log.read(offset, 1 << 20);
              parts.push(r.bytes);
              offset = r.nextOffset;
            }
            contents.push(Buffer.concat(parts));
          } finally {
            await log.close();
          }
        }
        expect(decodeRecordsFrom(contents[0] as Buffer, 0)).toHaveLength(300);
        expect(contents[1]?.equals(contents[0] as Buffer), `replica 2 of ${topic}-${p} differs`).toBe(true);
        expect(contents[2]?.equals(contents[0] as Buffer), `replica 3 of ${topic}-${p} differs`).toBe(true);
      }
    } finally {
      await Promise.all(cluster.brokers.map((b) => b.start()));
    }
  });
});
