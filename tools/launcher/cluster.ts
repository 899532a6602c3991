/**
 * A whole local cluster: one etcd, controllers, brokers and group coordinators as separate
 * processes, all data and logs under one directory. Used by `npm start` (local-cluster.ts) and by the integration tests.
 *
 *   <dir>/etcd/            etcd data          <dir>/logs/<name>.log   each process's output
 *   <dir>/broker-<id>/     a broker's log dirs
 *   <dir>/tls/             the local CA (unless one is given), each service's certificate and key,
 *                          and samsa-cli.crt/.key, the client certificate of the CLI and of the
 *                          process that started the cluster
 *
 * TLS is the default: every service gets its own certificate (CN <kind>-<id>, its host in
 * subjectAltName) and the process that starts the cluster becomes its client: it sets its own
 * default transport (libs/rpc) to the samsa-cli certificate, so health checks and any client it
 * makes afterwards speak mutual TLS. `security: 'insecure'` runs every service with SAMSA_INSECURE=1.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EtcdProcess } from './etcd.js';
import { freePort } from './free-port.js';
import { ServiceProcess, type ServiceKind } from './service.js';
import { waitUntil } from './child.js';
import { startFailure } from './start-failure.js';
import * as grpc from '@grpc/grpc-js';
import { brokerClient, callUnary, setDefaultTransport } from '../../libs/rpc/index.js';
import {
  DEFAULT_GC_THREADS,
  gcThreadsNodeArgs,
  operatorFlags,
  parseGcThreads,
  youngGenerationNodeArgs,
  type GcThreads,
} from '../../libs/service/index.js';
import {
  CLI_CERT_NAME,
  LocalCa,
  clientTlsCredentials,
  ensureTokenSigningKey,
  type ClientTlsPaths,
  type TokenKeyPaths,
} from '../../libs/security/index.js';

export interface LocalClusterOptions {
  dir: string;
  brokers?: number;
  controllers?: number;
  /** Consumer-group coordinators (default 1; 0 for none). */
  coordinators?: number;
  /** Kafka wire-protocol gateways (default 0; `npm start` runs one on 9192). */
  kafkaGateways?: number;
  clusterId?: string;
  host?: string;
  /** Fixed ports (npm start); when absent every port is a free one (tests). */
  ports?: {
    etcd?: number;
    etcdPeer?: number;
    controllers?: number[];
    brokers?: number[];
    coordinators?: number[];
    kafkaGateways?: number[];
  };
  /** Prometheus ports per service, same order as `ports`; free ones are picked when absent. */
  metricsPorts?: { controllers?: number[]; brokers?: number[]; coordinators?: number[] };
  /** Extra SAMSA_* settings for every service, e.g. shorter lease TTLs in tests. */
  env?: Record<string, string>;
  /** Extra node flags for the brokers, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] (benchmarks). */
  brokerNodeArgs?: string[];
  /**
   * Whether the brokers' V8 collects garbage on the main thread only (libs/service/gc-threads.ts,
   * ADR 0060). Default: SAMSA_GC_THREADS of `env` or of this process, else 'parallel' (V8's default;
   * single-threaded GC costs ~30 MiB of broker RSS, ADR 0060). A GC threading flag in `brokerNodeArgs` wins.
   */
  brokerGcThreads?: GcThreads;
  /**
   * Where a service runs when not beside etcd on `host`: its own address and the wrapper it is
   * started under (fault tests: a network namespace, test/fault/harness/netns.ts). Undefined: on `host`.
   */
  placement?: (kind: ServiceKind, id: number) => { host: string; wrapper: string[] } | undefined;
  /** How long each service may take to report SERVING (default: ServiceProcess's 60 s); a benchmark on a loaded machine may need more. */
  startTimeoutMs?: number;
  /** 'tls' (default): mutual TLS everywhere, certificates made on first start; 'insecure': plaintext. */
  security?: 'tls' | 'insecure';
  /** The CA to issue certificates with (tests share one per process); default: one in <dir>/tls. */
  ca?: LocalCa;
  /**
   * On a failed start, copy <dir>/logs to <dir>-failed-start-logs (start-failure.ts), for callers
   * that remove `dir` (benchmarks, tests). Default true; `npm start` keeps its data dir anyway.
   */
  keepLogsOnFailedStart?: boolean;
}

