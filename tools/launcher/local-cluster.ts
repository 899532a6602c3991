/**
 * `npm start`: a whole Samsa cluster on this machine, in the foreground. Starts etcd, one
 * controller, three brokers and one group coordinator (LocalCluster) on the ports of a PortPlan
 * (port-plan.ts), keeps their data under --data-dir (so a restart finds the topics again), prints
 * where everything listens and where the logs are, and stops everything in order on SIGINT
 * (Ctrl-C), SIGTERM or SIGHUP, or when the process that started it exits (parent-watch.ts: npm
 * forwards a supervisor's signal to its `sh -c` only, never to us). Should the launcher itself die
 * without stopping them (kill -9), every child has a lifeline (child.ts) and goes too.
 *
 *   npm start -- --data-dir /tmp/samsa --brokers 5 --broker-port 19092
 */
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findEtcdBinary } from './etcd.js';
import { LocalCluster } from './cluster.js';
import { ParentWatch } from './parent-watch.js';
import { planPorts, portsOf, PortPlanError, type PortPlan } from './port-plan.js';
import { DEFAULT_GC_THREADS, parseGcThreads } from '../../libs/service/index.js';

const HELP = `Usage: npm start -- [options]

Starts etcd, the controller(s), the brokers and the group coordinator(s) of a local Samsa cluster
in the foreground. Ctrl-C, SIGTERM or SIGHUP stops them all, in order; so does the exit of the
process that started the launcher (npm, or a supervisor), and nothing outlives the launcher.

Options:
  --data-dir DIR          data and logs of every process (default ./data)
  --host HOST             address to listen on (default 127.0.0.1)
  --brokers N             number of brokers, 1-50 (default 3)
  --controllers N         number of controllers, 1-9; more than one are standbys (default 1)
  --coordinators N        number of consumer-group coordinators, 0-9 (default 1)
  --insecure              plaintext gRPC and no authentication, for development only; by default
                          every service serves TLS and speaks mutual TLS to the others, with a
                          CA and certificates made on first start under DATA_DIR/tls/
  --otlp-endpoint URL     send every service's traces over OTLP/HTTP to URL, e.g.
                          http://127.0.0.1:4318 (Jaeger); default $OTEL_EXPORTER_OTLP_ENDPOINT,
                          and without either no traces are exported
  -h, --help              this help

The brokers' V8 garbage collector: SAMSA_GC_THREADS=single runs it on each broker's main thread
only (node --single-threaded-gc), parallel (the default) with V8's helper threads; auto is single
on a machine of at most 2 cores, where the helpers compete with the cluster's other processes.
single: +16-29 % produce records/s on 2 cores, and ~30 MiB more RSS per broker
(docs/adr/0060-broker-single-threaded-gc.md).

Ports, all on HOST. With the defaults no two processes share a port, whatever the counts; ports
given here that would make two ranges meet are refused before anything starts.
  --etcd-port PORT        etcd client port (default 2379)
  --etcd-peer-port PORT   etcd peer port (default --etcd-port + 1, i.e. 2380)
  --broker-port PORT      broker i listens on PORT+(i-1): 9092, 9093, 9094, ... (default 9092)
  --controller-port PORT  controller i listens on PORT-2(i-1): 9090, 9088, ... (default 9090)
  --coordinator-port PORT coordinator i listens on PORT-2(i-1): 9091, 9089, ... (default 9091)
  --kafka-port PORT       the Kafka wire-protocol gateway (kcat, kafkajs, librdkafka clients;
                          docs/kafka-compatibility.md), default 9192; 0 runs no gateway
  --metrics-port PORT     Prometheus /metrics, one port per service counting up from PORT:
                          controllers, then brokers, then coordinators (default 9464)`;

interface Settings {
  dataDir: string;
  host: string;
  brokers: number;
  controllers: number;
  coordinators: number;
  ports: PortPlan;
  /** OTLP endpoint handed to every service; undefined: none (the services' own OTEL_* env applies). */
  otlpEndpoint: string | undefined;
  insecure: boolean;
  /** The Kafka gateway's port; 0: no gateway. */
  kafkaPort: number;
}

class UsageError extends Error {}

