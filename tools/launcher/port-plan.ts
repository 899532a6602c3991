/**
 * The port plan of `npm start`: which TCP port each process of a local cluster listens on, worked
 * out before anything starts, with no port used twice.
 *
 *   etcd          client --etcd-port (2379), peer --etcd-peer-port (default: client port + 1, 2380)
 *   brokers       broker i on      --broker-port      + (i-1)      9092, 9093, 9094, ...
 *   controllers   controller i on  --controller-port  - 2(i-1)     9090, 9088, 9086, ...
 *   coordinators  coordinator i on --coordinator-port - 2(i-1)     9091, 9089, 9087, ...
 *   /metrics      one per service from --metrics-port up, controllers, then brokers, then
 *                 coordinators                                      9464, 9465, ...
 *
 * Why this shape: one instance of each keeps the ports every service defaults to on its own and
 * that the docs use (controller 9090, coordinator 9091, first broker 9092, Kafka's port). Brokers
 * count up; controllers and coordinators count down every second port, interleaved, so with the
 * default bases no count of any of them (the launcher allows up to 9 controllers, 9 coordinators
 * and 50 brokers) ever meets another. Ports given by flags can make ranges meet: that is refused
 * with a PortPlanError naming both processes and the flags behind them, never left for a service
 * to find as EADDRINUSE.
 *
 * Pure: no sockets. Whether a planned port is free right now is the launcher's separate check.
 */

export const DEFAULT_PORTS = {
  etcd: 2379,
  controller: 9090,
  coordinator: 9091,
  broker: 9092,
  metrics: 9464,
} as const;

/** Counts and the first ports; an absent port takes its default. */
export interface PortRequest {
  brokers: number;
  controllers: number;
  coordinators: number;
  etcdPort?: number;
  /** Default: etcdPort + 1. */
  etcdPeerPort?: number;
  controllerPort?: number;
  coordinatorPort?: number;
  brokerPort?: number;
  metricsPort?: number;
}

export interface PortPlan {
  etcd: { client: number; peer: number };
  /** Index i is controller i+1, and so on. */
  controllers: number[];
  brokers: number[];
  coordinators: number[];
  metrics: { controllers: number[]; brokers: number[]; coordinators: number[] };
}

/** A plan that cannot be made: a port used twice, or one outside 1-65535. The message says which. */
export class PortPlanError extends Error {
  override readonly name = 'PortPlanError';
}

/** One planned port and where it came from, for error messages. */
interface Claim {
  port: number;
  /** "broker-2", "etcd (peer)", "controller-1 /metrics". */
  owner: string;
  /** "--broker-port 9092" or "--broker-port, default 9092". */
  source: string;
}

/**
 * Plans every port, or throws PortPlanError for the first port that is out of range and otherwise
 * for the first port claimed twice (in the order etcd, controllers, brokers, coordinators, /metrics).
 */
export function planPorts(request: PortRequest): PortPlan {
  const claims: Claim[] = [];
  const from = (flag: string, given: number | undefined, fallback: number): { base: number; source: string } =>
    given === undefined ? { base: fallback, source: `${flag}, default ${fallback}` } : { base: given, source: `${flag} ${given}` };
  const series = (
    count: number,
    flag: string,
    given: number | undefined,
    fallback: number,
    step: number,
    ownerOf: (i: number) => string,
  ): number[] => {
    const { base, source } = from(flag, given, fallback);
    return Array.from({ length: count }, (_, i) => {
      const port = base + step * i;
      claims.push({ port, owner: ownerOf(i), source });
      return port;
    });
  };

  const etcdClient = from('--etcd-port', request.etcdPort, DEFAULT_PORTS.etcd);
  const etcdPeer =
    request.etcdPeerPort === undefined
      ? { base: etcdClient.base + 1, source: '--etcd-peer-port, default --etcd-port + 1' }
      : { base: request.etcdPeerPort, source: `--etcd-peer-port ${request.etcdPeerPort}` };
  claims.push({ port: etcdClient.base, owner: 'etcd', source: etcdClient.source });
  claims.push({ port: etcdPeer.base, owner: 'etcd (peer)', source: etcdPeer.source });

  const named = (kind: string) => (i: number) => `${kind}-${i + 1}`;
  const controllers = series(
    request.controllers,
    '--controller-port',
    request.controllerPort,
    DEFAULT_PORTS.controller,
    -2,
    named('controller'),
  );
  const brokers = series(request.brokers, '--broker-port', request.brokerPort, DEFAULT_PORTS.broker, 1, named('broker'));
  const coordinators = series(
    request.coordinators,
    '--coordinator-port',
    request.coordinatorPort,
    DEFAULT_PORTS.coordinator,
    -2,
    named('coordinator'),
  );
  // One /metrics port per service, in the order the services were just planned.
  const serviceNames = claims.slice(2).map((c) => c.owner);
  const metrics = series(
    serviceNames.length,
    '--metrics-port',
    request.metricsPort,
    DEFAULT_PORTS.metrics,
    1,
    (i) => `${serviceNames[i] ?? '?'} /metrics`,
  );

  for (const c of claims) {
    if (!Number.isInteger(c.port) || c.port < 1 || c.port > 65535) {
      throw new PortPlanError(
        `${c.owner} would listen on port ${c.port} (from ${c.source}), outside 1-65535; pick a ${c.port < 1 ? 'higher' : 'lower'} first port`,
      );
    }
  }
  const seen = new Map<number, Claim>();
  for (const c of claims) {
    const earlier = seen.get(c.port);
    if (earlier) {
      throw new PortPlanError(
        `port ${c.port} would be used twice: by ${earlier.owner} (from ${earlier.source}) and by ${c.owner} (from ${c.source}); ` +
          'pick first ports whose ranges do not overlap (see `npm start -- --help` for how each range is laid out)',
      );
    }
    seen.set(c.port, c);
  }

  return {
    etcd: { client: etcdClient.base, peer: etcdPeer.base },
    controllers,
    brokers,
    coordinators,
    metrics: {
      controllers: metrics.slice(0, request.controllers),
      brokers: metrics.slice(request.controllers, request.controllers + request.brokers),
      coordinators: metrics.slice(request.controllers + request.brokers),
    },
  };
}

/** Every port of a plan, etcd first; each appears once (planPorts guarantees it). */
export function portsOf(plan: PortPlan): number[] {
  return [
    plan.etcd.client,
    plan.etcd.peer,
    ...plan.controllers,
    ...plan.brokers,
    ...plan.coordinators,
    ...plan.metrics.controllers,
    ...plan.metrics.brokers,
    ...plan.metrics.coordinators,
  ];
}
