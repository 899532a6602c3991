/**
 * `npm start`: a whole Samsa cluster on this machine, in the foreground. Starts etcd, one
 * controller, three brokers and one group coordinator (LocalCluster) on fixed ports, keeps their data under --data-dir
 * (so a restart finds the topics again), prints where everything listens and where the logs are,
 * and stops everything in order on Ctrl-C or SIGTERM.
 *
 *   npm start -- --data-dir /tmp/samsa --brokers 5 --broker-port 19092
 */
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findEtcdBinary } from './etcd.js';
import { LocalCluster } from './cluster.js';

const HELP = `Usage: npm start -- [options]

Starts etcd, the controller(s), the brokers and the group coordinator(s) of a local Samsa cluster;
Ctrl-C stops them all.

Options:
  --data-dir DIR          data and logs of every process (default ./data)
  --host HOST             address to listen on (default 127.0.0.1)
  --brokers N             number of brokers (default 3)
  --controllers N         number of controllers; more than one are standbys (default 1)
  --coordinators N        number of consumer-group coordinators (default 1)
  --etcd-port PORT        etcd client port (default 2379)
  --controller-port PORT  first controller port (default 9090)
  --broker-port PORT      first broker port; broker i listens on PORT+i-1 (default 9092)
  --coordinator-port PORT first coordinator port; coordinator i listens on PORT-i+1 (default 9091)
  --metrics-port PORT     first Prometheus /metrics port, one per service (default 9464)
  --otlp-endpoint URL     send every service's traces over OTLP/HTTP to URL, e.g.
                          http://127.0.0.1:4318 (Jaeger); default $OTEL_EXPORTER_OTLP_ENDPOINT,
                          and without either no traces are exported
  -h, --help              this help`;