function readSettings(argv: string[]): Settings | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'data-dir': { type: 'string' },
        host: { type: 'string' },
        brokers: { type: 'string' },
        controllers: { type: 'string' },
        coordinators: { type: 'string' },
        'etcd-port': { type: 'string' },
        'etcd-peer-port': { type: 'string' },
        'controller-port': { type: 'string' },
        'broker-port': { type: 'string' },
        'coordinator-port': { type: 'string' },
        'metrics-port': { type: 'string' },
        'kafka-port': { type: 'string' },
        'otlp-endpoint': { type: 'string' },
        insecure: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return undefined;
  try {
    parseGcThreads(process.env.SAMSA_GC_THREADS ?? DEFAULT_GC_THREADS);
  } catch (err) {
    throw new UsageError(`SAMSA_GC_THREADS: ${err instanceof Error ? err.message : String(err)}`);
  }
  const int = (raw: string | undefined, name: string, min: number, max: number): number | undefined => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  const port = (raw: string | undefined, name: string): number | undefined => int(raw, name, 1, 65535);
  const brokers = int(values.brokers, 'brokers', 1, 50) ?? 3;
  const controllers = int(values.controllers, 'controllers', 1, 9) ?? 1;
  const coordinators = int(values.coordinators, 'coordinators', 0, 9) ?? 1;
  let ports: PortPlan;
  try {
    ports = planPorts({
      brokers,
      controllers,
      coordinators,
      etcdPort: port(values['etcd-port'], 'etcd-port'),
      etcdPeerPort: port(values['etcd-peer-port'], 'etcd-peer-port'),
      controllerPort: port(values['controller-port'], 'controller-port'),
      brokerPort: port(values['broker-port'], 'broker-port'),
      coordinatorPort: port(values['coordinator-port'], 'coordinator-port'),
      metricsPort: port(values['metrics-port'], 'metrics-port'),
    });
  } catch (err) {
    if (err instanceof PortPlanError) throw new UsageError(err.message);
    throw err;
  }
  return {
    dataDir: resolve(values['data-dir'] ?? 'data'),
    host: values.host ?? '127.0.0.1',
    brokers,
    controllers,
    coordinators,
    ports,
    otlpEndpoint: otlpEndpointOf(values['otlp-endpoint'] ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT),
    insecure: values.insecure === true,
    kafkaPort: values['kafka-port'] === '0' ? 0 : (port(values['kafka-port'], 'kafka-port') ?? 9192),
  };
}

/** An http(s) URL, or undefined for none; anything else is a usage error. */
function otlpEndpointOf(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new UsageError(`--otlp-endpoint must be a URL such as http://127.0.0.1:4318, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--otlp-endpoint must be an http(s) URL, got "${raw}"`);
  return raw.trim();
}

/** Resolves to true when nothing listens on host:port right now. */
function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const srv = createServer();
    srv.once('error', () => done(false));
    srv.listen(port, host, () => srv.close(() => done(true)));
  });
}

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

