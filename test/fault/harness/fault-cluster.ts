/**
 * A real cluster (etcd, controllers, brokers as processes on loopback) owned by ONE fault test:
 * started inside the test, stopped when the test finishes (onTestFinished), its temp dir removed
 * when the test passed and kept (and named on stderr) when it failed. stopAll() in the file's
 * afterAll is the safety net for a test that never reached its cleanup.
 *
 * Timings are the fast ones of the integration tests (3 s etcd leases) plus a short replica lag
 * time, so a scenario detects a dead or stalled broker in seconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { LocalCluster, waitUntil, type ServiceProcess } from '../../../tools/launcher/index.js';
import type { v1 } from '../../../libs/rpc/index.js';
import { SamsaError, hasReason } from '../../../libs/errors/index.js';
import { Probe, type PartitionView } from './probe.js';
import { NetLab } from './netns.js';

/** How long a follower may lag before it leaves the ISR in these tests (broker config). */
export const REPLICA_LAG_TIME_MAX_MS = 2_000;

export const FAULT_ENV: Record<string, string> = {
  SAMSA_LEASE_TTL_SECONDS: '3',
  SAMSA_REPLICA_LAG_TIME_MAX_MS: String(REPLICA_LAG_TIME_MAX_MS),
  SAMSA_MAX_REPLICATION_FACTOR: '3',
  // debug logging costs CPU that a 2-core machine under load does not have; raise it to look closer.
  SAMSA_LOG_LEVEL: process.env.SAMSA_FAULT_LOG_LEVEL ?? 'info',
};

export interface FaultClusterOptions {
  name: string;
  brokers?: number;
  controllers?: number;
  /** Group coordinators (default 1, as LocalCluster). */
  coordinators?: number;
  env?: Record<string, string>;
  /**
   * Run every broker and controller in a network namespace of its own (netns.ts), so the test can
   * cut them from each other or from etcd; etcd, coordinators and the test stay on the host.
   */
  netns?: boolean;
}

const running = new Set<FaultCluster>();

export class FaultCluster {
  readonly probe = new Probe();

  private constructor(
    readonly local: LocalCluster,
    readonly dir: string,
    private readonly netLab: NetLab | undefined,
  ) {}

  /** Starts a cluster that this test owns; see the module comment for its lifetime. */
  static async start(options: FaultClusterOptions): Promise<FaultCluster> {
    const dir = mkdtempSync(join(tmpdir(), `samsa-fault-${options.name}-`));
    const brokers = options.brokers ?? 3;
    const controllers = options.controllers ?? 1;
    const placed = [
      ...Array.from({ length: brokers }, (_, i) => `broker-${i + 1}`),
      ...Array.from({ length: controllers }, (_, i) => `controller-${i + 1}`),
    ];
    const lab = options.netns ? await NetLab.create(placed) : undefined;
    let local: LocalCluster;
    try {
      local = await LocalCluster.start({
        dir,
        brokers,
        controllers,
        ...(options.coordinators !== undefined ? { coordinators: options.coordinators } : {}),
        env: { ...FAULT_ENV, ...options.env },
        ...(lab
          ? {
              host: lab.hostIp,
              placement: (kind, id) =>
                kind === 'coordinator' ? undefined : { host: lab.node(`${kind}-${id}`).ip, wrapper: lab.wrapper(`${kind}-${id}`) },
            }
          : {}),
      });
    } catch (err) {
      await lab?.destroy();
      throw err;
    }
    const cluster = new FaultCluster(local, dir, lab);
    running.add(cluster);
    onTestFinished(async (ctx) => {
      const failed = ctx.task.result?.state === 'fail';
      await cluster.stop();
      if (failed || process.env.SAMSA_KEEP_TEST_DIRS) process.stderr.write(`fault test "${options.name}": cluster dir kept at ${dir}\n`);
      else rmSync(dir, { recursive: true, force: true });
    });
    return cluster;
  }

  /** Stops every cluster a test left running (its dir is kept for a look). For afterAll. */
  static async stopAll(): Promise<void> {
    await Promise.all([...running].map((c) => c.stop()));
  }

  async stop(): Promise<void> {
    running.delete(this);
    this.probe.close();
    await this.local.stop();
    await this.netLab?.destroy();
  }