interface Settings {
  dataDir: string;
  host: string;
  brokers: number;
  controllers: number;
  coordinators: number;
  etcdPort: number;
  controllerPort: number;
  brokerPort: number;
  coordinatorPort: number;
  metricsPort: number;
  /** OTLP endpoint handed to every service; undefined: none (the services' own OTEL_* env applies). */
  otlpEndpoint: string | undefined;
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
        'coordinator-port': { type: 'string' },
        'etcd-port': { type: 'string' },
        'controller-port': { type: 'string' },
        'broker-port': { type: 'string' },
        'metrics-port': { type: 'string' },
        'otlp-endpoint': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return undefined;
  const int = (raw: string | undefined, name: string, fallback: number, min: number, max: number): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  return {
    dataDir: resolve(values['data-dir'] ?? 'data'),
    host: values.host ?? '127.0.0.1',
    brokers: int(values.brokers, 'brokers', 3, 1, 50),
    controllers: int(values.controllers, 'controllers', 1, 1, 9),
    coordinators: int(values.coordinators, 'coordinators', 1, 0, 9),
    coordinatorPort: int(values['coordinator-port'], 'coordinator-port', 9091, 1, 65535),
    etcdPort: int(values['etcd-port'], 'etcd-port', 2379, 1, 65535),
    controllerPort: int(values['controller-port'], 'controller-port', 9090, 1, 65535),
    brokerPort: int(values['broker-port'], 'broker-port', 9092, 1, 65535),
    metricsPort: int(values['metrics-port'], 'metrics-port', 9464, 1, 65535),
    otlpEndpoint: otlpEndpointOf(values['otlp-endpoint'] ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT),
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

function range(first: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => first + i);
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
  const controllerPorts = range(s.controllerPort, s.controllers);
  const brokerPorts = range(s.brokerPort, s.brokers);
  // Coordinators count down from 9091 so they never meet the brokers counting up from 9092.
  const coordinatorPorts = Array.from({ length: s.coordinators }, (_, i) => s.coordinatorPort - i);
  const metricsPorts = range(s.metricsPort, s.controllers + s.brokers + s.coordinators);
  const wanted = [s.etcdPort, ...controllerPorts, ...brokerPorts, ...coordinatorPorts, ...metricsPorts];
  const busy: number[] = [];
  for (const port of wanted) if (!(await portIsFree(s.host, port))) busy.push(port);
  if (busy.length > 0) {
    process.stderr.write(
      `port${busy.length > 1 ? 's' : ''} ${busy.join(', ')} on ${s.host} ${busy.length > 1 ? 'are' : 'is'} already in use: ` +
        'is another Samsa (or etcd) running? Stop it, or pick other ports (see `npm start -- --help`).\n',
    );
    return 1;
  }

  process.stdout.write(`starting Samsa: etcd, ${s.controllers} controller(s), ${s.brokers} brokers, ${s.coordinators} coordinator(s); data in ${s.dataDir}\n`);
  let cluster: LocalCluster;
  try {
    // LocalCluster picks the etcd peer port itself; the client port is fixed.
    cluster = await LocalCluster.start({
      dir: s.dataDir,
      brokers: s.brokers,
      controllers: s.controllers,
      coordinators: s.coordinators,
      host: s.host,
      ports: { etcd: s.etcdPort, controllers: controllerPorts, brokers: brokerPorts, coordinators: coordinatorPorts },
      metricsPorts: {
        controllers: metricsPorts.slice(0, s.controllers),
        brokers: metricsPorts.slice(s.controllers, s.controllers + s.brokers),
        coordinators: metricsPorts.slice(s.controllers + s.brokers),
      },
      ...(s.otlpEndpoint ? { env: { OTEL_EXPORTER_OTLP_ENDPOINT: s.otlpEndpoint } } : {}),
    });
  } catch (err) {
    process.stderr.write(`could not start the cluster: ${err instanceof Error ? err.message : String(err)}\n(logs in ${resolve(s.dataDir, 'logs')})\n`);
    return 1;
  }

  const rows = [['SERVICE', 'ADDRESS', 'METRICS', 'LOG']];
  rows.push(['etcd', cluster.etcd.endpoint, '', cluster.etcd.child.logFile]);
  for (const p of [...cluster.controllers, ...cluster.brokers, ...cluster.coordinators]) rows.push([p.name, p.address, p.metricsUrl ?? '', p.spec.logFile]);
  const bootstrap = cluster.bootstrap;
  const flag = bootstrap === '127.0.0.1:9092' ? '' : ` --bootstrap ${bootstrap}`;
  process.stdout.write(
    `\n${table(rows)}\n\nSamsa is running. In another terminal:\n\n` +
      `  npx samsa${flag} topics create demo --partitions 6\n` +
      `  seq 1 1000 | npx samsa${flag} produce demo\n` +
      `  npx samsa${flag} consume demo --from earliest\n` +
      `  npx samsa${flag} topics describe demo\n` +
      `  npx samsa${flag} cluster\n\n` +
      (s.otlpEndpoint ? `Traces go to ${s.otlpEndpoint} (OTLP/HTTP).\n` : 'Traces are off (no --otlp-endpoint).\n') +
      'Press Ctrl-C to stop.\n',
  );

  let stopping = false;
  // A process that dies on its own is reported; the rest keep running (a cluster survives a broker).
  for (const p of [cluster.etcd.child, ...cluster.controllers.map((c) => c.child), ...cluster.brokers.map((b) => b.child), ...cluster.coordinators.map((c) => c.child)]) {
    void p.waitExit().then((code) => {
      if (!stopping) process.stderr.write(`${p.name} exited (code ${code}); see ${p.logFile}\n`);
    });
  }

  return new Promise<number>((done) => {
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write('still stopping; press Ctrl-C again in a moment to give up waiting\n');
        return;
      }
      stopping = true;
      process.stdout.write(`\n${signal}: stopping coordinators, brokers, then controllers, then etcd...\n`);
      // On Ctrl-C the terminal sends SIGINT to every process of the group, so the services are
      // already shutting down; LocalCluster.stop() then waits for them (and signals stragglers).
      const children = [...cluster.coordinators, ...cluster.brokers, ...cluster.controllers].map((p) => p.child);
      const settle = signal === 'SIGINT' ? Promise.race([Promise.all(children.map((c) => c.waitExit())), new Promise((r) => setTimeout(r, 5_000))]) : Promise.resolve();
      settle
        .then(() => cluster.stop())
        .then(
          () => {
            process.stdout.write('stopped.\n');
            done(0);
          },
          (err: unknown) => {
            process.stderr.write(`error while stopping: ${err instanceof Error ? err.message : String(err)}\n`);
            done(1);
          },
        );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