/**
 * The node flags the brokers start with: the GC threading flag of `brokerGcThreads` (or of
 * SAMSA_GC_THREADS in `options.env`, then in `env`; default 'parallel'), the young generation's size
 * (libs/service/young-generation.ts, ADR 0061), then `brokerNodeArgs`, whose own GC threading or
 * semi-space flag wins (libs/service/gc-threads.ts), as a semi-space flag in the brokers' NODE_OPTIONS does.
 */
export function brokerNodeArgs(
  options: Pick<LocalClusterOptions, 'brokerGcThreads' | 'brokerNodeArgs' | 'env'>,
  env: NodeJS.ProcessEnv = process.env,
  cores?: number,
): string[] {
  const mode = options.brokerGcThreads ?? parseGcThreads(options.env?.SAMSA_GC_THREADS ?? env.SAMSA_GC_THREADS ?? DEFAULT_GC_THREADS);
  return [
    ...gcThreadsNodeArgs(mode, options.brokerNodeArgs, cores),
    // The brokers' NODE_OPTIONS is this process's, or options.env's where it sets one (service.ts).
    ...youngGenerationNodeArgs(operatorFlags(options.brokerNodeArgs ?? [], options.env?.NODE_OPTIONS ?? env.NODE_OPTIONS ?? '')),
    ...(options.brokerNodeArgs ?? []),
  ];
}

export class LocalCluster {
  private constructor(
    readonly dir: string,
    readonly clusterId: string,
    readonly etcd: EtcdProcess,
    readonly controllers: ServiceProcess[],
    readonly brokers: ServiceProcess[],
    readonly coordinators: ServiceProcess[],
    readonly kafkaGateways: ServiceProcess[],
    /** The client certificate made for the CLI and this process; undefined when insecure. */
    readonly clientTls: ClientTlsPaths | undefined,
    /** The bearer-token signing key pair the services trust; undefined when insecure. */
    readonly tokenKeys: TokenKeyPaths | undefined,
  ) {}

