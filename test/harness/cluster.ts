/**
 * Test helpers that start REAL etcd and REAL service processes on free ports in a temp dir and
 * always tear them down (registered with the test's afterAll). Requires `npm run build` (npm test
 * does it) and the `etcd` binary.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { LocalCluster, EtcdProcess, type LocalClusterOptions } from '../../libs/launcher/index.js';

/** Short timeouts so failure detection in tests takes seconds, not the production defaults. */
export const FAST_FAILURE_ENV: Record<string, string> = {
  SAMSA_LEASE_TTL_SECONDS: '3',
  SAMSA_LOG_LEVEL: 'debug',
};

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `samsa-${prefix}-`));
}

/**
 * Starts a cluster for the current test file; stopped (and its dir removed unless it failed) after
 * all tests. No group coordinator unless `coordinators` says so (tests of other services do not
 * pay for __consumer_offsets).
 */
export async function startCluster(options: Partial<LocalClusterOptions> & { name: string }): Promise<LocalCluster> {
  const dir = options.dir ?? tempDir(options.name);
  const cluster = await LocalCluster.start({ ...options, coordinators: options.coordinators ?? 0, dir, env: { ...FAST_FAILURE_ENV, ...options.env } });
  afterAll(async () => {
    await cluster.stop();
    if (!process.env.SAMSA_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
  });
  return cluster;
}

/** Starts just etcd for the current test file. */
export async function startEtcd(name: string): Promise<EtcdProcess> {
  const dir = tempDir(name);
  const etcd = await EtcdProcess.start({ dataDir: join(dir, 'etcd'), logFile: join(dir, 'etcd.log') });
  afterAll(async () => {
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return etcd;
}

/** A topic name unique to this run, so tests never share state. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}
