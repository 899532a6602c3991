/**
 * The broker's configuration: SAMSA_* environment variables or flags (flags win), read once at
 * start. Defaults work for one broker on one machine. `npm run samsa -- ... --help` style tables
 * come from configTable(BROKER_CONFIG_SPEC).
 */
import { int, oneOf, str, type ConfigOf, type Option } from '../../libs/config/index.js';
import { DEFAULT_GC_THREADS, GC_THREADS_MODES, clusterServiceConfigSpec, loadServiceConfig } from '../../libs/service/index.js';
import { DEFAULT_RPC_LIMITS } from '../../libs/rpc/index.js';
import { DEFAULT_LOG_CONFIG, DEFAULT_TAIL_CACHE_BYTES, type LogConfig } from '../../libs/log/index.js';

type FsyncPolicy = LogConfig['fsync'];

/**
 * SAMSA_FSYNC: "batch" (fsync every append before acknowledging), "never" (leave it to the OS
 * and to replicas), or "interval:<ms>" (at most every <ms>).
 */
function fsyncOption(): Option<FsyncPolicy> {
  const def = DEFAULT_LOG_CONFIG.fsync;
  return {
    env: 'SAMSA_FSYNC',
    flag: 'fsync',
    default: def,
    description: 'fsync policy of partition logs: batch | never | interval:<ms>',
    show: (v) => (v.mode === 'interval' ? `interval:${v.intervalMs}` : v.mode === 'always' ? 'batch' : 'never'),
    parse(raw: string): FsyncPolicy {
      const v = raw.trim();
      if (v === 'batch' || v === 'always') return { ...def, mode: 'always' };
      if (v === 'never') return { ...def, mode: 'never' };
      const m = /^interval:(\d+)$/.exec(v);
      if (m && Number(m[1]) > 0) return { ...def, mode: 'interval', intervalMs: Number(m[1]) };
      throw new Error(`expected batch, never or interval:<ms>, got "${raw}"`);
    },
  };
}

