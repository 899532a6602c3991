/**
 * The built `samsa` CLI against a real cluster (etcd, a controller, two brokers, a coordinator):
 * -o json output of every command validated against its documented schema, -o yaml, binary-safe
 * produce and consume (all 256 byte values), kcat-style format strings, relative and time start
 * positions, and the wrong service named plainly.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { allCommands } from '../../cli/program.js';
import { outputSchemaOf, validate } from '../../cli/schema.js';
import { ensureTokenSigningKey } from '../../libs/security/index.js';
import { commandPath } from '../../cli/usage.js';
import { runCli, type CliRun } from '../harness/cli.js';
import { startCluster, uniqueName } from '../harness/cluster.js';
import { parse } from '../unit/cli/program.js';

const cluster = await startCluster({ name: 'cli-output', brokers: 2, coordinators: 1 });
const bootstrap = ['--bootstrap', cluster.bootstrap];
const samsa = (args: string[], options?: Parameters<typeof runCli>[1]): Promise<CliRun> => runCli([...bootstrap, ...args], options);

const { program } = await parse([]);
const byPath = new Map(allCommands(program).map((c) => [commandPath(c), c]));
const checked = new Set<string>();

/** Runs a command with -o json and checks its stdout against the command's declared schema. */
async function json(path: string, args: string[], options?: Parameters<typeof runCli>[1]): Promise<unknown> {
  const res = await samsa([...path.split(' '), ...args, '-o', 'json'], options);
  expect(res.code, `${path}: ${res.stderr}`).toBe(0);
  const declared = outputSchemaOf(byPath.get(path) as NonNullable<ReturnType<typeof byPath.get>>);
  expect(declared, path).toBeDefined();
  const docs =
    declared?.kind === 'lines'
      ? res.stdout
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as unknown)
      : [JSON.parse(res.stdout) as unknown];
  for (const doc of docs) expect(validate(declared!.schema, doc), `${path}: ${JSON.stringify(doc)}`).toEqual([]);
  checked.add(path);
  return declared?.kind === 'lines' ? docs : docs[0];
}

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe('-o json and -o yaml', () => {
  it('every command prints JSON that fits its documented schema, and YAML with the same data', async () => {
    const topic = uniqueName('cli-json');
    const created = (await json('topics create', [topic, '--partitions', '2', '--config', 'retention.ms=3600000'])) as {
      name: string;
      partitions: unknown[];
      config: Record<string, string>;
    };
    expect(created).toMatchObject({ name: topic, replicationFactor: 1, config: { 'retention.ms': '3600000' } });
    expect(created.partitions).toHaveLength(2);
    expect(((await json('topics list', [])) as { topics: string[] }).topics).toContain(topic);
    const described = (await json('topics describe', [topic])) as {
      topics: { partitions: { leader: number | null; offline: boolean }[] }[];
    };
    expect(described.topics[0]?.partitions.every((p) => p.leader !== null && !p.offline)).toBe(true);
    expect(await json('topics alter', [topic, '--config', 'retention.ms=7200000'])).toMatchObject({
      config: { 'retention.ms': '7200000' },
    });
    expect(((await json('topics add-partitions', [topic, '--partitions', '3'])) as { partitions: unknown[] }).partitions).toHaveLength(3);
    expect(await json('partitions elect-leaders', ['--topic', topic])).toMatchObject({
      results: [{ outcome: 'not-needed' }, { outcome: 'not-needed' }, { outcome: 'not-needed' }],
    });
    expect(await json('partitions reassign', ['--status'])).toEqual({ dryRun: false, plan: [], reassignments: [] });
    expect(await json('partitions rebalance', ['--dry-run'])).toMatchObject({ dryRun: true, reassignments: [] });
    // An unknown broker is refused plainly, also with -o json (the drain itself and its JSON plan:
    // partition-moves.test.ts, which drains a real broker).
    const unknownDrain = await samsa(['brokers', 'drain', '99', '--dry-run', '-o', 'json']);
    expect(unknownDrain.code, unknownDrain.stderr).toBe(1);
    expect(unknownDrain.stderr).toMatch(/unknown broker id\(s\) 99.*\[UNKNOWN_BROKER\]/);
    expect(await json('brokers undrain', ['2'])).toEqual({ broker: 2, draining: [], cancelled: [], notCancelled: [] });
    const c = (await json('cluster', [])) as { brokers: { address: string }[]; controller: unknown };
    expect(c.brokers.map((b) => b.address).sort()).toEqual(cluster.brokers.map((b) => b.address).sort());

    const produced = (await json('produce', [topic, '--key-separator', ':'], { input: 'a:1\nb:2\nc:3\n' })) as {
      records: number;
      acks: string;
    };
    expect(produced).toMatchObject({ topic, records: 3, acks: 'all' });
    const records = (await json('consume', [topic])) as { key: string; value: string; keyEncoding: string }[];
    expect(records.map((r) => `${r.key}=${r.value}/${r.keyEncoding}`).sort()).toEqual(['a=1/utf8', 'b=2/utf8', 'c=3/utf8']);

    const group = uniqueName('cli-json-g');
    const member = await samsa(['consume', topic, '--group', group, '--max-messages', '3']);
    expect(member.code, member.stderr).toBe(0);
    expect(((await json('groups list', [])) as { groups: { groupId: string }[] }).groups.map((g) => g.groupId)).toContain(group);
    const d = (await json('groups describe', [group])) as { offsets: { committed: number | null; lag: number | null }[] };
    expect(d.offsets.reduce((sum, o) => sum + (o.committed ?? 0), 0)).toBe(3);
    const lag = (await json('groups lag', [group])) as { groups: { groupId: string; totalLag: number }[] };
    expect(lag.groups).toEqual([expect.objectContaining({ groupId: group, totalLag: 0 })]);
    const reset = (await json('groups reset-offsets', [group, '--topic', topic, '--to', 'earliest', '--dry-run'])) as {
      dryRun: boolean;
      offsets: { committed: number }[];
    };
    expect(reset.dryRun).toBe(true);
    expect(reset.offsets.every((o) => o.committed === 0)).toBe(true);
    expect(await json('groups delete', [group])).toEqual({ deleted: group });

    // YAML is the same data.
    const yaml = await samsa(['topics', 'describe', topic, '-o', 'yaml']);
    const asJson = await samsa(['topics', 'describe', topic, '-o', 'json']);
    expect(parseYaml(yaml.stdout)).toEqual(JSON.parse(asJson.stdout));
    expect(await json('topics delete', [topic])).toEqual({ deleted: topic });

    // Security administration (docs/security.md; behaviour in authorization.test.ts).
    const aclTopic = uniqueName('cli-json-acl');
    const acl = ['--allow', '--principal', 'User:json', '--operation', 'READ', '--topic', aclTopic];
    expect(await json('acls add', acl)).toMatchObject({ added: [{ principal: 'User:json', operation: 'READ' }] });
    expect(await json('acls list', ['--principal', 'User:json'])).toMatchObject({ acls: [{ resourceName: aclTopic }] });
    expect(await json('acls remove', ['--principal', 'User:json'])).toMatchObject({ removed: [{ resourceName: aclTopic }] });
    expect(await json('quotas set', ['--user', 'User:json', '--fetch-bytes', '1000'])).toMatchObject({ quota: { user: 'User:json' } });
    expect(await json('quotas list', [])).toMatchObject({ quotas: [{ user: 'User:json', clientId: null }] });
    expect(await json('quotas remove', ['--user', 'User:json'])).toEqual({ removed: { user: 'User:json', clientId: null } });
    const signingKey = ensureTokenSigningKey(mkdtempSync(join(tmpdir(), 'samsa-cli-json-key-'))).privateKey;
    expect(await json('tokens issue', ['--subject', 'json', '--key', signingKey])).toMatchObject({ principal: 'User:json' });

    // Every command that declares a shape is checked here, but perf failover (it starts a cluster of its own) and brokers drain (below).
    const perfTopic = uniqueName('cli-json-perf');
    expect(await json('perf produce', [perfTopic, '--partitions', '1', '--num-records', '200', '--batch-size', '50'])).toMatchObject({
      workload: 'produce',
      records: 200,
    });
    expect(await json('perf consume', [perfTopic])).toMatchObject({ workload: 'consume', records: 200 });
    expect(await json('perf e2e', [perfTopic, '--num-records', '50', '--throughput', '500'])).toMatchObject({
      workload: 'e2e',
      records: 50,
    });
    const declared = allCommands(program)
      .filter((cmd) => outputSchemaOf(cmd))
      .map(commandPath);
    // Not here: brokers drain (this 2-broker cluster cannot plan one: __consumer_offsets has RF 2; its
    // JSON plan is read in partition-moves.test.ts, which drains a broker of 4).
    expect(declared.filter((p) => !checked.has(p))).toEqual(['brokers drain', 'perf failover']);
  }, 300_000);
});

