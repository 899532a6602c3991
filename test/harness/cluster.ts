/**
 * Test helpers that start REAL etcd and REAL service processes on free ports in a temp dir and
 * always tear them down (registered with the test's afterAll). Requires `npm run build` (npm test
 * does it) and the `etcd` binary.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { LocalCluster, EtcdProcess, type LocalClusterOptions } from '../../tools/launcher/index.js';
import { LocalCa, clientTlsCredentials, type ClientTlsPaths } from '../../libs/security/index.js';
import { setDefaultTransport, SERVICE_IDENTITY_HEADER } from '../../libs/rpc/index.js';
import * as grpc from '@grpc/grpc-js';

/** Short timeouts so failure detection in tests takes seconds, not the production defaults. */
export const FAST_FAILURE_ENV: Record<string, string> = {
  SAMSA_LEASE_TTL_SECONDS: '3',
  SAMSA_LOG_LEVEL: 'debug',
};

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `samsa-${prefix}-`));
}

/**
 * One CA per test process: every cluster a test file starts trusts it, so a client certificate
 * made for one cluster works with all of them. SAMSA_TEST_INSECURE=1 runs the suites in plaintext.
 */
let testCa: Promise<LocalCa> | undefined;
export function sharedTestCa(): Promise<LocalCa> {
  if (!testCa) {
    const dir = tempDir('ca');
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    testCa = LocalCa.openOrCreate(dir, 'Samsa test CA');
  }
  return testCa;
}

export const TEST_SECURITY: 'tls' | 'insecure' = process.env.SAMSA_TEST_INSECURE === '1' ? 'insecure' : 'tls';

/**
 * Starts a cluster for the current test file; stopped (and its dir removed unless it failed) after
 * all tests. No group coordinator unless `coordinators` says so (tests of other services do not
 * pay for __consumer_offsets).
 */
export async function startCluster(options: Partial<LocalClusterOptions> & { name: string }): Promise<LocalCluster> {
  const dir = options.dir ?? tempDir(options.name);
  const security = options.security ?? TEST_SECURITY;
  const cluster = await LocalCluster.start({
    ...options,
    coordinators: options.coordinators ?? 0,
    dir,
    env: { ...FAST_FAILURE_ENV, ...options.env },
    security,
    ...(security === 'tls' ? { ca: options.ca ?? (await sharedTestCa()) } : {}),
  });
  clientEnv(cluster.clientTls);
  afterAll(async () => {
    await cluster.stop();
    if (!process.env.SAMSA_KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
  });
  return cluster;
}

/** Subprocess clients of this test (the CLI, the Python and Go examples) read the same settings. */
function clientEnv(tls: ClientTlsPaths | undefined): void {
  if (tls) {
    process.env.SAMSA_TLS_CA = tls.ca;
    process.env.SAMSA_TLS_CERT = tls.cert;
    process.env.SAMSA_TLS_KEY = tls.key;
    delete process.env.SAMSA_INSECURE;
  } else {
    for (const v of ['SAMSA_TLS_CA', 'SAMSA_TLS_CERT', 'SAMSA_TLS_KEY']) delete process.env[v];
    process.env.SAMSA_INSECURE = '1';
  }
}

/**
 * For a test that starts service processes itself (not through startCluster): the SAMSA_* TLS
 * settings of a service `<kind>-<id>` with a certificate from the test CA, and this process made
 * a TLS client of it (default transport and the environment its subprocesses inherit).
 */
export async function serviceSecurityEnv(kind: 'broker' | 'controller' | 'coordinator', id: number): Promise<Record<string, string>> {
  if (TEST_SECURITY === 'insecure') {
    setDefaultTransport({ channel: grpc.credentials.createInsecure() });
    clientEnv(undefined);
    return { SAMSA_INSECURE: '1', SAMSA_TLS_CA: '', SAMSA_TLS_CERT: '', SAMSA_TLS_KEY: '' };
  }
  const ca = await sharedTestCa();
  const client = await ca.issue('samsa-cli');
  setDefaultTransport({ channel: clientTlsCredentials(client) });
  clientEnv(client);
  const files = await ca.issue(`${kind}-${id}`, { service: true });
  // As the launcher does: ACLs on, this process's certificate (the CLI's) a super-user.
  return {
    SAMSA_INSECURE: '0',
    SAMSA_TLS_CA: files.ca,
    SAMSA_TLS_CERT: files.cert,
    SAMSA_TLS_KEY: files.key,
    SAMSA_SUPER_USERS: 'User:samsa-cli',
  };
}

/**
 * How a test calls a service-only RPC (CreateInternalTopic, Replicate) as one of Samsa's services
 * would: over TLS, a service certificate from the test CA (OU=samsa-service, CN <kind>-<id>); in
 * plaintext, the default transport and the service's claim header (libs/rpc principal.ts).
 */
export async function asService(
  kind: 'broker' | 'controller' | 'coordinator',
  id: number,
): Promise<{ credentials: grpc.ChannelCredentials | undefined; metadata: grpc.Metadata }> {
  const metadata = new grpc.Metadata();
  if (TEST_SECURITY === 'insecure') {
    metadata.set(SERVICE_IDENTITY_HEADER, `${kind}/${id}`);
    return { credentials: undefined, metadata };
  }
  const ca = await sharedTestCa();
  const files = await ca.issue(`${kind}-${id}`, { service: true, outDir: join(ca.dir, 'test-services') });
  return { credentials: clientTlsCredentials(files), metadata };
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