  /** The network namespaces of a cluster started with `netns`; throws otherwise. */
  get lab(): NetLab {
    if (!this.netLab) throw new Error('this cluster was started without netns: true');
    return this.netLab;
  }

  get brokers(): ServiceProcess[] {
    return this.local.brokers;
  }

  get controllers(): ServiceProcess[] {
    return this.local.controllers;
  }

  broker(id: number): ServiceProcess {
    return this.local.broker(id);
  }

  get coordinators(): ServiceProcess[] {
    return this.local.coordinators;
  }

  brokerAddresses(): string[] {
    return this.brokers.map((b) => b.address);
  }

  controllerAddresses(): string[] {
    return this.controllers.map((c) => c.address);
  }

  /** The data dir of broker `id` (its partition dirs are named by libs/replica/partition-dir.ts). */
  dataDir(id: number): string {
    return this.broker(id).spec.dataDir;
  }

  /** Creates the topic through the controller and waits until every partition has a full ISR and a serving leader. */
  async createTopic(topic: string, partitions: number, replicationFactor: number, minInsyncReplicas: number): Promise<PartitionView[]> {
    await waitUntil(
      async () => {
        for (const address of this.controllerAddresses()) {
          try {
            await this.probe.controller<v1.CreateTopicResponse__Output>(
              address,
              (c, o, cb) => c.createTopic({ name: topic, partitions, replicationFactor, config: { minInsyncReplicas } }, o, cb),
              10_000,
            );
            return true;
          } catch (err) {
            // A retry after a lost answer finds the topic made; a refusal is final; anything else: next controller.
            if (hasReason(err, 'TOPIC_ALREADY_EXISTS')) return true;
            if (err instanceof SamsaError && !err.retriable) throw err;
          }
        }
        return false;
      },
      20_000,
      `topic ${topic} to be created`,
      250,
    );
    return this.waitForPartitions(
      topic,
      (p) => p.leaderId >= 0 && p.replicas.length === replicationFactor && sameSet(p.isr, p.replicas),
      20_000,
      `topic ${topic}: a leader and a full ISR for every partition`,
      partitions,
    );
  }

  /** The topic as the controller describes it; throws when no controller answers. */
  async describe(topic: string): Promise<PartitionView[]> {
    const views = await this.probe.describe(this.controllerAddresses(), topic);
    if (!views) throw new Error(`no controller described topic ${topic}`);
    return views;
  }

  /**
   * Polls the controller's description of `topic` until every partition satisfies `check` (and,
   * when given, there are `partitions` of them) and every leader named answers ListOffsets;
   * returns it.
   */
  async waitForPartitions(
    topic: string,
    check: (p: PartitionView) => boolean,
    timeoutMs: number,
    what: string,
    partitions?: number,
  ): Promise<PartitionView[]> {
    let last: PartitionView[] | undefined;
    await waitUntil(
      async () => {
        last = await this.probe.describe(this.controllerAddresses(), topic);
        if (!last || last.length === 0 || (partitions !== undefined && last.length !== partitions) || !last.every(check)) return false;
        for (const p of last) {
          if (p.leaderId < 0) continue;
          const served = await this.probe.listOffsets(this.broker(p.leaderId).address, topic, p.partition).then(
            () => true,
            () => false,
          );
          if (!served) return false;
        }
        return true;
      },
      timeoutMs,
      () => `${what} (last seen: ${JSON.stringify(last)})`,
      200,
    );
    return last as PartitionView[];
  }

  /** The partition as the controller describes it right now. */
  async partition(topic: string, partition: number): Promise<PartitionView> {
    const p = (await this.describe(topic)).find((x) => x.partition === partition);
    if (!p) throw new Error(`topic ${topic} has no partition ${partition}`);
    return p;
  }

  /** The active controller's process, as the brokers' metadata names it. */
  async activeController(): Promise<ServiceProcess> {
    let found: ServiceProcess | undefined;
    await waitUntil(
      async () => {
        for (const address of this.brokerAddresses()) {
          const md = await this.probe.metadata(address, []).catch(() => undefined);
          const c = md?.controller;
          if (c) {
            found = this.controllers.find((p) => p.address === `${c.host}:${c.port}`);
            if (found?.child.running) return true;
          }
        }
        return false;
      },
      20_000,
      'an active controller',
      200,
    );
    return found as ServiceProcess;
  }
}

export function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
