/**
 * The first steps of every cluster member's start() (broker, controller, coordinator), in one
 * place: transport security first (a member without its certificate, and not --insecure, must not
 * join the cluster), then the etcd client, the thread that keeps its etcd leases alive (ADR 0057),
 * the cluster view it reads metadata from, and access control (ACLs, tokens; quotas on brokers),
 * which must be installed before the member makes its gRPC server. Each is registered on the
 * service's Resources, so a start that fails later, and the stop, close them in reverse order
 * (access control, view, lease thread, etcd client, transport security).
 */
import type { Etcd3 } from 'etcd3';
import { ClusterView, LeaseKeeper, MetadataKeys, connectEtcd } from '../cluster/index.js';
import { startAccessControl, startTransportSecurity, type AccessControl } from '../security/index.js';
import { LeaseMetrics, type Logger } from '../telemetry/index.js';
import type { ClusterServiceConfig } from './config.js';
import type { Resources } from './resources.js';

/** What a cluster member has once joined: its etcd client, the cluster's keys and view, its access guard. */
export interface ClusterMember {
  readonly etcd: Etcd3;
  readonly keys: MetadataKeys;
  readonly view: ClusterView;
  readonly access: AccessControl;
  /** Keeps the member's etcd leases alive off the main thread (ADR 0057). */
  readonly leases: LeaseKeeper;
}

export async function joinCluster(
  config: ClusterServiceConfig,
  logger: Logger,
  resources: Resources,
  options: { readonly quotas: boolean },
): Promise<ClusterMember> {
  const security = startTransportSecurity(config, logger);
  resources.defer('transport security', () => security.close());
  const keys = new MetadataKeys(config.clusterId);
  const etcd = resources.own('etcd client', connectEtcd(config.etcdEndpoints), (e) => e.close());
  // Started beside the view's first read (a worker takes ~1 s to load on a busy machine); closed
  // after everything registered later, so after the leases it keeps were given up.
  const leaseMetrics = new LeaseMetrics();
  const leasesStarting = LeaseKeeper.start({
    endpoints: config.etcdEndpoints,
    stallLimitMs: config.leaseStallLimitSeconds * 1_000,
    logger,
    onStallRevoked: () => leaseMetrics.stallRevoked(),
  });
  const started = leasesStarting.catch(() => undefined); // also: a failure before it is awaited below is no unhandled rejection
  resources.defer('lease keep-alive thread', async () => (await started)?.close());
  const view = await ClusterView.start(etcd, keys, logger).catch((err: unknown) => {
    throw new Error(
      `cannot read cluster metadata from etcd at ${config.etcdEndpoints.join(',')}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  });
  resources.defer('cluster view', () => view.close());
  const access = await startAccessControl({ config, etcd, clusterRoot: keys.root, logger, quotas: options.quotas });
  resources.defer('access control', () => access.close());
  const leases = await leasesStarting;
  return { etcd, keys, view, access, leases };
}
