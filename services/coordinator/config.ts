/**
 * The coordinator's configuration: SAMSA_* environment variables or flags (flags win), read once
 * at start. Defaults work for one coordinator on one machine.
 */
import { int, type ConfigOf } from '../../libs/config/index.js';
import { clusterServiceConfigSpec, loadServiceConfig } from '../../libs/service/index.js';
import { DEFAULT_GROUP_LIMITS } from '../../libs/group/index.js';

export const COORDINATOR_CONFIG_SPEC = {
  coordinatorId: int('SAMSA_COORDINATOR_ID', 'coordinator-id', 1, "this coordinator's id, unique among coordinators", 0, 2147483647),
  ...clusterServiceConfigSpec({
    port: 9091,
    leaseTtlSeconds: 10,
    leaseMeaning: 'etcd lease TTL of the registration and partition claims (how long before another coordinator takes over a dead one)',
    dataDir: '',
    dataDirMeaning: 'unused by the coordinator (its state lives in __consumer_offsets); accepted for uniformity',
  }),
  offsetsTopicPartitions: int(
    'SAMSA_OFFSETS_TOPIC_PARTITIONS',
    'offsets-topic-partitions',
    12,
    'partitions of __consumer_offsets when the coordinator creates it (groups are spread over them)',
    1,
    1000,
  ),
  offsetsTopicReplicationFactor: int(
    'SAMSA_OFFSETS_TOPIC_REPLICATION_FACTOR',
    'offsets-topic-replication-factor',
    3,
    'replication factor of __consumer_offsets when created (lowered to the live brokers)',
    1,
    16,
  ),
  groupMinSessionTimeoutMs: int(
    'SAMSA_GROUP_MIN_SESSION_TIMEOUT_MS',
    'group-min-session-timeout-ms',
    DEFAULT_GROUP_LIMITS.minSessionTimeoutMs,
    'smallest session timeout a member may ask for',
    1,
    3_600_000,
  ),
  groupMaxSessionTimeoutMs: int(
    'SAMSA_GROUP_MAX_SESSION_TIMEOUT_MS',
    'group-max-session-timeout-ms',
    DEFAULT_GROUP_LIMITS.maxSessionTimeoutMs,
    'largest session timeout a member may ask for',
    1,
    3_600_000,
  ),
  lagRefreshMs: int(
    'SAMSA_LAG_REFRESH_MS',
    'lag-refresh-ms',
    10_000,
    'how often consumer lag is recomputed for /metrics (asks brokers for high watermarks)',
    100,
    3_600_000,
  ),
} as const;

export type CoordinatorConfig = ConfigOf<typeof COORDINATOR_CONFIG_SPEC>;

export function loadCoordinatorConfig(argv?: readonly string[], env?: NodeJS.ProcessEnv): CoordinatorConfig {
  return loadServiceConfig(COORDINATOR_CONFIG_SPEC, argv, env);
}
