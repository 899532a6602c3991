/**
 * Moving partitions and leaders with real processes (etcd, a controller, four brokers) through the
 * built CLI: a fourth broker added and `samsa partitions rebalance` spreads replicas onto it;
 * leadership moves off a killed broker and `samsa partitions elect-leaders` brings it back once
 * the broker is in sync again (the automatic rebalance is off here, so only the command can);
 * a throttled move shows its byte progress in --status and, cancelled halfway, goes back to the
 * original replicas; `samsa brokers drain` leaves no replica on a broker, which then stops with
 * nothing under-replicated. One cluster for all cases; they run in order.
 */
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Samsa } from '../../libs/client/index.js';
import { waitUntil } from '../../tools/launcher/index.js';
import { runCli } from '../harness/cli.js';
import { startCluster, uniqueName } from '../harness/cluster.js';

const cluster = await startCluster({
  name: 'partition-moves',
  brokers: 4,
  env: { SAMSA_REPLICA_LAG_TIME_MAX_MS: '2000', SAMSA_LEADER_REBALANCE_DELAY_MS: '0' },
});
const bootstrap = ['--bootstrap', cluster.brokers.map((b) => b.address).join(',')];
const samsa = new Samsa({
  bootstrap: cluster.brokers.map((b) => b.address),
  retry: { retries: 30, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 60_000 },
});
afterAll(() => samsa.close());

