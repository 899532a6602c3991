/**
 * A Samsa service (broker, controller, coordinator) as a real child process running the built
 * entry point dist/services/<kind>/main.js, configured through SAMSA_* environment variables,
 * and ready once its grpc.health.v1 check answers SERVING. It has a stdin lifeline (child.ts):
 * when the process that started it dies, even by SIGKILL, the service shuts down on its own.
 */
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkHealth } from '../../libs/rpc/index.js';
import { Child, waitUntil } from './child.js';
import { logTail } from './start-failure.js';

export type ServiceKind = 'broker' | 'controller' | 'coordinator' | 'kafka-gateway';

export interface ServiceSpec {
  kind: ServiceKind;
  id: number;
  host: string;
  port: number;
  etcdEndpoint: string;
  clusterId: string;
  /** Where the service keeps data (brokers) and where logs go. */
  dataDir: string;
  logFile: string;
  /** Prometheus /metrics port; 0 or absent turns the endpoint off. */
  metricsPort?: number;
  /** More SAMSA_* settings, e.g. { SAMSA_LEASE_TTL_SECONDS: '3' }. */
  env?: Record<string, string>;
  /** Extra node flags before the entry point, e.g. ['--cpu-prof'] (which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
  /**
   * A command the node process is started under, e.g. ['ip', 'netns', 'exec', 'ns1'] (fault tests
   * run services in network namespaces). It must exec node in its own place, so the pid, signals
   * and the stdin lifeline are node's.
   */
  wrapper?: string[];
}

/** The checkout's root (the folder with package.json and proto/), from sources or from dist/. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'proto'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the Samsa checkout root above ' + fileURLToPath(import.meta.url));
}

/** The telemetry bootstrap every service is started with (`node --import`). */
export function instrumentationEntry(): string {
  const path = join(repoRoot(), 'dist', 'libs', 'telemetry', 'instrumentation.js');
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`);
  return path;
}

export function entryPoint(kind: ServiceKind): string {
  const path = join(repoRoot(), 'dist', 'services', kind, 'main.js');
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`);
  return path;
}

/**
 * How long a started service may take to answer SERVING: several Node processes loading gRPC and
 * OpenTelemetry at once on a loaded 2-core machine have taken over 30 s, and a broker restarted
 * after kill -9 also waits up to one lease TTL for its old registration to expire.
 */
const START_TIMEOUT_MS = 60_000;

export class ServiceProcess {
  readonly child: Child;
  readonly address: string;

  constructor(readonly spec: ServiceSpec) {
    this.address = `${spec.host}:${spec.port}`;
    const idVar = {
      broker: 'SAMSA_BROKER_ID',
      controller: 'SAMSA_CONTROLLER_ID',
      coordinator: 'SAMSA_COORDINATOR_ID',
      'kafka-gateway': 'SAMSA_GATEWAY_ID',
    }[spec.kind];
    this.child = new Child({
      name: `${spec.kind}-${spec.id}`,
      command: spec.wrapper?.[0] ?? process.execPath,
      args: [
        ...(spec.wrapper ? [...spec.wrapper.slice(1), process.execPath] : []),
        '--enable-source-maps',
        ...(spec.nodeArgs ?? []),
        '--import',
        instrumentationEntry(),
        entryPoint(spec.kind),
      ],
      env: {
        ...process.env,
        [idVar]: String(spec.id),
        SAMSA_HOST: spec.host,
        SAMSA_PORT: String(spec.port),
        SAMSA_DATA_DIR: spec.dataDir,
        SAMSA_ETCD_ENDPOINTS: spec.etcdEndpoint,
        SAMSA_CLUSTER_ID: spec.clusterId,
        SAMSA_SERVICE_NAME: `samsa-${spec.kind}`,
        SAMSA_INSTANCE_ID: `${spec.kind}-${spec.id}`,
        SAMSA_METRICS_PORT: String(spec.metricsPort ?? 0),
        SAMSA_LIFELINE: 'stdin',
        ...spec.env,
      },
      logFile: spec.logFile,
      lifeline: 'stdin',
    });
  }

  /** http://host:port/metrics, or undefined when metrics are off. */
  get metricsUrl(): string | undefined {
    return this.spec.metricsPort ? `http://127.0.0.1:${this.spec.metricsPort}/metrics` : undefined;
  }

  get name(): string {
    return this.child.name;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Starts the process and waits until its health check says SERVING. */
  async start(timeoutMs = START_TIMEOUT_MS): Promise<void> {
    this.child.start();
    await this.waitReady(timeoutMs);
  }

  async waitReady(timeoutMs = START_TIMEOUT_MS): Promise<void> {
    await waitUntil(
      async () => {
        if (!this.child.running) {
          const tail = logTail(this.spec.logFile);
          throw new Error(`${this.name} exited during start; see ${this.spec.logFile}${tail ? `, which ends:\n${tail}` : ''}`);
        }
        // The Kafka gateway has no gRPC server: it listens once it is ready.
        if (this.spec.kind === 'kafka-gateway') return tcpAccepts(this.spec.host, this.spec.port);
        return (await checkHealth(this.address, '', 1000)) === 'SERVING';
      },
      timeoutMs,
      `${this.name} at ${this.address} to be SERVING (log: ${this.spec.logFile})`,
      150,
    );
  }

  stop(graceMs = 10_000): Promise<void> {
    return this.child.stop(graceMs);
  }

  kill9(): Promise<void> {
    return this.child.kill9();
  }

  pause(): void {
    this.child.pause();
  }

  resume(): void {
    this.child.resume();
  }

  async restart(timeoutMs = START_TIMEOUT_MS): Promise<void> {
    await this.stop();
    await this.start(timeoutMs);
  }
}

/** Whether something accepts TCP connections at host:port (closed at once). */
function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}
