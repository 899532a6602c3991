/**
 * The log cleaner through real processes (etcd, a controller, three brokers, two coordinators):
 * a compacted RF=3 topic is cleaned by every replica on its own, one follower being down while the
 * others clean; once it is back and has cleaned too, the three replicas hold the same records (read
 * from copies of their files), exactly the latest value per key at the offsets they were written
 * at, no tombstone past delete.retention.ms, and the SDK consumer reads across the gaps. And a
 * group's committed offsets survive compaction of __consumer_offsets and a coordinator failover
 * (kill -9 of the owner).
 */
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Samsa } from '../../libs/client/index.js';
import { PartitionLog, DEFAULT_LOG_CONFIG } from '../../libs/log/index.js';
import { decodeRecordsFrom } from '../../libs/record/index.js';
import { partitionDirName } from '../../libs/replica/index.js';
import { OFFSETS_TOPIC, groupPartition } from '../../libs/group/index.js';
import { startCluster, tempDir, uniqueName } from '../harness/cluster.js';

const cluster = await startCluster({
  name: 'compaction',
  brokers: 3,
  coordinators: 2,
  env: { SAMSA_LEASE_TTL_SECONDS: '5', SAMSA_LOG_CLEANER_BACKOFF_MS: '300', SAMSA_LOG_CLEANER_IO_MAX_BYTES_PER_SECOND: '0' },
});
const samsa = new Samsa({
  bootstrap: cluster.brokers.map((b) => b.address),
  retry: { retries: 60, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 120_000 },
});
afterAll(() => samsa.close());

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function replicaDir(brokerId: number, topic: string, partition: number): string {
  return join(cluster.broker(brokerId).spec.dataDir, partitionDirName(topic, partition));
}

/** The cleaner checkpoint of a replica (offsets below it are compacted), 0 when it has none. */
function checkpoint(brokerId: number, topic: string, partition: number): number {
  const file = join(replicaDir(brokerId, topic, partition), 'cleaner-offset-checkpoint');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[1]) : 0;
}

interface Row {
  offset: number;
  key: string;
  value: string | null;
}

/** Every record of a replica, read from a copy of its files (the broker keeps running). */
async function replicaRecords(brokerId: number, topic: string, partition: number): Promise<Row[]> {
  const copy = join(tempDir('replica-copy'), 'p');
  cpSync(replicaDir(brokerId, topic, partition), copy, { recursive: true });
  const log = await PartitionLog.open(copy, { ...DEFAULT_LOG_CONFIG, fsync: { mode: 'never', intervalMs: 1000 } });
  const rows: Row[] = [];
  let next = log.logStartOffset;
  while (next < log.logEndOffset) {
    const r = await log.read(next, 1 << 20);
    if (r.bytes.length === 0) break;
    for (const rec of decodeRecordsFrom(r.bytes, next))
      rows.push({ offset: rec.offset, key: rec.key?.toString() ?? '', value: rec.value?.toString() ?? null });
    next = r.nextOffset;
  }
  await log.close();
  return rows;
}

const KEYS = 300;
const ROUNDS = 5;
/** About 2 KiB that lz4 cannot shrink much, so the log rolls segments. */
const value = (round: number, i: number): string => `r${round}-k${i}-${randomBytes(1000).toString('hex')}`;

