/**
 * The Python example (examples/python) against a real cluster: generated stubs alone can create a
 * topic, produce, stream records back and read an error's reason trailer; and read a compressed
 * topic (the structured format: the broker decompresses) and a compacted one (offsets with gaps)
 * exactly as the SDK reads them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Samsa } from '../../libs/client/index.js';
import type { CompressionCodec } from '../../libs/record/index.js';
import { startCluster, tempDir, uniqueName } from '../harness/cluster.js';
import { waitUntil } from '../../tools/launcher/index.js';
import { expectExampleClientOutput, tokenOnlyClientEnv } from '../harness/generated-clients.js';

const PYTHON = '/usr/bin/python3';
const root = join(import.meta.dirname, '..', '..');

function pythonGrpcMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import grpc, google.protobuf'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'python3-grpcio / python3-protobuf are not installed (bash scripts/install.sh installs them)';
  if (!existsSync('/usr/bin/grpc_python_plugin') && spawnSync('which', ['grpc_python_plugin']).status !== 0)
    return 'protobuf-compiler-grpc is not installed';
  return undefined;
}

const missing = pythonGrpcMissing();
// In CI the example must run: a missing package there is a failure, not a skip.
const skip = missing !== undefined && !process.env.CI;
if (skip) console.warn(`skipping the Python client test: ${missing}`);

// Started at the top level so startCluster's afterAll belongs to this file and always stops it.
const cluster = skip
  ? undefined
  : await startCluster({
      name: 'python-client',
      brokers: 3,
      // The cleaner looks often and at full speed, so a compacted topic is cleaned within the test.
      env: { SAMSA_LOG_CLEANER_BACKOFF_MS: '300', SAMSA_LOG_CLEANER_IO_MAX_BYTES_PER_SECOND: '0' },
    });
const samsa = cluster ? new Samsa({ bootstrap: cluster.brokers.map((b) => b.address) }) : undefined;
afterAll(() => samsa?.close());

interface Line {
  offset: number;
  key: string | null;
  value: string;
}

/** examples/python/read_partition.py's JSON lines for one partition. */
function pythonRead(gen: string, topic: string, partition: number): Line[] {
  const run = spawnSync(
    PYTHON,
    [
      join(root, 'examples/python/read_partition.py'),
      '--bootstrap',
      cluster?.bootstrap ?? '',
      '--topic',
      topic,
      '--partition',
      String(partition),
      '--gen-dir',
      gen,
    ],
    { encoding: 'utf8', timeout: 90_000 },
  );
  expect(run.status, run.stderr).toBe(0);
  return run.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);
}

/** The same partition through the SDK (which decodes batches and decompresses itself). */
async function sdkRead(topic: string, partition: number): Promise<Line[]> {
  const out: Line[] = [];
  for await (const m of (samsa as Samsa).consumer().partition({ topic, partition, follow: false }))
    out.push({ offset: m.offset, key: m.key === null ? null : m.key.toString(), value: m.value?.toString() ?? '' });
  return out;
}