describe('binary-safe produce and consume', () => {
  it('all 256 byte values round-trip: base64 and hex in, JSON (base64-flagged), hex and raw out, and a JSON copy', async () => {
    const topic = uniqueName('cli-bin');
    expect((await samsa(['topics', 'create', topic, '--partitions', '1'])).code).toBe(0);
    // One record holding all 256 byte values, keyed by the same bytes reversed (hex), then 256
    // one-byte records as JSON lines, then the 255 values other than \n as a raw line.
    const reversed = Buffer.from(ALL_BYTES).reverse();
    const one = await samsa(['produce', topic, '--key-separator', ' ', '--key-format', 'hex', '--value-format', 'base64'], {
      input: `${reversed.toString('hex')} ${ALL_BYTES.toString('base64')}\n`,
    });
    expect(one.code, one.stderr).toBe(0);
    const lines = [...ALL_BYTES].map((b) =>
      JSON.stringify({
        key: null,
        value: Buffer.from([b]).toString('base64'),
        valueEncoding: 'base64',
        headers: { b: Buffer.from([b]).toString('hex') },
        headerEncodings: { b: 'hex' },
      }),
    );
    const each = await samsa(['produce', topic, '--format', 'json'], { input: lines.join('\n') + '\n' });
    expect(each.code, each.stderr).toBe(0);
    expect(each.stderr).toContain('produced 256 records');
    const noNewline = Buffer.from([...ALL_BYTES].filter((b) => b !== 0x0a && b !== 0x0d));
    const raw = await samsa(['produce', topic], { input: Buffer.concat([noNewline, Buffer.from('\n')]) });
    expect(raw.code, raw.stderr).toBe(0);

    const records = (await json('consume', [topic])) as {
      offset: number;
      key: string | null;
      keyEncoding: string;
      value: string;
      valueEncoding: string;
      headers: Record<string, string>;
      headerEncodings: Record<string, string>;
    }[];
    expect(records).toHaveLength(258);
    const bytesOf = (text: string, encoding: string): Buffer =>
      Buffer.from(text, encoding === 'utf8' ? 'utf8' : (encoding as BufferEncoding));
    const [first] = records;
    expect(first).toMatchObject({ keyEncoding: 'base64', valueEncoding: 'base64' });
    expect(bytesOf(first!.key!, first!.keyEncoding)).toEqual(reversed);
    expect(bytesOf(first!.value, first!.valueEncoding)).toEqual(ALL_BYTES);
    for (let b = 0; b < 256; b++) {
      const r = records[1 + b]!;
      expect(r.key).toBeNull();
      expect(bytesOf(r.value, r.valueEncoding), `byte ${b}`).toEqual(Buffer.from([b]));
      // Valid UTF-8 (bytes below 0x80) is given as text, the rest as base64, and the record says which.
      expect(r.valueEncoding).toBe(b < 0x80 ? 'utf8' : 'base64');
      expect(bytesOf(r.headers.b!, r.headerEncodings.b ?? 'utf8')).toEqual(Buffer.from([b]));
    }
    expect(bytesOf(records[257]!.value, records[257]!.valueEncoding)).toEqual(noNewline);

    // hex output; raw output through a format string is the bytes themselves.
    const hex = await samsa(['consume', topic, '--value-format', 'hex', '--max-messages', '1']);
    expect(hex.stdout).toBe(ALL_BYTES.toString('hex') + '\n');
    const rawOut = await samsa(['consume', topic, '--format', '%S:%s|', '--offset', '0', '--max-messages', '1']);
    expect(rawOut.stdoutBytes).toEqual(Buffer.concat([Buffer.from('256:'), ALL_BYTES, Buffer.from('|')]));

    // consume -o json | produce --format json copies every byte.
    const copy = uniqueName('cli-bin-copy');
    expect((await samsa(['topics', 'create', copy, '--partitions', '1'])).code).toBe(0);
    const piped = await samsa(['produce', copy, '--format', 'json'], { input: records.map((r) => JSON.stringify(r)).join('\n') + '\n' });
    expect(piped.code, piped.stderr).toBe(0);
    const original = await samsa(['consume', topic, '--format', '%K %k %S %s %h\\n', '--key-format', 'hex', '--value-format', 'hex']);
    const copied = await samsa(['consume', copy, '--format', '%K %k %S %s %h\\n', '--key-format', 'hex', '--value-format', 'hex']);
    expect(copied.stdout.split('\n')).toHaveLength(259);
    expect(copied.stdout).toBe(original.stdout);
  }, 240_000);
});

