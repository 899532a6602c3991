/**
 * Share groups (queues on the log, issue 20, ADR 0049) with real processes: etcd, a controller, a
 * broker and a coordinator; members are SDK share consumers (over the coordinator's ShareConsume
 * stream) and one `samsa consume --share-group` process. Records are checked offset by offset.
 * Nothing here waits on a clock to decide: every wait is for a state the test can observe.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Samsa, type ConsumedMessage, type ShareConsumer, type ShareMessage, type ShareConsumerOptions } from '../../libs/client/index.js';
import { waitUntil } from '../../tools/launcher/index.js';
import { startCluster, tempDir, uniqueName } from '../harness/cluster.js';
import { runCli } from '../harness/cli.js';
import { samples, scrape } from '../harness/prometheus.js';

const ROOT = join(import.meta.dirname, '..', '..');
const PYTHON = '/usr/bin/python3';
const pythonMissing = ((): string | undefined => {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  if (spawnSync(PYTHON, ['-c', 'import grpc, google.protobuf']).status !== 0) return 'python3-grpcio / python3-protobuf are not installed';
  if (!existsSync('/usr/bin/grpc_python_plugin') && spawnSync('which', ['grpc_python_plugin']).status !== 0)
    return 'protobuf-compiler-grpc is not installed';
  return undefined;
})();

const cluster = await startCluster({ name: 'share-groups', brokers: 1, coordinators: 1 });
const samsa = new Samsa({
  bootstrap: cluster.brokers.map((b) => b.address),
  retry: { retries: 40, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 90_000 },
});
afterAll(async () => {
  await samsa.close();
});

async function topicWith(prefix: string, records: number, value: (i: number) => string, key?: (i: number) => string): Promise<string> {
  const name = uniqueName(prefix);
  await samsa.admin().createTopic({ name, partitions: 1, replicationFactor: 1 });
  if (records > 0) await produce(name, 0, records, value, key);
  return name;
}

async function produce(topic: string, from: number, to: number, value: (i: number) => string, key?: (i: number) => string): Promise<void> {
  const producer = samsa.producer();
  for (let start = from; start < to; start += 1_000) {
    const messages = [];
    for (let i = start; i < Math.min(to, start + 1_000); i++) messages.push({ value: value(i), ...(key ? { key: key(i) } : {}) });
    await producer.send({ topic, messages });
  }
  await producer.close();
}

/** A member reading in the background: `handle` answers each record; what it got is kept. */
class Member {
  readonly consumer: ShareConsumer;
  readonly received: ShareMessage[] = [];
  readonly done: Promise<void>;
  error: unknown;

  constructor(options: ShareConsumerOptions, handle: (m: ShareMessage, self: Member) => Promise<void> | void) {
    const consumer = samsa.shareConsumer(options);
    this.consumer = consumer;
    this.done = (async () => {
      for await (const m of consumer) {
        this.received.push(m);
        await handle(m, this);
      }
    })().catch((err: unknown) => {
      this.error = err;
    });
  }

  get joined(): boolean {
    return this.consumer.membership !== undefined;
  }

  async close(): Promise<void> {
    await this.consumer.close();
    await this.done;
  }
}

const ack = (m: ShareMessage): void => m.ack();
const offsets = (ms: readonly ShareMessage[]): number[] => ms.map((m) => m.offset).sort((a, b) => a - b);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Waits until share group `group`'s start offset (committed once its answers are durable) is `offset`. */
async function waitStartOffset(group: string, offset: number, what: string): Promise<void> {
  await waitUntil(
    async () =>
      (
        await samsa
          .groups()
          .fetchOffsets(group)
          .catch(() => [])
      ).some((c) => c.offset === offset),
    60_000,
    what,
  );
}

/** Every record of group `group`'s dead-letter topic. */
async function deadLetters(group: string): Promise<ConsumedMessage[]> {
  const dead: ConsumedMessage[] = [];
  for await (const m of samsa.consumer().topic({ topic: `${group}.dlq`, follow: false })) dead.push(m);
  return dead;
}

async function joinedAll(members: readonly Member[]): Promise<void> {
  await waitUntil(() => members.every((m) => m.joined || m.error !== undefined), 60_000, 'every member joined');
  for (const m of members) expect(m.error).toBeUndefined();
}

