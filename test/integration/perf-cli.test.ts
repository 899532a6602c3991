/**
 * `samsa perf produce|consume|e2e` run as a subprocess against a real cluster (etcd, a controller,
 * three brokers), with small counts: the summary's format, the progress lines and the exit codes.
 * Nothing here asserts on speed: the figures are only checked to be numbers.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../harness/cli.js';
import { startCluster, uniqueName } from '../harness/cluster.js';

const cluster = await startCluster({ name: 'perf-cli', brokers: 3 });
const bootstrap = ['--bootstrap', cluster.bootstrap];

const NUM = String.raw`[\d,]+`;
const DEC = String.raw`\d+\.\d+`;
const LATENCY = (what: string): RegExp =>
  new RegExp(String.raw`^latency \(${what}\) ms: p50 ${DEC} p95 ${DEC} p99 ${DEC} p99\.9 ${DEC} max ${DEC} mean ${DEC}$`, 'm');
const summary = (label: string, records: string): RegExp =>
  new RegExp(String.raw`^${label}: ${records} records in ${DEC} s: ${NUM} records/s, ${DEC} MB/s \(.+\)$`, 'm');

describe('samsa perf', () => {
  const topic = uniqueName('perf');

  it('produce creates the topic, reports progress every second, and prints the summary', async () => {
    // Paced at 2,000 records/s for about 1.5 s, so at least one progress line comes out.
    const run = await runCli([
      ...bootstrap,
      'perf',
      'produce',
      topic,
      '--partitions',
      '2',
      '--num-records',
      '3000',
      '--batch-size',
      '200',
      '--throughput',
      '2000',
      '--acks',
      '1',
    ]);
    expect(run.stderr).toMatch(
      new RegExp(
        String.raw`^produce ${DEC} s: ${NUM} records, ${NUM} records/s, ${DEC} MB/s(, p50 ${DEC} ms, p99 ${DEC} ms)? \(last 1 s\)$`,
        'm',
      ),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(summary('produce', '3,000'));
    expect(run.stdout).toMatch(/\(100-byte letters records, compression=none, acks=1, 200 per send, 8 in flight\)/);
    expect(run.stdout).toMatch(LATENCY('send'));
  });

  it('consume reads what is there and stops at the end', async () => {
    const run = await runCli([...bootstrap, 'perf', 'consume', topic]);
    expect(run.stderr).not.toMatch(/samsa:/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(summary('consume', '3,000'));
    expect(run.stdout).toMatch(LATENCY('chunk wait'));
  });

  it('consume stops after --num-records', async () => {
    const run = await runCli([...bootstrap, 'perf', 'consume', topic, '--num-records', '1000']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(summary('consume', '1,000'));
  });

  it('e2e times every record from send to receipt with three replicas and acks=all', async () => {
    const e2e = uniqueName('perf-e2e');
    const run = await runCli([
      ...bootstrap,
      'perf',
      'e2e',
      e2e,
      '--partitions',
      '1',
      '--replication-factor',
      '3',
      '--throughput',
      '1000',
      '--num-records',
      '500',
      '--record-size',
      '64',
    ]);
    expect(run.stderr).not.toMatch(/samsa:/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(summary('e2e', '500'));
    expect(run.stdout).toMatch(/\(64-byte records at 1,000\/s, acks=all\)/);
    expect(run.stdout).toMatch(LATENCY('produce to receipt'));
  });

  it('produce pipelines several requests per partition with the idempotent producer', async () => {
    const pipelined = uniqueName('perf-pipelined');
    const run = await runCli([
      ...bootstrap,
      'perf',
      'produce',
      pipelined,
      '--partitions',
      '1',
      '--replication-factor',
      '3',
      '--num-records',
      '2000',
      '--batch-size',
      '50',
      '--requests-per-partition',
      '5',
    ]);
    expect(run.stderr).not.toMatch(/samsa:/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(summary('produce', '2,000'));
    expect(run.stdout).toMatch(
      /\(100-byte letters records, compression=none, acks=all, 50 per send, 8 in flight, 5 requests per partition\)/,
    );
    const read = await runCli([...bootstrap, 'perf', 'consume', pipelined]);
    expect(read.stdout).toMatch(summary('consume', '2,000'));
  });

  it('exits 2 on bad usage and 1 when the cluster says no', async () => {
    const noWorkload = await runCli([...bootstrap, 'perf']);
    expect(noWorkload.code).toBe(2);
    expect(noWorkload.stderr).toMatch(/missing perf subcommand \(produce, consume, e2e, failover\)/);
    const badFlag = await runCli([...bootstrap, 'perf', 'produce', topic, '--record-size', 'big']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/option '--record-size <bytes>' argument 'big' is invalid. It must be an integer >= 1/);
    const followForever = await runCli([...bootstrap, 'perf', 'consume', topic, '--follow']);
    expect(followForever.code).toBe(2);
    const unordered = await runCli([...bootstrap, 'perf', 'produce', topic, '--acks', '1', '--requests-per-partition', '3']);
    expect(unordered.code).toBe(2);
    expect(unordered.stderr).toMatch(/--requests-per-partition 3 needs --acks all/);
    const tooMany = await runCli([...bootstrap, 'perf', 'e2e', topic, '--requests-per-partition', '6']);
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(/at most 5/);
    const help = await runCli(['perf', 'e2e', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: samsa perf e2e \[options\] <topic>/);
    const missing = await runCli([...bootstrap, 'perf', 'consume', uniqueName('absent')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/does not exist \[UNKNOWN_TOPIC_OR_PARTITION\]/);
  });
});
