/**
 * The built `samsa` CLI as a user runs it (`node dist/cli/main.js`), against a real cluster of
 * etcd, a controller and three brokers: topics, a 100,000-record produce/consume round trip with
 * keys, tailing with --follow, and the error cases with their exit codes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../tools/launcher/index.js';
import { partitionForKey } from '../../libs/partitioner/index.js';
import { runCli } from '../harness/cli.js';
import { startCluster, tempDir, uniqueName } from '../harness/cluster.js';

const samsa = runCli;

const cluster = await startCluster({ name: 'cli', brokers: 3 });
const bootstrap = ['--bootstrap', cluster.bootstrap];

describe('samsa topics', () => {
  it('creates, lists, describes and deletes a topic', async () => {
    const topic = uniqueName('cli-topics');
    const created = await samsa([
      ...bootstrap,
      'topics',
      'create',
      topic,
      '--partitions',
      '6',
      '--replication-factor',
      '1',
      '--config',
      'retention.ms=3600000',
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`created topic ${topic} with 6 partitions, replication factor 1`);

    const list = await samsa(['topics', 'list', ...bootstrap]);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')).toContain(topic);

    const described = await samsa([...bootstrap, 'topics', 'describe', topic]);
    expect(described.code).toBe(0);
    expect(described.stdout).toContain(`Topic: ${topic}`);
    expect(described.stdout).toContain('retention.ms=3600000');
    const rows = described.stdout.split('\n').filter((l) => /^\s+\d+\s+\d+\s+\d+\s+[\d,]+\s+[\d,]+/.test(l));
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      const [, , , replicas] = row.trim().split(/\s+/);
      expect(replicas?.split(',')).toHaveLength(1);
    }

    // Three replicas on three brokers: describe shows them all in the ISR; four are refused plainly.
    const rf3 = uniqueName('cli-rf3');
    const replicated = await samsa([...bootstrap, 'topics', 'create', rf3, '--partitions', '1', '--replication-factor', '3']);
    expect(replicated.stderr).toBe('');
    expect(replicated.code).toBe(0);
    const rf3Rows = (await samsa([...bootstrap, 'topics', 'describe', rf3])).stdout
      .split('\n')
      .filter((l) => /^\s+\d+\s+\d+\s+\d+\s+[\d,]+\s+[\d,]+/.test(l));
    expect(rf3Rows).toHaveLength(1);
    const [, , , replicas, isr] = (rf3Rows[0] as string).trim().split(/\s+/);
    expect(replicas?.split(',').sort()).toEqual(['1', '2', '3']);
    expect(isr?.split(',').sort()).toEqual(['1', '2', '3']);
    const tooMany = await samsa([
      ...bootstrap,
      'topics',
      'create',
      uniqueName('cli-rf4'),
      '--partitions',
      '1',
      '--replication-factor',
      '4',
    ]);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toContain('replication factor 4 needs 4 live brokers, only 3 are up');

    const deleted = await samsa([...bootstrap, 'topics', 'delete', topic]);
    expect(deleted.code).toBe(0);
    const after = await samsa([...bootstrap, 'topics', 'list']);
    expect(after.stdout.split('\n')).not.toContain(topic);
  });

  it("alters a topic's config and adds partitions; refuses shrinking and bad values plainly", async () => {
    const topic = uniqueName('cli-alter');
    expect((await samsa([...bootstrap, 'topics', 'create', topic, '--partitions', '2', '--replication-factor', '3'])).code).toBe(0);
    const altered = await samsa([
      ...bootstrap,
      'topics',
      'alter',
      topic,
      '--config',
      'retention.ms=3600000',
      '--config',
      'min.insync.replicas=2',
    ]);
    expect(altered.stderr).toBe('');
    expect(altered.stdout).toContain(`altered topic ${topic}: retention.ms=3600000 min.insync.replicas=2`);
    const described = (await samsa([...bootstrap, 'topics', 'describe', topic])).stdout;
    expect(described).toContain('retention.ms=3600000');
    expect(described).toContain('min.insync.replicas=2');

    const grown = await samsa([...bootstrap, 'topics', 'add-partitions', topic, '--partitions', '4']);
    expect(grown.stderr).toBe('');
    expect(grown.stdout).toContain(`topic ${topic} now has 4 partitions`);
    const rows = (await samsa([...bootstrap, 'topics', 'describe', topic])).stdout
      .split('\n')
      .filter((l) => /^\s+\d+\s+\d+\s+\d+\s+[\d,]+\s+[\d,]+/.test(l));
    expect(rows).toHaveLength(4);
    const produced = await samsa([...bootstrap, 'produce', topic, '--partition', '3'], { input: 'on-a-new-partition\n' });
    expect(produced.code).toBe(0);
    const consumed = await samsa([...bootstrap, 'consume', topic, '--partition', '3', '--from', 'earliest', '--max-messages', '1']);
    expect(consumed.stdout.trim()).toBe('on-a-new-partition');

    const shrink = await samsa([...bootstrap, 'topics', 'add-partitions', topic, '--partitions', '3']);
    expect(shrink.code).toBe(1);
    expect(shrink.stderr).toContain('the new count must be larger');
    const tooStrict = await samsa([...bootstrap, 'topics', 'alter', topic, '--config', 'min.insync.replicas=4']);
    expect(tooStrict.code).toBe(1);
    expect(tooStrict.stderr).toContain('min.insync.replicas');
    const unknownKey = await samsa([...bootstrap, 'topics', 'alter', topic, '--config', 'retention.minutes=5']);
    expect(unknownKey.code).toBe(1);
    expect(unknownKey.stderr).toContain('unknown topic config');
    const noConfig = await samsa([...bootstrap, 'topics', 'alter', topic]);
    expect(noConfig.code).toBe(2);
  });

  it('shows the cluster: brokers and the controller', async () => {
    const res = await samsa([...bootstrap, 'cluster']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/controller: \d+ at 127\.0\.0\.1:\d+/);
    expect(res.stdout).toContain('brokers: 3');
    for (const b of cluster.brokers) expect(res.stdout).toContain(b.address);
  });
});

describe('samsa produce and consume', () => {
  const RECORDS = 100_000;
  const KEYS = 1_000;

  it(`round-trips ${RECORDS.toLocaleString('en-US')} keyed records: all arrive, in offset order, each key on murmur2(key) % 6`, async () => {
    const topic = uniqueName('cli-100k');
    expect((await samsa([...bootstrap, 'topics', 'create', topic, '--partitions', '6', '--replication-factor', '3'])).code).toBe(0);

    const file = join(tempDir('cli-produce'), 'records.txt');
    const lines: string[] = [];
    for (let i = 0; i < RECORDS; i++) lines.push(`key-${i % KEYS}:value-${i}`);
    writeFileSync(file, lines.join('\n') + '\n');

    const produced = await samsa([...bootstrap, 'produce', topic, '--file', file, '--key-separator', ':'], { timeoutMs: 110_000 });
    expect(produced.code, produced.stderr).toBe(0);
    expect(produced.stderr).toContain(`produced 100,000 records to ${topic} (6 partitions, acks=all)`);
    console.log(`[cli] ${produced.stderr.trim()} (process ${(produced.ms / 1000).toFixed(2)} s)`);

    const consumed = await samsa([...bootstrap, 'consume', topic, '--partition', 'all', '--from', 'earliest', '--format', 'json'], {
      timeoutMs: 110_000,
    });
    expect(consumed.code, consumed.stderr).toBe(0);
    console.log(`[cli] ${consumed.stderr.trim()} (process ${(consumed.ms / 1000).toFixed(2)} s)`);
    const records = consumed.stdout
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as { partition: number; offset: number; key: string; value: string });
    expect(records).toHaveLength(RECORDS);

    const seen = new Set<string>();
    const nextOffset = new Map<number, number>();
    const lastIndex = new Map<number, number>();
    for (const r of records) {
      seen.add(r.value);
      // Offsets of each partition arrive in order, without gaps, from 0.
      expect(r.offset).toBe(nextOffset.get(r.partition) ?? 0);
      nextOffset.set(r.partition, r.offset + 1);
      // Each key on the partition Kafka's default partitioner picks.
      expect(r.partition).toBe(partitionForKey(Buffer.from(r.key), 6));
      // Within a partition, records are in the order they were produced.
      const index = Number(r.value.slice('value-'.length));
      expect(index).toBeGreaterThan(lastIndex.get(r.partition) ?? -1);
      lastIndex.set(r.partition, index);
    }
    expect(seen.size).toBe(RECORDS);
    expect([...nextOffset.values()].reduce((a, b) => a + b, 0)).toBe(RECORDS);

    // One partition, from an offset, bounded.
    const some = await samsa([...bootstrap, 'consume', topic, '--partition', '2', '--from', '10', '--max-messages', '5', '--print-key']);
    expect(some.code, some.stderr).toBe(0);
    const rows = some.stdout.trim().split('\n');
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      const [key] = row.split('\t');
      expect(partitionForKey(Buffer.from(key as string), 6)).toBe(2);
    }
  }, 240_000);

  it('tails a topic with --follow until interrupted (exit 130, the count still printed)', async () => {
    const topic = uniqueName('cli-follow');
    expect((await samsa([...bootstrap, 'topics', 'create', topic, '--partitions', '2'])).code).toBe(0);
    let helperError: unknown;
    const tail = samsa([...bootstrap, 'consume', topic, '--follow', '--from', 'latest'], {
      onSpawn: (child, output) => {
        void (async () => {
          try {
            // Give the streams a moment to open, then write three records and wait until they show.
            await new Promise((r) => setTimeout(r, 1500));
            const produced = await samsa([...bootstrap, 'produce', topic], { input: 'one\ntwo\nthree\n' });
            if (produced.code !== 0) throw new Error(`produce failed: ${produced.stderr}`);
            const deadline = Date.now() + 20_000;
            while (output.stdout().split('\n').filter(Boolean).length < 3 && Date.now() < deadline)
              await new Promise((r) => setTimeout(r, 100));
          } catch (err) {
            helperError = err;
          } finally {
            child.kill('SIGINT');
          }
        })();
      },
    });
    const res = await tail;
    expect(helperError).toBeUndefined();
    expect(res.code, res.stderr).toBe(130);
    expect(res.stdout.split('\n').filter(Boolean).sort()).toEqual(['one', 'three', 'two']);
    expect(res.stderr).toContain('consumed 3 records');
  });

  it('JSON lines with headers and timestamps go in as produce --format json and come out of consume --format json unchanged', async () => {
    const topic = uniqueName('cli-json');
    expect((await samsa([...bootstrap, 'topics', 'create', topic, '--partitions', '1'])).code).toBe(0);
    const lines = [
      { key: 'k1', value: 'v1', headers: { trace: 'a' }, timestamp: 1_700_000_000_000 },
      { key: null, value: 'v2', headers: {}, timestamp: 1_700_000_000_001 },
      { key: 'k3', value: null, headers: { origin: 'line' }, timestamp: 1_700_000_000_002 },
    ];
    const produced = await samsa([...bootstrap, 'produce', topic, '--format', 'json', '--header', 'origin=cli'], {
      input: lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
    });
    expect(produced.code, produced.stderr).toBe(0);
    const consumed = await samsa([...bootstrap, 'consume', topic, '--from', 'earliest', '--format', 'json']);
    expect(consumed.code, consumed.stderr).toBe(0);
    const out = consumed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out.map((o) => ({ key: o.key, value: o.value, headers: o.headers, timestamp: o.timestamp }))).toEqual([
      { ...lines[0], headers: { origin: 'cli', trace: 'a' } },
      { ...lines[1], headers: { origin: 'cli' } },
      lines[2],
    ]);
    expect(out.map((o) => o.offset)).toEqual([0, 1, 2]);

    // A bad line stops the command with its number; the lines before it are written.
    const bad = await samsa([...bootstrap, 'produce', topic, '--format', 'json'], { input: '{"value":"ok"}\n{"value":\n' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('line 2: not JSON');
    const after = await samsa([...bootstrap, 'consume', topic, '--from', '3']);
    expect(after.stdout.trim().split('\n')).toEqual(['ok']);
  });

  it('stops at once on an empty topic without --follow', async () => {
    const topic = uniqueName('cli-empty');
    expect((await samsa([...bootstrap, 'topics', 'create', topic, '--partitions', '3'])).code).toBe(0);
    const res = await samsa([...bootstrap, 'consume', topic]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('consumed 0 records');
  });
});

describe('samsa errors', () => {
  it('an unknown topic is an error (exit 1) with a plain message', async () => {
    const name = uniqueName('cli-missing');
    const consume = await samsa([...bootstrap, 'consume', name]);
    expect(consume.code).toBe(1);
    expect(consume.stderr).toContain(`topic "${name}" does not exist`);
    const produce = await samsa([...bootstrap, 'produce', name], { input: 'x\n' });
    expect(produce.code).toBe(1);
    expect(produce.stderr).toContain('does not exist');
    const del = await samsa([...bootstrap, 'topics', 'delete', name]);
    expect(del.code).toBe(1);
    expect(del.stderr).toContain('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('an invalid topic name is refused by the controller (exit 1)', async () => {
    const res = await samsa([...bootstrap, 'topics', 'create', 'bad/name!', '--partitions', '1']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('INVALID_TOPIC_NAME');
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('an unreachable cluster is said plainly (exit 1, no stack trace)', async () => {
    const port = await freePort();
    const res = await samsa(['--bootstrap', `127.0.0.1:${port}`, 'topics', 'list']);
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe(`samsa: cannot reach 127.0.0.1:${port}: is the cluster running? start it with \`npm start\``);
  });

  it('bad usage exits 2 and points at the help', async () => {
    const cases: string[][] = [
      [],
      ['frobnicate'],
      ['topics'],
      ['topics', 'create'],
      ['topics', 'create', 'x', '--partitions', 'many'],
      ['consume', 't', '--bogus'],
      ['consume', 't', '--format', 'xml'],
      ['consume', 't', '--from', 'yesterday'],
      ['produce', 't', '--acks', '2'],
      ['produce'],
    ];
    for (const args of cases) {
      const res = await samsa([...bootstrap, ...args]);
      expect(res.code, `samsa ${args.join(' ')}: ${res.stderr}`).toBe(2);
      expect(res.stderr).toMatch(/^samsa: /);
    }
  });

  it('--help works everywhere and exits 0', async () => {
    for (const args of [
      ['--help'],
      ['topics', '--help'],
      ['topics', 'create', '--help'],
      ['produce', '--help'],
      ['consume', '-h'],
      ['cluster', '--help'],
    ]) {
      const res = await samsa(args);
      expect(res.code, args.join(' ')).toBe(0);
      expect(res.stdout).toMatch(/Usage: samsa/);
    }
  });
});
