/**
 * The Python example (examples/python) against a real cluster: generated stubs alone can create a
 * topic, produce, stream records back and read an error's reason trailer.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCluster, tempDir, uniqueName } from '../harness/cluster.js';
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
const cluster = skip ? undefined : await startCluster({ name: 'python-client', brokers: 3 });

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
});