describe('the log cleaner on a running cluster', { timeout: 400_000 }, () => {
  it('a compacted RF=3 topic cleaned while a follower is down reads the same from every replica once it is back', async () => {
    const topic = uniqueName('cmp');
    await samsa.admin().createTopic({
      name: topic,
      partitions: 1,
      replicationFactor: 3,
      config: {
        'cleanup.policy': 'compact',
        'segment.bytes': String(1024 * 1024),
        'min.cleanable.dirty.ratio': '0.01',
        'delete.retention.ms': '0',
      },
    });
    const [meta] = await samsa.admin().describeTopics([topic]);
    const leader = meta?.partitions[0]?.leaderId as number;
    const down = (meta?.partitions[0]?.replicas ?? []).find((id) => id !== leader) as number;
    const up = (meta?.partitions[0]?.replicas ?? []).find((id) => id !== leader && id !== down) as number;

    const consumed: Row[] = [];
    const expected = new Map<string, string>();
    const produced = ROUNDS * KEYS + 30 + 700;
    await cluster.broker(down).stop();
    try {
      const producer = samsa.producer({ acks: 'all', compression: 'lz4' });
      for (let round = 0; round < ROUNDS; round++) {
        const messages = Array.from({ length: KEYS }, (_, i) => ({ key: `k${i}`, value: value(round, i), partition: 0 }));
        for (let at = 0; at < messages.length; at += 50) await producer.send({ topic, messages: messages.slice(at, at + 50) });
        for (const m of messages) expected.set(m.key, m.value);
      }
      const deleted = await producer.send({
        topic,
        messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: null, partition: 0 })),
      });
      const lastTombstone = (deleted.at(-1)?.baseOffset ?? 0) + (deleted.at(-1)?.recordCount ?? 1) - 1;
      for (let i = 0; i < 30; i++) expected.delete(`k${i}`);
      // Unique keys after the tombstones roll them out of the active segment, which is never cleaned.
      const filler = Array.from({ length: 700 }, (_, i) => ({ key: `f${i}`, value: value(9, i), partition: 0 }));
      for (let at = 0; at < filler.length; at += 50) await producer.send({ topic, messages: filler.slice(at, at + 50) });
      for (const m of filler) expected.set(m.key, m.value);
      await producer.close();

      await waitFor('the leader and the live follower to clean past the tombstones', () =>
        checkpoint(leader, topic, 0) > lastTombstone && checkpoint(up, topic, 0) > lastTombstone ? true : undefined,
      );
      // The SDK consumer reads the compacted partition across its gaps.
      for await (const m of samsa.consumer().partition({ topic, partition: 0, from: 'earliest', follow: false })) {
        consumed.push({ offset: m.offset, key: m.key?.toString() ?? '', value: m.value?.toString() ?? null });
      }
    } finally {
      await cluster.broker(down).start();
    }
    expect(consumed.length).toBeLessThan(produced);
    const latest = new Map<string, string | null>();
    for (const r of consumed) latest.set(r.key, r.value);
    expect(new Map([...latest].filter(([, v]) => v !== null))).toEqual(expected);
    expect(consumed.filter((r) => r.value === null)).toEqual([]);

    await waitFor('the restarted follower back in the ISR and cleaned', async () => {
      const [m] = await samsa.admin().describeTopics([topic]);
      return m?.partitions[0]?.isr.length === 3 && checkpoint(down, topic, 0) > 0 ? true : undefined;
    });
    const [a = [], b, c] = await Promise.all([leader, up, down].map((id) => replicaRecords(id, topic, 0)));
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(a).toEqual(consumed);
    // Offsets are those the records were written at: the latest round of a key is at its round's offsets.
    expect(new Map(a.map((r) => [r.key, r.offset])).get('k100')).toBe((ROUNDS - 1) * KEYS + 100);
  });

  it("a group's committed offsets survive compaction of __consumer_offsets and a coordinator failover", async () => {
    const topic = uniqueName('cmp-g');
    await samsa.admin().createTopic({ name: topic, partitions: 4, replicationFactor: 1 });
    const group = uniqueName('g');
    const groups = samsa.groups();
    // ~4 KB per commit (metadata near its 4096-byte limit): 1,500 commits roll 4 MiB segments.
    const pad = 'm'.repeat(4000);
    for (let i = 0; i < 1500; i++) await groups.commitOffsets(group, [{ topic, partition: i % 4, offset: i, metadata: `${i}-${pad}` }]);
    const want = await groups.fetchOffsets(group);
    expect(want.map((o) => o.offset)).toEqual([1496, 1497, 1498, 1499]);
    const [om] = await samsa.admin().describeTopics([OFFSETS_TOPIC]);
    const offsetsPartition = groupPartition(group, om?.partitions.length ?? 0);
    const replicas = om?.partitions[offsetsPartition]?.replicas ?? [];
    await waitFor("every replica of the group's __consumer_offsets partition to clean", () =>
      replicas.every((id) => checkpoint(id, OFFSETS_TOPIC, offsetsPartition) > 0) ? true : undefined,
    );
    const records = await replicaRecords(replicas[0] as number, OFFSETS_TOPIC, offsetsPartition);
    expect(records.filter((r) => r.key.includes(group)).length).toBeLessThan(1500);
    // Fail over: kill -9 the coordinator that owns the group (no clean hand-over); the other loads
    // the compacted partition once the owner's lease has ended.
    const address = await groups.findCoordinator(group);
    const owner = cluster.coordinators.find((c) => c.address === address);
    if (!owner) throw new Error(`no coordinator at ${address}`);
    await owner.kill9();
    const after = await waitFor('the other coordinator to serve the group', () => groups.fetchOffsets(group).catch(() => undefined));
    expect(after).toEqual(want);
    await owner.start();
  });
});