describe.skipIf(skip)('a plain generated Python client', () => {
  it('creates a topic through the controller, produces, streams records back and reads error reasons', () => {
    expect(missing, 'the Python client test needs its packages in CI').toBeUndefined();
    if (!cluster) throw new Error('no cluster');
    const gen = tempDir('python-gen');
    execFileSync('bash', [join(root, 'examples/python/gen.sh'), gen], { encoding: 'utf8' });
    const topic = uniqueName('py');
    const run = spawnSync(
      PYTHON,
      [
        join(root, 'examples/python/client.py'),
        '--bootstrap',
        cluster.bootstrap,
        '--topic',
        topic,
        '--partitions',
        '3',
        '--replication-factor',
        '3',
        '--count',
        '12',
        '--gen-dir',
        gen,
      ],
      { encoding: 'utf8', timeout: 90_000 },
    );
    const output = run.stdout + run.stderr;
    expect(run.status, output).toBe(0);
    expectExampleClientOutput(output, { topic, partitions: 3, count: 12, header: /headers=\{'source': 'python'\}/g });
    expect(output).toContain('error as expected: status=NOT_FOUND reason=UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('with only the CA and a bearer token (access_token_call_credentials), against the default listener', async () => {
    if (!cluster?.tokenKeys || !cluster.clientTls) return; // plaintext run: no tokens
    // A principal of its own with the ACLs the example needs, and a token for it.
    const env = await tokenOnlyClientEnv(cluster, uniqueName('py-token'));
    const bootstrap = ['--bootstrap', cluster.bootstrap];
    const gen = tempDir('python-gen-token');
    execFileSync('bash', [join(root, 'examples/python/gen.sh'), gen], { encoding: 'utf8' });
    const topic = uniqueName('py-token');
    const args = [
      join(root, 'examples/python/client.py'),
      ...bootstrap,
      '--topic',
      topic,
      '--partitions',
      '3',
      '--count',
      '12',
      '--gen-dir',
      gen,
    ];
    const run = spawnSync(PYTHON, args, { encoding: 'utf8', timeout: 90_000, env });
    const output = run.stdout + run.stderr;
    expect(run.status, output).toBe(0);
    expectExampleClientOutput(output, { topic, partitions: 3, count: 12, header: /headers=\{'source': 'python'\}/g });
    // A token the cluster does not trust: UNAUTHENTICATED, not the certificate's (there is none) nor ANONYMOUS.
    const bad = spawnSync(PYTHON, args, { encoding: 'utf8', timeout: 90_000, env: { ...env, SAMSA_TOKEN: 'not.a.token' } });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/UNAUTHENTICATED/);
  });

  it('reads a compressed topic (structured format: the broker decompresses) and a compacted topic (gaps) as the SDK does', async () => {
    if (!cluster || !samsa) throw new Error('no cluster');
    const gen = tempDir('python-gen-log');
    execFileSync('bash', [join(root, 'examples/python/gen.sh'), gen], { encoding: 'utf8' });

    // One partition per codec, each written by a producer that compresses with it.
    const codecs: CompressionCodec[] = ['gzip', 'snappy', 'lz4', 'zstd'];
    const compressed = uniqueName('py-codecs');
    await samsa.admin().createTopic({ name: compressed, partitions: codecs.length, replicationFactor: 3 });
    for (const [partition, codec] of codecs.entries()) {
      const producer = samsa.producer({ compression: codec });
      for (let batch = 0; batch < 3; batch++)
        await producer.send({
          topic: compressed,
          messages: Array.from({ length: 40 }, (_, i) => ({
            partition,
            key: i % 5 === 0 ? null : `k${i}`,
            value: i % 7 === 0 ? '' : JSON.stringify({ codec, batch, i, text: 'the same words again and again '.repeat(4) }),
          })),
        });
      await producer.close();
    }
    for (let partition = 0; partition < codecs.length; partition++) {
      const expected = await sdkRead(compressed, partition);
      expect(expected).toHaveLength(120);
      expect(pythonRead(gen, compressed, partition)).toEqual(expected);
    }

    // A compacted topic: 60 keys written 40 times over about 3 MiB (1 MiB segments), and 10 keys written once, then cleaned.
    const compacted = uniqueName('py-compacted');
    await samsa.admin().createTopic({
      name: compacted,
      partitions: 1,
      replicationFactor: 3,
      config: { 'cleanup.policy': 'compact', 'segment.bytes': String(1024 * 1024), 'min.cleanable.dirty.ratio': '0.01' },
    });
    const producer = samsa.producer();
    const pad = 'v'.repeat(1200);
    for (let round = 0; round < 40; round++)
      await producer.send({
        topic: compacted,
        messages: [
          ...Array.from({ length: 60 }, (_, k) => ({ partition: 0, key: `key-${k}`, value: `${round}-${k}-${pad}` })),
          // Keys written once, at offsets 60-69: they survive cleaning, with a gap after them.
          ...(round === 0 ? Array.from({ length: 10 }, (_, i) => ({ partition: 0, key: `once-${i}`, value: `once-${i}` })) : []),
        ],
      });
    await producer.close();
    let read: Line[] = [];
    await waitUntil(
      async () => {
        read = await sdkRead(compacted, 0);
        return read.length < 2410;
      },
      120_000,
      'the cleaner removed overwritten records',
    );
    const gaps = read.filter((l, i) => i > 0 && l.offset !== (read[i - 1] as Line).offset + 1).length;
    expect(gaps).toBeGreaterThan(0);
    // The cleaner may go on between the two reads: read until both agree on a settled log.
    let python = pythonRead(gen, compacted, 0);
    for (let i = 0; i < 10 && JSON.stringify(python) !== JSON.stringify(read); i++) {
      read = await sdkRead(compacted, 0);
      python = pythonRead(gen, compacted, 0);
    }
    expect(python).toEqual(read);
    // The latest value of every key is there, at the offset it was written at.
    for (let i = 0; i < 10; i++) expect(python.find((l) => l.key === `once-${i}`)?.offset).toBe(60 + i);
    for (let k = 0; k < 60; k++)
      expect(python.find((l) => l.key === `key-${k}` && l.value.startsWith('39-'))?.offset).toBe(70 + 38 * 60 + k);
  });
});
