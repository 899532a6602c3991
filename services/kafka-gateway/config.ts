/**
 * The Kafka gateway's configuration: SAMSA_* environment variables or flags (flags win), read once
 * at start. Defaults work beside `npm start`'s cluster on one machine.
 */
import { int, str, list, type ConfigOf } from '../../libs/config/index.js';
import { loadServiceConfig, serviceConfigSpec } from '../../libs/service/index.js';

export const GATEWAY_CONFIG_SPEC = {
  gatewayId: int(
    'SAMSA_GATEWAY_ID',
    'gateway-id',
    1,
    'the node id this gateway gives itself in Kafka Metadata (it is the only broker Kafka clients see)',
    0,
    2147483647,
  ),
  ...serviceConfigSpec({
    port: 9192,
    portMeaning: 'Kafka protocol port (TCP; TLS unless --insecure)',
    dataDir: '',
    dataDirMeaning: 'unused by the gateway (it keeps no state on disk); accepted for uniformity',
  }),
  // The gateway is a client of the brokers, not a member of the cluster: the block's etcd and
  // cluster id say so.
  etcdEndpoints: list(
    'SAMSA_ETCD_ENDPOINTS',
    'etcd-endpoints',
    [],
    'unused by the gateway (a client of the brokers); accepted for uniformity',
  ),
  clusterId: str('SAMSA_CLUSTER_ID', 'cluster-id', 'local', 'unused by the gateway (it reports the cluster id the brokers give)'),
  bootstrap: list('SAMSA_BOOTSTRAP', 'bootstrap', ['127.0.0.1:9092'], 'Samsa brokers to learn the cluster from, comma-separated host:port'),
  maxFrameBytes: int(
    'SAMSA_KAFKA_MAX_FRAME_BYTES',
    'kafka-max-frame-bytes',
    100 * 1024 * 1024,
    "largest Kafka request frame accepted (Kafka's socket.request.max.bytes); a larger size prefix closes the connection",
    1024,
    1024 * 1024 * 1024,
  ),
  groupHoldMs: int(
    'SAMSA_KAFKA_GROUP_HOLD_MS',
    'kafka-group-hold-ms',
    60_000,
    "how long a Kafka group stays held in Samsa's coordinator for this gateway without a renewal (docs/adr/0050); at least twice the longest session timeout of its members. Samsa GroupConsume members, and other gateways, can join a group this long after this gateway stopped without releasing it",
    1_000,
    600_000,
  ),
  requestTimeoutMs: int('SAMSA_REQUEST_TIMEOUT_MS', 'request-timeout-ms', 30_000, 'deadline of each call to Samsa', 100, 3_600_000),
} as const;

export type GatewayConfig = ConfigOf<typeof GATEWAY_CONFIG_SPEC>;

export function loadGatewayConfig(argv?: readonly string[], env?: NodeJS.ProcessEnv): GatewayConfig {
  return loadServiceConfig(GATEWAY_CONFIG_SPEC, argv, env, {
    tlsMissing:
      'TLS is on by default: the gateway needs SAMSA_TLS_CA (to verify Samsa) and SAMSA_TLS_CERT/SAMSA_TLS_KEY (its Kafka listener); `npm start` makes them under <data-dir>/tls/. For a plaintext development cluster set SAMSA_INSECURE=1.',
  });
}