export const BROKER_CONFIG_SPEC = {
  brokerId: int('SAMSA_BROKER_ID', 'broker-id', 1, "this broker's id, unique in the cluster", 0, 2147483647),
  ...clusterServiceConfigSpec({
    port: 9092,
    // 2 s, etcd's smallest TTL at its default election timeout: a dead broker's partitions move
    // within 1.3-2.5 s (ADR 0015); keep-alives go every TTL/3.
    leaseTtlSeconds: 2,
    leaseMeaning: "etcd lease TTL of the broker registration: how soon a dead broker's partitions move (keep-alives every TTL/3)",
    dataDir: './data/broker-1',
    dataDirMeaning: "directory of this broker's partition logs",
  }),
  rack: str('SAMSA_RACK', 'rack', '', 'rack/zone label for replica placement'),
  retentionCheckMs: int('SAMSA_RETENTION_CHECK_MS', 'retention-check-ms', 300_000, 'how often retention deletes old segments (0: never)'),
  fsync: fsyncOption(),
  gcThreads: oneOf(
    'SAMSA_GC_THREADS',
    'gc-threads',
    DEFAULT_GC_THREADS,
    GC_THREADS_MODES,
    "V8's GC on the main thread only (single: --single-threaded-gc) or with helper threads (parallel); auto: single on a machine of at most 2 cores. single costs ~30 MiB of broker RSS. V8 takes it only on the node command line: npm start passes it; started another way, give node the flag (ADR 0060)",
  ),
  logCleanerDedupeBufferBytes: int(
    'SAMSA_LOG_CLEANER_DEDUPE_BUFFER_BYTES',
    'log-cleaner-dedupe-buffer-bytes',
    16 * 1024 * 1024,
    "memory of the log cleaner's key map: 39,321 keys per MiB; a pass covers as many dirty segments as their keys fit (0: no cleaning)",
    0,
    2 ** 31 - 1,
  ),
  logCleanerIoMaxBytesPerSecond: int(
    'SAMSA_LOG_CLEANER_IO_MAX_BYTES_PER_SECOND',
    'log-cleaner-io-max-bytes-per-second',
    50 * 1024 * 1024,
    "the log cleaner's read plus write rate limit (0: no limit)",
    0,
    Number.MAX_SAFE_INTEGER,
  ),
  logCleanerBackoffMs: int(
    'SAMSA_LOG_CLEANER_BACKOFF_MS',
    'log-cleaner-backoff-ms',
    15_000,
    'how often the log cleaner looks for compacted partitions due for cleaning',
    100,
    3_600_000,
  ),
  replicaLagTimeMaxMs: int(
    'SAMSA_REPLICA_LAG_TIME_MAX_MS',
    'replica-lag-time-max-ms',
    10_000,
    'a follower not caught up with the leader for this long leaves the ISR (Kafka replica.lag.time.max.ms)',
    100,
    3_600_000,
  ),
  controlledShutdownTimeoutMs: int(
    'SAMSA_CONTROLLED_SHUTDOWN_TIMEOUT_MS',
    'controlled-shutdown-timeout-ms',
    5_000,
    'on SIGTERM, how long to wait for the controller to move leadership and ISR places off this broker before stopping (0: stop at once)',
    0,
    600_000,
  ),
  replicaFetchMaxBytes: int(
    'SAMSA_REPLICA_FETCH_MAX_BYTES',
    'replica-fetch-max-bytes',
    8 * 1024 * 1024,
    'bytes a leader sends a follower per replication response',
    1024,
    2 ** 31 - 1,
  ),
  replicaFetchWaitMaxMs: int(
    'SAMSA_REPLICA_FETCH_WAIT_MAX_MS',
    'replica-fetch-wait-max-ms',
    500,
    "how long a leader parks a follower's fetch when it has nothing new",
    0,
    5000,
  ),
  maxOpenLogFiles: int(
    'SAMSA_MAX_OPEN_LOG_FILES',
    'max-open-log-files',
    16_384,
    'most partition-log files open at once (an LRU pool: idle segments are closed and reopened on demand); lowered at start to fit under the open-files limit',
    16,
    1_048_576,
  ),
  tailCacheBytes: int(
    'SAMSA_TAIL_CACHE_BYTES',
    'tail-cache-bytes',
    DEFAULT_TAIL_CACHE_BYTES,
    'memory for the latest appended bytes of all this broker\'s partitions, so followers and tailing consumers read them without a file read (0: none); raise it when samsa_broker_tail_cache_reads_total{result="miss"} grows under load',
    0,
    1024 * 1024 * 1024,
  ),
  replicaIdleCloseMs: int(
    'SAMSA_REPLICA_IDLE_CLOSE_MS',
    'replica-idle-close-ms',
    600_000,
    "a replica whose log is not written or read below its end for this long closes its files and frees the log's memory; its next use opens them again (0: never)",
    0,
    2 ** 31 - 1,
  ),
  maxOpenReplicas: int(
    'SAMSA_MAX_OPEN_REPLICAS',
    'max-open-replicas',
    0,
    'most replicas with open logs: beyond it the least recently used ones not in use close their files, as idle ones do (0: no limit)',
    0,
    2 ** 31 - 1,
  ),
  maxMessageBytes: int(
    'SAMSA_MAX_MESSAGE_BYTES',
    'max-message-bytes',
    DEFAULT_RPC_LIMITS.maxMessageBytes,
    'largest gRPC message accepted or sent (must exceed the largest batch plus framing)',
    1024,
    2 ** 31 - 1,
  ),
} as const;

export type BrokerConfig = ConfigOf<typeof BROKER_CONFIG_SPEC>;

export function loadBrokerConfig(argv?: readonly string[], env?: NodeJS.ProcessEnv): BrokerConfig {
  return loadServiceConfig(BROKER_CONFIG_SPEC, argv, env);
}
