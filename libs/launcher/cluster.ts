/**
 * A whole local cluster: one etcd, controllers, brokers and group coordinators as separate
 * processes, all data and logs under one directory. Used by `npm start` (local-cluster.ts) and by the integration tests.
 *
 *   <dir>/etcd/            etcd data          <dir>/logs/<name>.log   each process's output
 *   <dir>/broker-<id>/     a broker's log dirs
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EtcdProcess } from './etcd.js';
import { freePort } from './free-port.js';
import { ServiceProcess, type ServiceKind } from './service.js';
import { waitUntil } from './child.js';
import { brokerClient, callUnary, deadlineIn } from '../rpc/index.js';

export interface LocalClusterOptions {
  dir: string;
  brokers?: number;
  controllers?: number;
  /** Consumer-group coordinators (default 1; 0 for none). */
  coordinators?: number;
  clusterId?: string;
  host?: string;
  /** Fixed ports (npm start); when absent every port is a free one (tests). */
  ports?: { etcd?: number; etcdPeer?: number; controllers?: number[]; brokers?: number[]; coordinators?: number[] };
  /** Prometheus ports per service, same order as `ports`; free ones are picked when absent. */
  metricsPorts?: { controllers?: number[]; brokers?: number[]; coordinators?: number[] };
  /** Extra SAMSA_* settings for every service, e.g. shorter lease TTLs in tests. */
  env?: Record<string, string>;
  /** Extra node flags for the brokers, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] (benchmarks). */
  brokerNodeArgs?: string[];
  /**
   * Where a service runs when not beside etcd on `host`: its own address and the wrapper it is
   * started under (fault tests: a network namespace, test/fault/harness/netns.ts). Undefined: on `host`.
   */
  placement?: (kind: ServiceKind, id: number) => { host: string; wrapper: string[] } | undefined;
}

export class LocalCluster {
  private constructor(
    readonly dir: string,
    readonly clusterId: string,
    readonly etcd: EtcdProcess,
    readonly controllers: ServiceProcess[],
    readonly brokers: ServiceProcess[],
    readonly coordinators: ServiceProcess[],
  ) {}

  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    const host = options.host ?? '127.0.0.1';
    const clusterId = options.clusterId ?? 'local';
    mkdirSync(join(options.dir, 'logs'), { recursive: true });
    const etcd = await EtcdProcess.start({
      dataDir: join(options.dir, 'etcd'),
      logFile: join(options.dir, 'logs', 'etcd.log'),
      host,
      ...(options.ports?.etcd ? { clientPort: options.ports.etcd } : {}),
      ...(options.ports?.etcdPeer ? { peerPort: options.ports.etcdPeer } : {}),
    });
    const make = async (kind: ServiceKind, id: number, fixedPort: number | undefined, metricsPort: number | undefined): Promise<ServiceProcess> =>
      new ServiceProcess({
        kind,
        id,
        host,
        ...options.placement?.(kind, id),
        // Free on `host`; a placed service has its own address space, where it is free too.
        port: fixedPort ?? (await freePort(host)),
        metricsPort: metricsPort ?? (await freePort(host)),
        etcdEndpoint: etcd.endpoint,
        clusterId,
        dataDir: join(options.dir, `${kind}-${id}`),
        logFile: join(options.dir, 'logs', `${kind}-${id}.log`),
        ...(options.env ? { env: options.env } : {}),
        ...(kind === 'broker' && options.brokerNodeArgs ? { nodeArgs: options.brokerNodeArgs } : {}),
      });
    const controllers: ServiceProcess[] = [];
    const brokers: ServiceProcess[] = [];
    const coordinators: ServiceProcess[] = [];
    const cluster = new LocalCluster(options.dir, clusterId, etcd, controllers, brokers, coordinators);
    try {
      for (let i = 0; i < (options.controllers ?? 1); i++) controllers.push(await make('controller', i + 1, options.ports?.controllers?.[i], options.metricsPorts?.controllers?.[i]));
      for (let i = 0; i < (options.brokers ?? 3); i++) brokers.push(await make('broker', i + 1, options.ports?.brokers?.[i], options.metricsPorts?.brokers?.[i]));
      // Brokers first so the controller sees live brokers when the first topic is created.
      await Promise.all(brokers.map((b) => b.start()));
      // Standby controllers report SERVING too (they forward to the active one).
      await Promise.all(controllers.map((c) => c.start()));
      if (controllers.length > 0 && brokers.length > 0) await cluster.waitForController();
      for (let i = 0; i < (options.coordinators ?? 1); i++) coordinators.push(await make('coordinator', i + 1, options.ports?.coordinators?.[i], options.metricsPorts?.coordinators?.[i]));
      // Coordinators last: the first one creates __consumer_offsets through the controller.
      await Promise.all(coordinators.map((c) => c.start()));
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /**
   * Resolves once a broker's metadata names an active controller, so admin calls made right after
   * start do not meet an election still under way.
   */
  async waitForController(timeoutMs = 30_000): Promise<void> {
    const client = brokerClient(this.bootstrap);
    try {
      await waitUntil(
        async () => {
          try {
            const md = await callUnary<{ controller?: unknown }>((cb) => client.getMetadata({ topics: [] }, { deadline: deadlineIn(1000) }, cb));
            return Boolean(md.controller);
          } catch {
            return false;
          }
        },
        timeoutMs,
        'an active controller',
        150,
      );
    } finally {
      client.close();
    }
  }

  /** A broker address to bootstrap clients from. */
  get bootstrap(): string {
    const first = this.brokers[0];
    if (!first) throw new Error('cluster has no brokers');
    return first.address;
  }

  broker(id: number): ServiceProcess {
    const b = this.brokers.find((s) => s.spec.id === id);
    if (!b) throw new Error(`no broker ${id}`);
    return b;
  }

  coordinator(id: number): ServiceProcess {
    const c = this.coordinators.find((s) => s.spec.id === id);
    if (!c) throw new Error(`no coordinator ${id}`);
    return c;
  }

  /** Stops coordinators, then brokers, then controllers, then etcd; each gracefully, then by SIGKILL. */
  async stop(): Promise<void> {
    await Promise.all(this.coordinators.map((c) => c.stop()));
    await Promise.all(this.brokers.map((b) => b.stop()));
    await Promise.all(this.controllers.map((c) => c.stop()));
    await this.etcd.stop();
  }
}