describe('share groups', () => {
  it('1 partition and 5 members: every member receives records, each record is acked once', async () => {
    const topic = await topicWith('share-five', 0, String);
    const group = uniqueName('g-five');
    const members = range(5).map(() => new Member({ group, topics: [topic], maxRecords: 5 }, ack));
    await joinedAll(members);
    await produce(topic, 0, 500, (i) => `v${i}`);
    await waitUntil(() => members.reduce((n, m) => n + m.received.length, 0) >= 500, 60_000, '500 deliveries');
    await Promise.all(members.map((m) => m.close()));
    for (const m of members) expect(m.received.length).toBeGreaterThan(0);
    const all = members.flatMap((m) => m.received);
    expect(offsets(all)).toEqual(range(500));
    expect(all.every((m) => m.deliveryCount === 1)).toBe(true);
  });

  it('a member that never acks loses its records to others after the lease; the delivery count says so', async () => {
    const topic = await topicWith('share-lease', 10, (i) => `v${i}`);
    const group = uniqueName('g-lease');
    const hoarder = new Member({ group, topics: [topic], leaseMs: 1_000, maxRecords: 10 }, () => undefined);
    await waitUntil(() => hoarder.received.length === 10, 60_000, 'the hoarder holds all 10');
    const acked = new Set<number>();
    const worker = new Member({ group, topics: [topic] }, (m) => {
      m.ack();
      acked.add(m.offset);
    });
    // The hoarder takes some back each time its leases run out; the worker acks what it gets.
    await waitUntil(() => acked.size === 10, 60_000, 'the worker acked all 10');
    await Promise.all([hoarder.close(), worker.close()]);
    expect(offsets(hoarder.received.filter((m) => m.deliveryCount === 1))).toEqual(range(10));
    expect(worker.received.every((m) => m.deliveryCount >= 2)).toBe(true);
    expect(offsets(worker.received)).toEqual(range(10));
    expect(worker.error).toBeUndefined();
  });

  it('extend keeps records with their member past the lease: another member waiting gets none of them', async () => {
    const topic = await topicWith('share-extend', 3, (i) => `v${i}`);
    const group = uniqueName('g-extend');
    const keeper = new Member({ group, topics: [topic], leaseMs: 3_000, maxRecords: 3 }, () => undefined);
    await waitUntil(() => keeper.received.length === 3, 60_000, 'the keeper holds all 3');
    const other = new Member({ group, topics: [topic] }, ack);
    await joinedAll([other]);
    // Two and a half leases, extended every 250 ms: without extend the records would expire and go to the other member.
    for (let i = 0; i < 30; i++) {
      for (const m of keeper.received) m.extend();
      await new Promise((r) => setTimeout(r, 250));
    }
    for (const m of keeper.received) m.ack();
    await keeper.consumer.commit();
    expect(other.received.map((m) => m.offset)).toEqual([]);
    expect(keeper.received.map((m) => [m.offset, m.deliveryCount])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
    await Promise.all([keeper.close(), other.close()]);
    expect([keeper.error, other.error]).toEqual([undefined, undefined]);
  });

  it('reject and too many attempts land in the dead-letter topic exactly once, with the reason; describe counts them', async () => {
    const kind = (i: number): string => (i % 10 === 3 ? 'reject' : i % 10 === 7 ? 'release' : 'ok');
    const topic = await topicWith(
      'share-dlq',
      40,
      (i) => `${kind(i)}-${i}`,
      (i) => `k${i}`,
    );
    const group = uniqueName('g-dlq');
    const member = new Member({ group, topics: [topic], maxDeliveryAttempts: 2 }, (m) => {
      const v = m.value?.toString() ?? '';
      if (v.startsWith('reject')) m.reject();
      else if (v.startsWith('release')) m.release();
      else m.ack();
    });
    // Everything is done once the group's start offset (committed, acks=all) reaches the end.
    await waitStartOffset(group, 40, 'the share group done with all 40 records');
    const membership = member.consumer.membership;
    // Describe while the member is in: its counts (32 acked, 4 rejected + 4 past their attempts).
    const described = await samsa.groups().describe(group);
    expect(described.share).toEqual({ members: 1, inFlight: 0, available: 0, acked: 32, deadLettered: 8 });
    // /metrics counts them too (this coordinator's totals, other cases' groups included).
    const metrics = await scrape(cluster.coordinators[0]?.metricsUrl as string);
    const total = (name: string): number => samples(metrics, name).reduce((n, x) => n + x.value, 0);
    expect(total('samsa_coordinator_share_acked_total')).toBeGreaterThanOrEqual(32);
    expect(total('samsa_coordinator_share_dead_lettered_total')).toBeGreaterThanOrEqual(8);
    expect(total('samsa_coordinator_share_members')).toBeGreaterThanOrEqual(1);
    await member.close();
    expect(membership?.deadLetterTopic).toBe(`${group}.dlq`);
    const cli = await runCli(['--bootstrap', cluster.bootstrap, 'groups', 'describe', group, '-o', 'json']);
    expect(cli.code, cli.stderr).toBe(0);
    expect((JSON.parse(cli.stdout) as { share: unknown }).share).toEqual({
      members: 0,
      inFlight: 0,
      available: 0,
      acked: 32,
      deadLettered: 8,
    });
    const dead = await deadLetters(group);
    const header = (m: ConsumedMessage, k: string): string | undefined => m.headers.find((h) => h.key === k)?.value.toString();
    const rows = dead
      .map((m) => ({
        offset: Number(header(m, 'samsa.dlt.original.offset')),
        reason: header(m, 'samsa.dlt.reason'),
        count: Number(header(m, 'samsa.dlt.delivery.count')),
        topic: header(m, 'samsa.dlt.original.topic'),
        partition: header(m, 'samsa.dlt.original.partition'),
        group: header(m, 'samsa.dlt.group'),
        key: m.key?.toString(),
        value: m.value?.toString(),
      }))
      .sort((a, b) => a.offset - b.offset);
    const expected = range(40)
      .filter((i) => kind(i) !== 'ok')
      .map((i) => ({
        offset: i,
        reason: kind(i) === 'reject' ? 'rejected' : 'max-delivery-attempts',
        count: kind(i) === 'reject' ? 1 : 2,
        topic,
        partition: '0',
        group,
        key: `k${i}`,
        value: `${kind(i)}-${i}`,
      }));
    expect(rows).toEqual(expected);
    // Released records came back with their count raised; nothing dead-lettered was delivered after.
    const released = member.received.filter((m) => kind(m.offset) === 'release');
    expect(released.map((m) => `${m.offset}:${m.deliveryCount}`).sort()).toEqual(
      expected
        .filter((e) => e.reason !== 'rejected')
        .flatMap((e) => [`${e.offset}:1`, `${e.offset}:2`])
        .sort(),
    );
  });

  it('key-ordered, 20 keys and 4 members: per-key order over 10,000 records, never a key at two members, every member works', async () => {
    const N = 10_000;
    const topic = await topicWith('share-keys', 0, String);
    const group = uniqueName('g-keys');
    const holder = new Map<string, Member>();
    const lastOffset = new Map<string, number>();
    const violations: string[] = [];
    const handle = async (m: ShareMessage, self: Member): Promise<void> => {
      const key = m.key?.toString() ?? '';
      const other = holder.get(key);
      if (other && other !== self) violations.push(`key ${key} at two members (offset ${m.offset})`);
      if ((lastOffset.get(key) ?? -1) >= m.offset) violations.push(`key ${key}: offset ${m.offset} after ${lastOffset.get(key)}`);
      holder.set(key, self);
      lastOffset.set(key, m.offset);
      // A turn of the event loop of "work" while holding the key.
      await new Promise<void>((resolve) => setImmediate(resolve));
      holder.delete(key);
      m.ack();
    };
    const members = range(4).map(() => new Member({ group, topics: [topic], keyOrdered: true, maxRecords: 10 }, handle));
    await joinedAll(members);
    await produce(
      topic,
      0,
      N,
      (i) => `v${i}`,
      (i) => `key-${i % 20}`,
    );
    await waitUntil(() => members.reduce((n, m) => n + m.received.length, 0) >= N, 120_000, `${N} deliveries`);
    await Promise.all(members.map((m) => m.close()));
    expect(violations).toEqual([]);
    for (const m of members) expect(m.received.length).toBeGreaterThan(0);
    expect(offsets(members.flatMap((m) => m.received))).toEqual(range(N));
  });

  it("partitions added to a live share group's topic are followed", async () => {
    const topic = await topicWith('share-grow', 5, (i) => `p0-${i}`);
    const group = uniqueName('g-grow');
    const member = new Member({ group, topics: [topic] }, ack);
    await waitUntil(() => member.received.length >= 5, 60_000, 'the records of partition 0');
    await samsa.admin().createPartitions(topic, 2);
    const producer = samsa.producer();
    await producer.send({ topic, messages: range(5).map((i) => ({ value: `p1-${i}`, partition: 1 })) });
    await producer.close();
    await waitUntil(() => member.received.filter((m) => m.partition === 1).length >= 5, 60_000, 'the records of the new partition 1');
    await member.close();
    expect(member.error).toBeUndefined();
    expect(offsets(member.received.filter((m) => m.partition === 1))).toEqual(range(5));
  });

  it('a slow member at its flow-control limit (records or bytes) gets no more; the others get the rest', async () => {
    const topic = await topicWith('share-flow', 50, (i) => `${i}`.padStart(100, '.'));
    const group = uniqueName('g-flow');
    const byRecords = new Member({ group, topics: [topic], maxRecords: 5 }, () => undefined);
    await waitUntil(() => byRecords.received.length === 5, 60_000, 'the first slow member holds 5');
    const byBytes = new Member({ group, topics: [topic], maxBytes: 250 }, () => undefined);
    await waitUntil(
      () => byBytes.received.length >= 2 || byBytes.error !== undefined,
      60_000,
      'the second slow member holds 2 (250 bytes)',
    );
    expect(byBytes.error).toBeUndefined();
    const acked = new Set<number>();
    const fast = new Member({ group, topics: [topic] }, (m) => {
      m.ack();
      acked.add(m.offset);
    });
    await waitUntil(() => acked.size === 43, 60_000, 'the fast member acked the other 43');
    expect(byRecords.received.length).toBe(5);
    expect(byBytes.received.length).toBe(2);
    expect(offsets([...byRecords.received, ...byBytes.received, ...fast.received])).toEqual(range(50));
    await Promise.all([byRecords.close(), byBytes.close(), fast.close()]);
  });

  it('a group is classic or share: a join of the other kind is refused, naming the group and its kind', async () => {
    const topic = await topicWith('share-kind', 1, String);
    const shareGroup = uniqueName('g-share');
    const share = new Member({ group: shareGroup, topics: [topic] }, ack);
    await joinedAll([share]);
    const classic = samsa.groupConsumer({ groupId: shareGroup, topics: [topic], delivery: 'relay' });
    await expect(
      (async () => {
        for await (const _ of classic) break;
      })(),
    ).rejects.toMatchObject({
      reason: 'INCONSISTENT_GROUP_PROTOCOL',
      message: expect.stringContaining(`"${shareGroup}" is a share group`),
    });
    await classic.close();
    await share.close();

    const classicGroup = uniqueName('g-classic');
    await samsa.consumer({ groupId: classicGroup }).commit([{ topic, partition: 0, offset: 1 }]);
    const refused = new Member({ group: classicGroup, topics: [topic] }, ack);
    await refused.done;
    expect(refused.error).toMatchObject({
      reason: 'INCONSISTENT_GROUP_PROTOCOL',
      message: expect.stringContaining(`"${classicGroup}" is a classic consumer group`),
    });
  });

  it('samsa consume --share-group prints records with their delivery count and acks them', async () => {
    const topic = await topicWith('share-cli', 3, (i) => `v${i}`);
    const group = uniqueName('g-cli');
    const run = await runCli([
      '--bootstrap',
      cluster.bootstrap,
      'consume',
      topic,
      '--share-group',
      group,
      '--max-messages',
      '3',
      '-o',
      'json',
    ]);
    expect(run.stderr).toContain(`share group ${group}: member`);
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { offset: number; value: string; deliveryCount: number });
    expect(lines.map((l) => [l.offset, l.value, l.deliveryCount])).toEqual([
      [0, 'v0', 1],
      [1, 'v1', 1],
      [2, 'v2', 1],
    ]);
    // Acked: a second member gets nothing of them (the group's start offset is past them).
    await waitStartOffset(group, 3, 'the acks of the CLI member committed as the start offset');
  });

  it('samsa consume --share-group --ack none, release and reject: records come back with a higher count, rejected ones go to the dead-letter topic', async () => {
    const topic = await topicWith('share-cli-ack', 2, (i) => `v${i}`);
    const group = uniqueName('g-cli-ack');
    const member = async (ack: string): Promise<[number, number][]> => {
      const run = await runCli([
        '--bootstrap',
        cluster.bootstrap,
        'consume',
        topic,
        '--share-group',
        group,
        '--ack',
        ack,
        '--max-messages',
        '2',
        '--lease-ms',
        '1000',
        '-o',
        'json',
      ]);
      expect(run.code, run.stderr).toBe(0);
      return run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { offset: number; deliveryCount: number })
        .map((l) => [l.offset, l.deliveryCount]);
    };
    // none: no answer; the records come back (at the member's leave, or after the 1 s lease).
    expect(await member('none')).toEqual([
      [0, 1],
      [1, 1],
    ]);
    // release: given back at once, so the next member gets them again.
    expect(await member('release')).toEqual([
      [0, 2],
      [1, 2],
    ]);
    // reject: to the dead-letter topic. A released record may have gone to the releasing member
    // once more before it left (it had room), so the count here is 3 or more.
    const rejected = await member('reject');
    expect(rejected.map(([offset]) => offset)).toEqual([0, 1]);
    for (const [, count] of rejected) expect(count).toBeGreaterThanOrEqual(3);
    await waitStartOffset(group, 2, 'the rejected records archived: the start offset past them');
    const dead = await deadLetters(group);
    const header = (m: ConsumedMessage, k: string): string | undefined => m.headers.find((h) => h.key === k)?.value.toString();
    expect(
      dead
        .map((m) => [header(m, 'samsa.dlt.original.offset'), header(m, 'samsa.dlt.reason'), header(m, 'samsa.dlt.delivery.count')])
        .sort(),
    ).toEqual(rejected.map(([offset, count]) => [String(offset), 'rejected', String(count)]));
  });

  it.skipIf(pythonMissing !== undefined && !process.env.CI)(
    'a plain generated Python client is a share member: acks, rejects to the dead-letter topic, waits for committed',
    async () => {
      expect(pythonMissing, 'the Python share member needs its packages in CI').toBeUndefined();
      const topic = await topicWith('share-py', 6, (i) => (i === 4 ? `poison-${i}` : `job-${i}`));
      const group = uniqueName('g-py');
      const gen = tempDir('python-gen');
      execFileSync('bash', [join(ROOT, 'examples/python/gen.sh'), gen], { encoding: 'utf8' });
      const run = spawnSync(
        PYTHON,
        [
          join(ROOT, 'examples/python/share_member.py'),
          '--bootstrap',
          cluster.bootstrap,
          '--group',
          group,
          '--topic',
          topic,
          '--max-messages',
          '6',
          '--gen-dir',
          gen,
        ],
        { encoding: 'utf8', timeout: 120_000 },
      );
      const output = run.stdout + run.stderr;
      expect(run.status, output).toBe(0);
      for (let i = 0; i < 6; i++) expect(output).toContain(`${topic}/0@${i} delivery 1: ${i === 4 ? 'poison' : 'job'}-${i}`);
      expect(output).toMatch(/answers up to sequence \d+ are durable/);
      expect(output).toContain(`answered 6 records as a member of share group ${group}`);
      // Durable: the group's start offset is past all six, and the poison record is in the dead-letter topic.
      await waitStartOffset(group, 6, 'the share group done with all 6 records');
      const dead = await deadLetters(group);
      expect(dead.map((m) => m.value?.toString())).toEqual(['poison-4']);
    },
  );
});