async function cli<T>(args: string[]): Promise<T> {
  const run = await runCli([...bootstrap, ...args, '-o', 'json'], { timeoutMs: 120_000 });
  expect(run.stderr, `samsa ${args.join(' ')}`).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

interface PartitionRow {
  partition: number;
  leader: number | null;
  replicas: number[];
  isr: number[];
}

async function partitions(topic: string): Promise<PartitionRow[]> {
  const d = await cli<{ topics: { partitions: PartitionRow[] }[] }>(['topics', 'describe', topic]);
  return d.topics[0]?.partitions ?? [];
}

async function waitPartitions(topic: string, ok: (p: PartitionRow) => boolean, what: string, timeoutMs = 60_000): Promise<PartitionRow[]> {
  let last: PartitionRow[] = [];
  await waitUntil(
    async () => {
      last =
        (await samsa.admin().describeTopics([topic]))[0]?.partitions.map((p) => ({
          partition: p.partition,
          leader: p.leaderId < 0 ? null : p.leaderId,
          replicas: p.replicas,
          isr: p.isr,
        })) ?? [];
      return last.length > 0 && last.every(ok);
    },
    timeoutMs,
    what,
    200,
  );
  return last;
}

const inSync = (p: PartitionRow): boolean => p.leader !== null && p.isr.length === p.replicas.length;

async function fill(topic: string, partitionCount: number, records: number, bytes: number): Promise<void> {
  const producer = samsa.producer({ acks: 'all' });
  const value = 'x'.repeat(bytes);
  for (let p = 0; p < partitionCount; p++) {
    for (let i = 0; i < records; i += 50) {
      await producer.send({ topic, messages: Array.from({ length: 50 }, () => ({ value, partition: p })) });
    }
  }
  await producer.close();
}

// Each case runs several CLI processes and waits for brokers to copy and restart: on a loaded
// 2-core machine (load 25-30) two of them took just over the project's 120 s.
describe('partition moves', { timeout: 240_000 }, () => {
  it('a broker added, then `samsa partitions rebalance` spreads replicas onto it', async () => {
    await cluster.broker(4).stop();
    const topic = uniqueName('rebalance');
    await samsa.admin().createTopic({ name: topic, partitions: 6, replicationFactor: 2 });
    await fill(topic, 6, 100, 100);
    expect((await partitions(topic)).flatMap((p) => p.replicas)).not.toContain(4);

    await cluster.broker(4).start();
    await waitUntil(async () => (await samsa.admin().describeCluster()).brokers.length === 4, 30_000, 'broker 4 registered', 200);
    const out = await cli<{ plan: unknown[] }>(['partitions', 'rebalance', '--wait']);
    expect(out.plan.length).toBeGreaterThan(0);
    const after = await waitPartitions(topic, inSync, 'every partition in sync after the rebalance');
    const counts = new Map([1, 2, 3, 4].map((b) => [b, after.filter((p) => p.replicas.includes(b)).length]));
    expect(counts.get(4), `replicas per broker ${JSON.stringify([...counts])}`).toBe(3);
    expect(Math.max(...counts.values()) - Math.min(...counts.values())).toBeLessThanOrEqual(1);
    expect((await cli<{ reassignments: unknown[] }>(['partitions', 'reassign', '--status'])).reassignments).toEqual([]);
  });

  it('after a broker is killed and restarted, `samsa partitions elect-leaders` returns leadership to the preferred replicas', async () => {
    const topic = uniqueName('elect');
    await samsa.admin().createTopic({ name: topic, partitions: 4, replicationFactor: 3 });
    const initial = await waitPartitions(topic, inSync, 'the topic in sync');
    const victim = initial[0]?.replicas[0] as number;
    const preferredThere = initial.filter((p) => p.replicas[0] === victim).map((p) => p.partition);

    await cluster.broker(victim).kill9();
    await waitPartitions(topic, (p) => p.leader !== null && p.leader !== victim, `leadership off broker ${victim}`);
    await cluster.broker(victim).start();
    const back = await waitPartitions(topic, inSync, `broker ${victim} back in every ISR`);
    // Nothing moves leadership back by itself here (SAMSA_LEADER_REBALANCE_DELAY_MS=0).
    for (const p of preferredThere) expect(back[p]?.leader).not.toBe(victim);

    const elected = await cli<{ results: { partition: number; outcome: string; leader: number | null }[] }>([
      'partitions',
      'elect-leaders',
      '--topic',
      topic,
    ]);
    expect(elected.results.filter((r) => r.outcome === 'elected').map((r) => r.partition)).toEqual(preferredThere);
    expect(elected.results.every((r) => r.outcome !== 'not-available')).toBe(true);
    const final = await partitions(topic);
    for (const p of final) expect(p.leader).toBe(p.replicas[0]);
    // Asked again: nothing to do.
    const again = await cli<{ results: { outcome: string }[] }>(['partitions', 'elect-leaders', '--topic', topic, '--partition', '0']);
    expect(again.results).toEqual([expect.objectContaining({ outcome: 'not-needed' })]);
  });

  it('a throttled move shows bytes copied in --status; cancelled halfway it goes back to its original replicas, and the added replica deletes its copy', async () => {
    const topic = uniqueName('cancel');
    await samsa.admin().createTopic({ name: topic, partitions: 1, replicationFactor: 2 });
    await fill(topic, 1, 2000, 100); // ~ 250 KB
    const [before] = await waitPartitions(topic, inSync, 'in sync');
    const added = [1, 2, 3, 4].find((b) => !before?.replicas.includes(b)) as number;
    const target = [added, ...(before?.replicas.slice(1) ?? [])];
    const moving = await cli<{ reassignments: { addingReplicas: number[]; throttleBytesPerSecond: number }[] }>([
      'partitions',
      'reassign',
      '--topic',
      topic,
      '--to-brokers',
      target.join(','),
      '--throttle',
      '4096',
    ]);
    expect(moving.reassignments).toEqual([expect.objectContaining({ addingReplicas: [added], throttleBytesPerSecond: 4096 })]);
    const status = await cli<{ reassignments: { topic: string }[] }>(['partitions', 'reassign', '--status', '--topic', topic]);
    expect(status.reassignments.map((r) => r.topic)).toEqual([topic]);
    const dir = `${cluster.broker(added).spec.dataDir}/${topic}-0`;
    await waitUntil(async () => existsSync(dir), 30_000, `broker ${added} opened its replica`, 100);
    // --status says how far the added replica has copied, in bytes, from the brokers themselves.
    type Copying = { broker: number; copiedBytes: number | null; leaderBytes: number | null; inSync: boolean };
    let copying: Copying | undefined;
    await waitUntil(
      async () => {
        const s = await cli<{ reassignments: { copying: Copying[] }[] }>(['partitions', 'reassign', '--status', '--topic', topic]);
        copying = s.reassignments[0]?.copying[0];
        return (copying?.copiedBytes ?? 0) > 0;
      },
      30_000,
      `broker ${added} reported bytes copied`,
      200,
    );
    // At 4 KiB/s the ~250 KB log takes about a minute: it is still part-way.
    expect(copying).toEqual(expect.objectContaining({ broker: added, inSync: false }));
    expect(copying?.leaderBytes).toBeGreaterThan(200_000);
    expect(copying?.copiedBytes).toBeLessThan(copying?.leaderBytes ?? 0);
    const text = await runCli([...bootstrap, 'partitions', 'reassign', '--status', '--topic', topic], { timeoutMs: 120_000 });
    expect(text.stdout).toMatch(new RegExp(`${added}\\(copying [0-9.]+ of [0-9.]+ MB, [0-9]+%\\)`));

    await cli(['partitions', 'reassign', '--cancel', '--topic', topic]);
    const [after] = await partitions(topic);
    expect(after?.replicas).toEqual(before?.replicas);
    expect((await cli<{ reassignments: unknown[] }>(['partitions', 'reassign', '--status'])).reassignments).toEqual([]);
    await waitUntil(async () => !existsSync(dir), 30_000, `broker ${added} deleted its copy`, 100);
  });

  it('`samsa brokers drain` leaves no replica on the broker, places nothing new on it, and it then stops with nothing under-replicated', async () => {
    // An unknown id is an error naming the known ids, not an empty plan.
    const unknown = await runCli([...bootstrap, 'brokers', 'drain', '99'], { timeoutMs: 120_000 });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('unknown broker id(s) 99');
    expect(unknown.stderr).toContain('known broker ids: [1, 2, 3, 4]');
    expect(await samsa.admin().drainBrokers([])).toEqual([]);

    const topics = (await samsa.admin().listTopics({ includeInternal: true })).filter((t) => !t.startsWith('__'));
    const out = await cli<{ plan: { replicas: number[] }[] }>(['brokers', 'drain', '4', '--wait', '--throttle', '10485760']);
    expect(out.plan.length).toBeGreaterThan(0);
    for (const entry of out.plan) expect(entry.replicas).not.toContain(4);
    for (const topic of topics) {
      const rows = await waitPartitions(topic, inSync, `${topic} in sync after the drain`);
      for (const p of rows) expect(p.replicas, `${topic}-${p.partition}`).not.toContain(4);
    }
    const dataDir = cluster.broker(4).spec.dataDir;
    await waitUntil(
      async () =>
        readdirSync(dataDir, { withFileTypes: true }).filter((e) => e.isDirectory() && topics.some((t) => e.name.startsWith(`${t}-`)))
          .length === 0,
      30_000,
      'broker 4 deleted every replica',
      200,
    );

    // Still draining: a topic created and partitions added now place nothing on broker 4 (4 brokers
    // live, RF 3: without the draining state 3/4 of the replicas would go there), and no move may add it.
    expect(await samsa.admin().drainBrokers([])).toEqual([4]);
    const later = uniqueName('during-drain');
    await cli(['topics', 'create', later, '--partitions', '8', '--replication-factor', '3']);
    await cli(['topics', 'add-partitions', later, '--partitions', '12']);
    const placed = await partitions(later);
    expect(placed).toHaveLength(12);
    for (const p of placed) expect(p.replicas, `${later}-${p.partition}`).not.toContain(4);
    const onto = await runCli([...bootstrap, 'partitions', 'reassign', '--topic', later, '--to-brokers', '4,1,2'], { timeoutMs: 120_000 });
    expect(onto.code).not.toBe(0);
    expect(onto.stderr).toContain('being drained');
    expect(await samsa.admin().listPartitionReassignments([{ topic: later }])).toEqual([]);

    const undrained = await cli<{ draining: number[]; cancelled: unknown[] }>(['brokers', 'undrain', '4']);
    expect(undrained).toEqual(expect.objectContaining({ draining: [], cancelled: [] }));
    topics.push(later);
    await cluster.broker(4).stop();
    for (const topic of topics) for (const p of await partitions(topic)) expect(inSync(p), `${topic}-${p.partition}`).toBe(true);
  });
});
