/**
 * The controller's configuration: SAMSA_* environment variables or flags (flags win), read once at
 * start. Defaults work for one controller on one machine.
 */
import { int, type ConfigOf } from '../../libs/config/index.js';
import { clusterServiceConfigSpec, loadServiceConfig } from '../../libs/service/index.js';
import { DEFAULT_MAX_REPLICAS_PER_BROKER } from '../../libs/cluster/index.js';
import {
  DEFAULT_LEADER_IMBALANCE_CHECK_MS,
  DEFAULT_LEADER_IMBALANCE_PERCENT,
  DEFAULT_REASSIGNMENT_THROTTLE_BYTES_PER_SECOND,
} from '../../libs/controller/index.js';

export const CONTROLLER_CONFIG_SPEC = {
  controllerId: int('SAMSA_CONTROLLER_ID', 'controller-id', 1, "this controller's id (for logs and metadata)", 0, 2147483647),
  ...clusterServiceConfigSpec({
    port: 9090,
    leaseTtlSeconds: 10,
    leaseMeaning: 'etcd lease TTL of the election campaign (failover time)',
    dataDir: '',
    dataDirMeaning: 'unused by the controller (it keeps no state of its own); accepted for uniformity',
  }),
  leaderRebalanceDelayMs: int(
    'SAMSA_LEADER_REBALANCE_DELAY_MS',
    'leader-rebalance-delay-ms',
    10_000,
    'after a broker returns (or an ISR changes), wait this long, then move leadership back to preferred replicas that are in sync, on brokers whose leader imbalance exceeds --leader-imbalance-percent (0: no automatic rebalance at all)',
    0,
    3_600_000,
  ),
  leaderImbalancePercent: int(
    'SAMSA_LEADER_IMBALANCE_PERCENT',
    'leader-imbalance-percent',
    DEFAULT_LEADER_IMBALANCE_PERCENT,
    "automatic rebalance threshold: a broker's preferred partitions move back to it when more than this percentage of them are led elsewhere (Kafka's leader.imbalance.per.broker.percentage)",
    0,
    100,
  ),
  leaderImbalanceCheckMs: int(
    'SAMSA_LEADER_IMBALANCE_CHECK_MS',
    'leader-imbalance-check-ms',
    DEFAULT_LEADER_IMBALANCE_CHECK_MS,
    "how often the leader imbalance is checked besides after changes (Kafka's leader.imbalance.check.interval.seconds)",
    1_000,
    86_400_000,
  ),
  reassignmentThrottleBytesPerSec: int(
    'SAMSA_REASSIGNMENT_THROTTLE_BYTES_PER_SEC',
    'reassignment-throttle-bytes-per-sec',
    DEFAULT_REASSIGNMENT_THROTTLE_BYTES_PER_SECOND,
    'replication throttle of replicas being added by a reassignment that names none (bytes per second per receiving broker)',
    1_024,
    2_147_483_647,
  ),
  maxReplicasPerBroker: int(
    'SAMSA_MAX_REPLICAS_PER_BROKER',
    'max-replicas-per-broker',
    DEFAULT_MAX_REPLICAS_PER_BROKER,
    'CreateTopic and CreatePartitions fail with POLICY_VIOLATION when a broker would host more partition replicas than this (docs/adr/0014-replica-budget-per-broker.md)',
    1,
    1_000_000,
  ),
} as const;

export type ControllerConfig = ConfigOf<typeof CONTROLLER_CONFIG_SPEC>;

export function loadControllerConfig(argv?: readonly string[], env?: NodeJS.ProcessEnv): ControllerConfig {
  return loadServiceConfig(CONTROLLER_CONFIG_SPEC, argv, env);
}