describe('format strings and start positions', () => {
  it('kcat-style --format, --offset -N (the last N of each partition), --offset N, --from-time', async () => {
    const topic = uniqueName('cli-fmt');
    expect((await samsa(['topics', 'create', topic, '--partitions', '2'])).code).toBe(0);
    const lines = Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({ key: `k${i % 2}`, value: `v${i}`, headers: { n: String(i) }, timestamp: 1_700_000_000_000 + i * 1000 }),
    );
    for (let p = 0; p < 2; p++) {
      const res = await samsa(['produce', topic, '--format', 'json', '--partition', String(p)], {
        input: lines.slice(p * 10, p * 10 + 10).join('\n') + '\n',
      });
      expect(res.code, res.stderr).toBe(0);
    }
    const last3 = await samsa(['consume', topic, '--offset', '-3', '--format', '%t %p %o %T %k=%s %K/%S [%h]%%\\n']);
    expect(last3.code, last3.stderr).toBe(0);
    expect(last3.stderr).toContain('consumed 6 records');
    expect(last3.stdout.split('\n').filter(Boolean).sort()).toEqual(
      [7, 8, 9, 17, 18, 19]
        .map(
          (i) => `${topic} ${i < 10 ? 0 : 1} ${i % 10} ${1_700_000_000_000 + i * 1000} k${i % 2}=v${i} 2/${String(i).length + 1} [n=${i}]%`,
        )
        .sort(),
    );
    // More than a partition holds: all of it.
    expect((await samsa(['consume', topic, '--offset', '-100'])).stderr).toContain('consumed 20 records');
    const fromOffset = await samsa(['consume', topic, '--partition', '1', '--offset', '8', '--format', '%s\\n']);
    expect(fromOffset.stdout).toBe('v18\nv19\n');
    const fromTime = await samsa([
      'consume',
      topic,
      '--from-time',
      new Date(1_700_000_000_000 + 15_000).toISOString(),
      '--format',
      '%s\\n',
    ]);
    expect(fromTime.stdout.split('\n').filter(Boolean).sort()).toEqual(['v15', 'v16', 'v17', 'v18', 'v19']);
    const fromMs = await samsa(['consume', topic, '--from-time', String(1_700_000_000_000 + 18_000), '--format', '%s\\n']);
    expect(fromMs.stdout).toBe('v18\nv19\n');
    // Text mode with the key; a 1-record summary says "1 record".
    const one = await samsa(['consume', topic, '--partition', '0', '--offset', '-1', '--print-key']);
    expect(one.stdout).toBe('k1\tv9\n');
    expect(one.stderr).toMatch(/consumed 1 record from/);

    for (const [args, message] of [
      [['--offset', '-0'], /N >= 1/],
      [['--offset', '1', '--from-time', '5'], /give one of --offset, --from and --from-time/],
      [['--format', '%x'], /unknown directive %x/],
      [['--format', '%s', '-o', 'json'], /--format prints text: drop -o json/],
      [['--from-time', 'yesterday'], /--from-time <time>' argument 'yesterday' is invalid/],
    ] as const) {
      const res = await samsa(['consume', topic, ...args]);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr).toMatch(message);
    }
  });
});

describe('the wrong service', () => {
  it('--bootstrap at a controller or a coordinator says so instead of UNIMPLEMENTED', async () => {
    const controller = cluster.controllers[0]!.address;
    const coordinator = cluster.coordinators[0]!.address;
    for (const [address, kind] of [
      [controller, 'a controller'],
      [coordinator, 'a group coordinator'],
    ] as const) {
      for (const args of [['topics', 'list'], ['consume', 'x'], ['cluster']]) {
        const res = await runCli(['--bootstrap', address, ...args]);
        expect(res.code, args.join(' ')).toBe(1);
        expect(res.stderr).toBe(
          `samsa: ${address} is ${kind}, not a broker: use a broker's address with --bootstrap (or SAMSA_BOOTSTRAP); \`npm start\` prints them, and \`samsa cluster\` lists them once connected\n`,
        );
      }
    }
  });
});