async function main(): Promise<number> {
  // A supervisor or a closed terminal may have taken our stdout away; a failed write must not
  // kill the launcher in the middle of stopping the cluster.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  let settings: Settings | undefined;
  try {
    settings = readSettings(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${HELP}\n`);
    return 2;
  }
  if (!settings) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (!findEtcdBinary()) {
    process.stderr.write(
      'etcd is not installed, and Samsa keeps its cluster metadata in etcd.\n' +
        'Install it with:\n\n    sudo apt-get install -y etcd-server\n\n' +
        '(or run `bash scripts/install.sh`, which installs everything), then `npm start` again.\n',
    );
    return 1;
  }
  const s = settings;
  const plan = s.ports;
  const busy: number[] = [];
  for (const port of portsOf(plan)) if (!(await portIsFree(s.host, port))) busy.push(port);
  if (busy.length > 0) {
    process.stderr.write(
      `port${busy.length > 1 ? 's' : ''} ${busy.join(', ')} on ${s.host} ${busy.length > 1 ? 'are' : 'is'} already in use: ` +
        'is another Samsa (or etcd) running? Stop it, or pick other ports (see `npm start -- --help`).\n',
    );
    return 1;
  }

  // From here on a stop may be asked for at any moment, even while the cluster is starting.
  let stopRequest: { why: string } | undefined;
  let wakeStopper: (() => void) | undefined;
  const requestStop = (why: string): void => {
    if (stopRequest) {
      process.stderr.write(`${why}: still stopping; the services get SIGKILL if they take over 10 s\n`);
      return;
    }
    stopRequest = { why };
    wakeStopper?.();
  };
  const onSignal = (signal: NodeJS.Signals): void => requestStop(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  const parentWatch = new ParentWatch((reason) => requestStop(reason));
  parentWatch.start();

  process.stdout.write(
    `starting Samsa: etcd, ${s.controllers} controller(s), ${s.brokers} brokers, ${s.coordinators} coordinator(s); data in ${s.dataDir}\n`,
  );
  let cluster: LocalCluster;
  try {
    cluster = await LocalCluster.start({
      dir: s.dataDir,
      brokers: s.brokers,
      controllers: s.controllers,
      coordinators: s.coordinators,
      host: s.host,
      ports: {
        etcd: plan.etcd.client,
        etcdPeer: plan.etcd.peer,
        controllers: plan.controllers,
        brokers: plan.brokers,
        coordinators: plan.coordinators,
        kafkaGateways: [s.kafkaPort],
      },
      metricsPorts: plan.metrics,
      kafkaGateways: s.kafkaPort === 0 ? 0 : 1,
      security: s.insecure ? 'insecure' : 'tls',
      // Its logs stay in the data dir, printed below.
      keepLogsOnFailedStart: false,
      ...(s.otlpEndpoint ? { env: { OTEL_EXPORTER_OTLP_ENDPOINT: s.otlpEndpoint } } : {}),
    });
  } catch (err) {
    parentWatch.stop();
    const during = stopRequest ? ` (${stopRequest.why} arrived while starting)` : '';
    process.stderr.write(
      `could not start the cluster${during}: ${err instanceof Error ? err.message : String(err)}\n(logs in ${resolve(s.dataDir, 'logs')})\n`,
    );
    return 1;
  }

  const rows = [['SERVICE', 'ADDRESS', 'METRICS', 'PID', 'LOG']];
  rows.push(['etcd', cluster.etcd.endpoint, '', String(cluster.etcd.child.pid ?? ''), cluster.etcd.child.logFile]);
  for (const p of [...cluster.controllers, ...cluster.brokers, ...cluster.coordinators, ...cluster.kafkaGateways])
    rows.push([p.name, p.address, p.metricsUrl ?? '', String(p.pid ?? ''), p.spec.logFile]);
  const bootstrap = cluster.bootstrap;
  // The CLI finds ./data/tls by itself; from another data dir it is told where to look.
  const defaultDataDir = s.dataDir === resolve('data');
  const tlsFlag = s.insecure
    ? ' --insecure'
    : defaultDataDir
      ? ''
      : ` --tls-ca ${cluster.clientTls?.ca} --tls-cert ${cluster.clientTls?.cert} --tls-key ${cluster.clientTls?.key}`;
  const flag = (bootstrap === '127.0.0.1:9092' ? '' : ` --bootstrap ${bootstrap}`) + tlsFlag;
  const security = s.insecure
    ? '\n*** INSECURE: plaintext gRPC, no authentication; anyone who reaches these ports is trusted. For development only. ***\n'
    : `\nTLS on every port, mutual TLS between services. CA and certificates: ${resolve(s.dataDir, 'tls')} ` +
      '(clients: ca.crt, and samsa-cli.crt + samsa-cli.key as a client certificate, a super-user; or ca.crt and a bearer token ' +
      'from `samsa tokens issue --subject NAME` for a principal given ACLs with `samsa acls add`; see docs/security.md).\n';
  process.stdout.write(
    `\n${table(rows)}\n${security}\nSamsa is running. In another terminal:\n\n` +
      `  npx samsa${flag} topics create demo --partitions 6\n` +
      `  seq 1 1000 | npx samsa${flag} produce demo\n` +
      `  npx samsa${flag} consume demo --from earliest\n` +
      `  npx samsa${flag} topics describe demo\n` +
      `  npx samsa${flag} cluster\n\n` +
      (s.otlpEndpoint ? `Traces go to ${s.otlpEndpoint} (OTLP/HTTP).\n` : 'Traces are off (no --otlp-endpoint).\n') +
      'Press Ctrl-C to stop.\n',
  );

  // A process that dies on its own is reported; the rest keep running (a cluster survives a broker).
  for (const p of [
    cluster.etcd.child,
    ...cluster.controllers.map((c) => c.child),
    ...cluster.brokers.map((b) => b.child),
    ...cluster.coordinators.map((c) => c.child),
  ]) {
    void p.waitExit().then((code) => {
      if (!stopRequest) process.stderr.write(`${p.name} exited (code ${code}); see ${p.logFile}\n`);
    });
  }

  await new Promise<void>((woken) => {
    wakeStopper = woken;
    if (stopRequest) woken();
  });
  parentWatch.stop();
  const why = stopRequest?.why ?? 'stop';
  process.stdout.write(`\n${why}: stopping coordinators, brokers, then controllers, then etcd...\n`);
  try {
    // On Ctrl-C (SIGINT) or a closed terminal (SIGHUP) every process of the foreground group got
    // the signal too and is already shutting down; the SIGTERM that stop() sends then is only
    // logged by the services (libs/service), so stopping in order is safe either way.
    await cluster.stop();
  } catch (err) {
    process.stderr.write(`error while stopping: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  process.stdout.write('stopped.\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