  /**
   * Makes the CA (unless given), the client certificate, and returns the SAMSA_* settings of each
   * service's TLS; installs the client certificate as this process's default transport.
   */
  private static async prepareSecurity(options: LocalClusterOptions): Promise<{
    clientTls: ClientTlsPaths | undefined;
    tokenKeys: TokenKeyPaths | undefined;
    /** Access settings every service gets unless options.env says otherwise. */
    accessEnv: Record<string, string>;
    serviceEnv: (kind: ServiceKind, id: number, host: string) => Promise<Record<string, string>>;
  }> {
    if (options.security === 'insecure') {
      setDefaultTransport({ channel: grpc.credentials.createInsecure() });
      const env = { SAMSA_INSECURE: '1', SAMSA_TLS_CA: '', SAMSA_TLS_CERT: '', SAMSA_TLS_KEY: '' };
      return { clientTls: undefined, tokenKeys: undefined, accessEnv: {}, serviceEnv: () => Promise.resolve(env) };
    }
    const tlsDir = join(options.dir, 'tls');
    const ca = options.ca ?? (await LocalCa.openOrCreate(tlsDir));
    const hosts = [options.host ?? '127.0.0.1'];
    const clientTls = await ca.issue(CLI_CERT_NAME, { hosts, outDir: tlsDir });
    setDefaultTransport({ channel: clientTlsCredentials(clientTls) });
    const tokenKeys = ensureTokenSigningKey(tlsDir);
    return {
      clientTls,
      tokenKeys,
      // ACLs on (the services' default); the CLI's certificate is the operator's, allowed everything.
      accessEnv: { SAMSA_SUPER_USERS: `User:${CLI_CERT_NAME}`, SAMSA_TOKEN_PUBLIC_KEYS: tokenKeys.publicKey },
      serviceEnv: async (kind, id, host) => {
        // The Kafka gateway is no service identity (docs/adr/0047): a plain certificate for its listener.
        const service = kind !== 'kafka-gateway';
        const files = await ca.issue(`${kind}-${id}`, { service, hosts: [...hosts, host], outDir: tlsDir });
        return { SAMSA_INSECURE: '0', SAMSA_TLS_CA: files.ca, SAMSA_TLS_CERT: files.cert, SAMSA_TLS_KEY: files.key };
      },
    };
  }

  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    const host = options.host ?? '127.0.0.1';
    const nodeArgs = brokerNodeArgs(options);
    const clusterId = options.clusterId ?? 'local';
    mkdirSync(join(options.dir, 'logs'), { recursive: true });
    const security = await LocalCluster.prepareSecurity(options);
    const etcd = await EtcdProcess.start({
      dataDir: join(options.dir, 'etcd'),
      logFile: join(options.dir, 'logs', 'etcd.log'),
      host,
      ...(options.ports?.etcd ? { clientPort: options.ports.etcd } : {}),
      ...(options.ports?.etcdPeer ? { peerPort: options.ports.etcdPeer } : {}),
    });
    const make = async (
      kind: ServiceKind,
      id: number,
      fixedPort: number | undefined,
      metricsPort: number | undefined,
      extraEnv: Record<string, string> = {},
    ): Promise<ServiceProcess> => {
      const placed = options.placement?.(kind, id);
      const env = { ...security.accessEnv, ...options.env, ...extraEnv, ...(await security.serviceEnv(kind, id, placed?.host ?? host)) };
      return new ServiceProcess({
        kind,
        id,
        host,
        ...placed,
        // Free on `host`; a placed service has its own address space, where it is free too.
        port: fixedPort ?? (await freePort(host)),
        metricsPort: metricsPort ?? (await freePort(host)),
        etcdEndpoint: etcd.endpoint,
        clusterId,
        dataDir: join(options.dir, `${kind}-${id}`),
        logFile: join(options.dir, 'logs', `${kind}-${id}.log`),
        env,
        ...(kind === 'broker' && nodeArgs.length > 0 ? { nodeArgs } : {}),
      });
    };
    const controllers: ServiceProcess[] = [];
    const brokers: ServiceProcess[] = [];
    const coordinators: ServiceProcess[] = [];
    const kafkaGateways: ServiceProcess[] = [];
    const cluster = new LocalCluster(
      options.dir,
      clusterId,
      etcd,
      controllers,
      brokers,
      coordinators,
      kafkaGateways,
      security.clientTls,
      security.tokenKeys,
    );
    try {
      for (let i = 0; i < (options.controllers ?? 1); i++)
        controllers.push(await make('controller', i + 1, options.ports?.controllers?.[i], options.metricsPorts?.controllers?.[i]));
      for (let i = 0; i < (options.brokers ?? 3); i++)
        brokers.push(await make('broker', i + 1, options.ports?.brokers?.[i], options.metricsPorts?.brokers?.[i]));
      // Brokers first so the controller sees live brokers when the first topic is created.
      await Promise.all(brokers.map((b) => b.start(options.startTimeoutMs)));
      // Standby controllers report SERVING too (they forward to the active one).
      await Promise.all(controllers.map((c) => c.start(options.startTimeoutMs)));
      if (controllers.length > 0 && brokers.length > 0) await cluster.waitForController();
      for (let i = 0; i < (options.coordinators ?? 1); i++)
        coordinators.push(await make('coordinator', i + 1, options.ports?.coordinators?.[i], options.metricsPorts?.coordinators?.[i]));
      // Coordinators last: the first one creates __consumer_offsets through the controller.
      await Promise.all(coordinators.map((c) => c.start()));
      for (let i = 0; i < (options.kafkaGateways ?? 0); i++) {
        const bootstrap = { SAMSA_BOOTSTRAP: brokers.map((b) => b.address).join(',') };
        kafkaGateways.push(await make('kafka-gateway', i + 1, options.ports?.kafkaGateways?.[i], undefined, bootstrap));
      }
      await Promise.all(kafkaGateways.map((g) => g.start()));
    } catch (err) {
      await cluster.stop();
      // Before the caller removes the directory (every benchmark does, however it ends).
      throw options.keepLogsOnFailedStart === false ? err : startFailure(err, options.dir);
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
            const md = await callUnary<{ controller?: unknown }>(this.bootstrap, { timeoutMs: 1000 }, (options, cb) =>
              client.getMetadata({ topics: [] }, options, cb),
            );
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
    await Promise.all(this.kafkaGateways.map((g) => g.stop()));
    await Promise.all(this.coordinators.map((c) => c.stop()));
    await Promise.all(this.brokers.map((b) => b.stop()));
    await Promise.all(this.controllers.map((c) => c.stop()));
    await this.etcd.stop();
  }
}
