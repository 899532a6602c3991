/**
 * Bind address and advertised address (docs/adr/0032-advertised-listeners.md), through real
 * processes: a broker that binds every interface and advertises another name is listed under that
 * name in every broker's metadata (what a client then dials), and one that binds every interface
 * without --advertise refuses to start, naming the fix.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, waitUntil, ServiceProcess } from '../../tools/launcher/index.js';
import { brokerClient, callUnary, type v1 } from '../../libs/rpc/index.js';
import { startCluster } from '../harness/cluster.js';

const cluster = await startCluster({ name: 'listeners', brokers: 1 });

function extraBroker(id: number, port: number, env: Record<string, string>): ServiceProcess {
  return new ServiceProcess({
    kind: 'broker',
    id,
    host: '127.0.0.1',
    port,
    etcdEndpoint: cluster.etcd.endpoint,
    clusterId: cluster.clusterId,
    dataDir: join(cluster.dir, `broker-${id}`),
    logFile: join(cluster.dir, 'logs', `broker-${id}.log`),
    env,
  });
}

async function brokersListed(): Promise<v1.BrokerInfo__Output[]> {
  const client = brokerClient(cluster.bootstrap);
  try {
    const md = await callUnary<v1.GetMetadataResponse__Output>(cluster.bootstrap, { timeoutMs: 5000 }, (options, cb) =>
      client.getMetadata({ topics: [] }, options, cb),
    );
    return md.brokers;
  } finally {
    client.close();
  }
}

describe('advertised listeners', () => {
  it('a broker bound to 0.0.0.0 with --advertise is listed in metadata under the advertised address', async () => {
    const port = await freePort('127.0.0.1');
    const broker = extraBroker(7, port, { SAMSA_HOST: '0.0.0.0', SAMSA_ADVERTISE: `localhost:${port}` });
    try {
      await broker.start();
      await waitUntil(async () => (await brokersListed()).some((b) => b.id === 7), 30_000, 'broker 7 in the metadata');
      const listed = (await brokersListed()).find((b) => b.id === 7);
      expect(listed).toMatchObject({ host: 'localhost', port });
    } finally {
      await broker.stop();
    }
  });

  it('a broker bound to 0.0.0.0 without --advertise refuses to start and says what to set', async () => {
    const broker = extraBroker(8, await freePort('127.0.0.1'), { SAMSA_HOST: '0.0.0.0' });
    try {
      await expect(broker.start(30_000)).rejects.toThrow(/exited during start/);
      expect(readFileSync(broker.spec.logFile, 'utf8')).toMatch(/set --advertise HOST:PORT \(SAMSA_ADVERTISE\)/);
    } finally {
      await broker.stop();
    }
  });
});
