/**
 * The configuration block every Samsa service process shares, defined once: where it listens and
 * what it advertises, the etcd it finds the cluster in, its log level, its data directory, its TLS
 * settings; and, for the services that are members of the cluster (broker, controller,
 * coordinator), their etcd lease and access control. A service's spec is its id, this block, then
 * its own options (`{ brokerId, ...clusterServiceConfigSpec({...}), ...own }`); what differs
 * between services inside the block (default port, what the data directory holds, the lease's
 * meaning) is a parameter, so the README tables (scripts/config-tables.mjs) say it per service.
 *
 * loadServiceConfig reads a spec like libs/config loadConfig and then checks the rule that spans
 * fields of the block (TLS files vs --insecure), so a bad combination is a configuration error
 * listed with the others, the same for every service, before anything starts.
 */
import { advertiseOption, ConfigError, int, list, loadConfig, oneOf, str, type ConfigOf, type Spec } from '../config/index.js';
import { ACCESS_CONFIG_SPEC, TLS_CONFIG_SPEC, tlsSettingsProblem } from '../security/index.js';
import { LOG_LEVELS } from '../telemetry/index.js';

export interface ServiceConfigDefaults {
  /** Default port, and what listens on it (default: "gRPC port"). */
  port: number;
  portMeaning?: string;
  /** Default of --data-dir and what it holds for this service (or why it holds nothing). */
  dataDir: string;
  dataDirMeaning: string;
}

/** The block every service process reads. */
export function serviceConfigSpec(d: ServiceConfigDefaults) {
  return {
    host: str('SAMSA_HOST', 'host', '127.0.0.1', 'address to listen on (bind); also advertised unless --advertise is set'),
    advertise: advertiseOption(),
    port: int('SAMSA_PORT', 'port', d.port, d.portMeaning ?? 'gRPC port', 0, 65535),
    etcdEndpoints: list('SAMSA_ETCD_ENDPOINTS', 'etcd-endpoints', ['127.0.0.1:2379'], 'etcd endpoints, comma-separated'),
    clusterId: str('SAMSA_CLUSTER_ID', 'cluster-id', 'local', 'cluster id: the etcd key prefix /samsa/<id>'),
    logLevel: oneOf('SAMSA_LOG_LEVEL', 'log-level', 'info', LOG_LEVELS, 'log level'),
    dataDir: str('SAMSA_DATA_DIR', 'data-dir', d.dataDir, d.dataDirMeaning),
    ...TLS_CONFIG_SPEC,
  } as const;
}

export interface ClusterServiceConfigDefaults extends ServiceConfigDefaults {
  /** Default etcd lease TTL, and what the lease holds for this service. */
  leaseTtlSeconds: number;
  leaseMeaning: string;
}

/** The block of a cluster member (broker, controller, coordinator): the common block, its etcd lease, access control. */
export function clusterServiceConfigSpec(d: ClusterServiceConfigDefaults) {
  const { host, advertise, port, etcdEndpoints, clusterId, logLevel, dataDir, ...tls } = serviceConfigSpec(d);
  return {
    host,
    advertise,
    port,
    etcdEndpoints,
    clusterId,
    logLevel,
    leaseTtlSeconds: int('SAMSA_LEASE_TTL_SECONDS', 'lease-ttl-seconds', d.leaseTtlSeconds, d.leaseMeaning, 2, 3600),
    leaseStallLimitSeconds: int(
      'SAMSA_LEASE_STALL_LIMIT_SECONDS',
      'lease-stall-limit-seconds',
      15,
      'keep-alives run on a thread of their own and survive main-thread stalls up to this long; past it the lease is revoked, so a hung process leaves (ADR 0057)',
      1,
      3600,
    ),
    dataDir,
    ...tls,
    ...ACCESS_CONFIG_SPEC,
  } as const;
}

/** The common block as read: what code shared by every service may rely on. */
export type ServiceConfig = ConfigOf<ReturnType<typeof serviceConfigSpec>>;

/** A cluster member's block as read (libs/service joinCluster relies on it). */
export type ClusterServiceConfig = ConfigOf<ReturnType<typeof clusterServiceConfigSpec>>;

/**
 * Reads `spec` (flags win over SAMSA_* variables; libs/config), then checks the TLS rule
 * (tlsSettingsProblem; `tlsMissing` says what this service needs the files for). Throws
 * ConfigError naming every problem.
 */
export function loadServiceConfig<S extends Spec>(
  spec: S,
  argv?: readonly string[],
  env?: NodeJS.ProcessEnv,
  options: { tlsMissing?: string } = {},
): ConfigOf<S> & ServiceConfig {
  const config = loadConfig(spec, argv, env) as ConfigOf<S> & ServiceConfig;
  const problem = tlsSettingsProblem(config, options.tlsMissing);
  if (problem) throw new ConfigError([problem]);
  return config;
}
