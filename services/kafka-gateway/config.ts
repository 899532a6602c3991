/**
 * The Kafka gateway's configuration: SAMSA_* environment variables or flags (flags win), read once
 * at start. Defaults work beside `npm start`'s cluster on one machine.
 */
import { advertiseOption, loadConfig, int, str, list, oneOf, type ConfigOf } from '../../libs/config/index.js';
import { LOG_LEVELS } from '../../libs/telemetry/index.js';
import { TLS_CONFIG_SPEC } from '../../libs/security/index.js';

export const GATEWAY_CONFIG_SPEC = {
  gatewayId: int(
    'SAMSA_GATEWAY_ID',
    'gateway-id',
    1,
    'the node id this gateway gives itself in Kafka Metadata (it is the only broker Kafka clients see)',
    0,
    2147483647,
  ),
  host: str('SAMSA_HOST', 'host', '127.0.0.1', 'address to listen on (bind); also advertised unless --advertise is set'),
  advertise: advertiseOption(),
  port: int('SAMSA_PORT', 'port', 9192, 'Kafka protocol port (TCP; TLS unless --insecure)', 0, 65535),
  bootstrap: list('SAMSA_BOOTSTRAP', 'bootstrap', ['127.0.0.1:9092'], 'Samsa brokers to learn the cluster from, comma-separated host:port'),
  maxFrameBytes: int(
    'SAMSA_KAFKA_MAX_FRAME_BYTES',
    'kafka-max-frame-bytes',
    100 * 1024 * 1024,
    "largest Kafka request frame accepted (Kafka's socket.request.max.bytes); a larger size prefix closes the connection",
    1024,
    1024 * 1024 * 1024,
  ),
  requestTimeoutMs: int('SAMSA_REQUEST_TIMEOUT_MS', 'request-timeout-ms', 30_000, 'deadline of each call to Samsa', 100, 3_600_000),
  logLevel: oneOf('SAMSA_LOG_LEVEL', 'log-level', 'info', LOG_LEVELS, 'log level'),
  etcdEndpoints: list(
    'SAMSA_ETCD_ENDPOINTS',
    'etcd-endpoints',
    [],
    'unused by the gateway (a client of the brokers); accepted for uniformity',
  ),
  clusterId: str('SAMSA_CLUSTER_ID', 'cluster-id', 'local', 'unused by the gateway (it reports the cluster id the brokers give)'),
  dataDir: str('SAMSA_DATA_DIR', 'data-dir', '', 'unused by the gateway (it keeps no state on disk); accepted for uniformity'),
  ...TLS_CONFIG_SPEC,
} as const;

export type GatewayConfig = ConfigOf<typeof GATEWAY_CONFIG_SPEC>;

export function loadGatewayConfig(argv?: readonly string[], env?: NodeJS.ProcessEnv): GatewayConfig {
  return loadConfig(GATEWAY_CONFIG_SPEC, argv, env);
}
