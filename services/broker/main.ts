/**
 * The storage broker process. Start order: data dir writable? -> etcd + cluster view -> open the
 * partition replicas assigned here (recovering their logs) -> gRPC server -> register in etcd
 * under a lease -> health SERVING. Until it has registered, and the controller has published
 * state for this incarnation (the registration's revision, its broker epoch), it leads nothing and
 * fetches from no one, whatever the metadata said for its previous process (KIP-380). Shutdown (SIGTERM/SIGINT) reverses it: NOT_SERVING, end
 * streams and long polls, stop the server (in-flight calls finish), close the logs (clean
 * markers), leave etcd.
 *
 * If the registration lease is lost (etcd unreachable longer than the TTL), the broker keeps
 * serving what it can and re-registers with backoff until it succeeds or shuts down.
 */
import { mkdir, open, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { meter, BrokerMetrics, type Logger } from '../../libs/telemetry/index.js';
import { advertisedAddress, formatHostPort } from '../../libs/config/index.js';
import {
  gcThreadsMismatch,
  gcThreadsOfProcess,
  joinCluster,
  runService,
  serveGrpc,
  setHeapGrowth,
  type Resources,
  type Running,
} from '../../libs/service/index.js';
import { DEFAULT_RPC_LIMITS } from '../../libs/rpc/index.js';
import { MembershipOwner, ProducerIdAllocator, controlledShutdown, type BrokerRegistration } from '../../libs/cluster/index.js';
import { RoundRobinPartitioner } from '../../libs/partitioner/index.js';
import { ReplicaManager, BatchValidatorPool, DEFAULT_BROKER_LOG_DEFAULTS, type OfflineReplica } from '../../libs/replica/index.js';
import { ReplicationManager } from '../../libs/replica-sync/index.js';
import { replicationHandlers } from './handlers/replicate.js';
import { CoordinatorKeys, OFFSETS_TOPIC } from '../../libs/group/index.js';
import { loadBrokerConfig, type BrokerConfig } from './config.js';
import { Forwarder } from './forwarding.js';
import { systemClock } from '../../libs/runtime/index.js';
import { logFilePoolForBroker } from './fd-limit.js';
import { ReadBufferPool } from '../../libs/log/index.js';
import { brokerHandlers, findCoordinatorHandlers } from './handlers/index.js';

/** How long in-flight calls may take to finish on shutdown before they are cancelled. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Fails fast, naming the directory and the fix, when the data dir cannot be created or written:
 * better than failing later on the first partition open with an obscure EACCES.
 */
async function checkDataDirWritable(dir: string): Promise<void> {
  const probe = join(dir, `.write-probe-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(probe, 'w');
    try {
      await handle.write('ok\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await unlink(probe);
  } catch (err) {
    throw new Error(
      `data directory ${resolve(dir)} is not writable (${err instanceof Error ? err.message : String(err)}); ` +
        'create it and give this user write permission, or point SAMSA_DATA_DIR (--data-dir) at a writable directory',
    );
  }
}

// Before the first full GC sets the old generation's limit: a broker's GC is driven by the external
// buffers produce brings in (libs/service/heap-growth.ts, ADR 0059).
setHeapGrowth();

runService({
  kind: 'broker',
  loadConfig: () => loadBrokerConfig(),
  instance: (config) => `broker-${config.brokerId}`,
  // Before any channel is made: this process's calls (forwarding, replication) say they are this broker (libs/rpc/principal.ts).
  identity: (config) => String(config.brokerId),
  start,
});

/**
 * Builds the broker in start order (module comment). Closers are registered so that the stack
 * closes, after drain(): replication, the server (in-flight calls finish), forwarding clients, the
 * logs (clean markers), then the etcd registration, the shutdown marker, the view and etcd.
 */
async function start(config: BrokerConfig, logger: Logger, resources: Resources): Promise<Running> {
  const gcMismatch = gcThreadsMismatch(config.gcThreads);
  if (gcMismatch) logger.warn(gcMismatch);
  await checkDataDirWritable(config.dataDir);
  // Before any log opens: partition count must never decide how many descriptors are open.
  const { files, tailCache, openLog } = await logFilePoolForBroker(config.maxOpenLogFiles, config.tailCacheBytes, logger);
  // TLS, etcd, the cluster view, access control (with quotas: brokers enforce them).
  const { etcd, keys, view, leases } = await joinCluster(config, logger, resources, { quotas: true });
  // Ended after the registration is gone (libs/cluster controlled-shutdown.ts).
  let shutdownMarker: { end(): Promise<void> } | undefined;
  resources.defer('controlled shutdown marker', () => shutdownMarker?.end());
  // Offline replicas found while opening are reported once registered (the report lives under the lease).
  let offlineNow: OfflineReplica[] = [];
  let membershipOwner: MembershipOwner | undefined;
  // Left after the logs are closed: the controller sees the broker go only once its logs are clean.
  resources.defer('etcd registration', () => membershipOwner?.leave());
  const replicas = await ReplicaManager.start({
    onOfflineChange: (offline) => {
      offlineNow = offline;
      membershipOwner?.reportOffline(offline);
    },
    brokerId: config.brokerId,
    dataDir: config.dataDir,
    view,
    logger,
    retentionCheckMs: config.retentionCheckMs,
    ...(config.logCleanerDedupeBufferBytes > 0
      ? {
          cleaner: {
            dedupeBufferBytes: config.logCleanerDedupeBufferBytes,
            ioMaxBytesPerSecond: config.logCleanerIoMaxBytesPerSecond > 0 ? config.logCleanerIoMaxBytesPerSecond : Number.POSITIVE_INFINITY,
            backoffMs: config.logCleanerBackoffMs,
          },
        }
      : {}),
    logDefaults: { ...DEFAULT_BROKER_LOG_DEFAULTS, fsync: config.fsync },
    openLog,
    files,
    idleReplicaCloseMs: config.replicaIdleCloseMs,
    maxOpenReplicas: config.maxOpenReplicas,
  });
  resources.defer('partition replicas', () => replicas.close());
  const limits = { ...DEFAULT_RPC_LIMITS, maxMessageBytes: config.maxMessageBytes };
  const forwarder = resources.own('forwarding clients', new Forwarder(config.brokerId, view, limits), (f) => f.close());
  // Replication starts later; until then nothing has been copied.
  let throttledBytes = (): number => 0;
  const metrics = resources.own(
    'broker metrics',
    new BrokerMetrics({
      partitions: () => replicas.partitions(),
      replicationFactor: (t, p) => view.partition(t, p)?.replicas.length,
      minInsyncReplicas: (t) => view.topic(t)?.config.minInsyncReplicas,
      reassignmentBytes: () => throttledBytes(),
      tailCacheReads: () => ({ hits: tailCache.hits, misses: tailCache.misses }),
    }),
    (m) => m.close(),
  );
  const shutdown = new AbortController();
  const validator = resources.own('batch validation worker', new BatchValidatorPool(), (v) => v.close());
  const readBuffers = new ReadBufferPool();
  const producerIds = new ProducerIdAllocator(etcd, keys);
  // Parked long polls, Consume streams and acks=all produces: returns to 0 when clients leave
  // (the integration tests read it from /metrics as the leak check).
  const waiters = meter.createObservableGauge('samsa.broker.parked_waiters', {
    description: 'Fetch long polls, Consume streams and acks=all produces waiting for the high watermark',
  });
  const observeWaiters = (result: { observe(value: number): void }): void => result.observe(replicas.waiterCount);
  waiters.addCallback(observeWaiters);
  resources.defer('parked waiters gauge', () => waiters.removeCallback(observeWaiters));
  const endpoint = await serveGrpc(resources, {
    host: config.host,
    port: config.port,
    limits,
    graceMs: SHUTDOWN_GRACE_MS,
    services: [
      {
        service: 'BrokerService',
        handlers: brokerHandlers({
          brokerId: config.brokerId,
          clusterId: config.clusterId,
          view,
          replicas,
          forwarder,
          keyless: new RoundRobinPartitioner(),
          logger,
          metrics,
          shutdown: shutdown.signal,
          maxMessageBytes: config.maxMessageBytes,
          validator,
          allocateProducerId: () => producerIds.allocate(),
          clock: systemClock,
          readBuffers,
        }),
      },
      {
        service: 'ReplicationService',
        handlers: replicationHandlers({
          brokerId: config.brokerId,
          replicas,
          logger,
          shutdown: shutdown.signal,
          maxMessageBytes: config.maxMessageBytes,
          brokerEpochOf: (id) => view.broker(id)?.brokerEpoch,
          readBuffers,
        }),
      },
      // Consumer groups: any broker answers FindCoordinator (the coordinators own the rest, which
      // answer UNIMPLEMENTED here).
      {
        service: 'CoordinatorService',
        handlers: findCoordinatorHandlers(etcd, new CoordinatorKeys(config.clusterId), () => view.topic(OFFSETS_TOPIC)?.partitions),
      },
    ],
  });
  const { port } = endpoint;
  const advertised = advertisedAddress(config.advertise, config.host, port);
  const replication = new ReplicationManager({
    brokerId: config.brokerId,
    replicas,
    view,
    etcd,
    keys,
    logger,
    limits,
    lagTimeMaxMs: config.replicaLagTimeMaxMs,
    fetchMaxBytes: config.replicaFetchMaxBytes,
    fetchMaxWaitMs: config.replicaFetchWaitMaxMs,
    onIsrChanged: (topic, partition, before, after) => metrics.isrChanged(topic, partition, before, after),
  });
  resources.defer('replication', () => replication.close());
  throttledBytes = () => replication.reassignmentThrottle.throttledBytes;

  // brokerEpoch is the revision that creates the key: etcd assigns it (Membership.revision).
  const registration: Omit<BrokerRegistration, 'brokerEpoch'> = {
    id: config.brokerId,
    host: advertised.host,
    port: advertised.port,
    rack: config.rack,
    startedAtMs: systemClock.nowMs(),
    cleanStart: replicas.cleanStart,
  };
  membershipOwner = new MembershipOwner(
    etcd,
    keys,
    registration,
    config.leaseTtlSeconds,
    logger,
    (brokerEpoch) => {
      replicas.setIncarnation(brokerEpoch);
      logger.info(
        { brokerEpoch },
        brokerEpoch === undefined
          ? 'registration lost: leading and following nothing until registered again'
          : 'registered as a new incarnation; leading and following once the controller admits it',
      );
    },
    leases,
  );
  membershipOwner.reportOffline(offlineNow);
  await membershipOwner.join();
  logger.info(
    {
      brokerId: config.brokerId,
      address: `${config.host}:${port}`,
      advertised: formatHostPort(advertised),
      dataDir: resolve(config.dataDir),
      partitions: replicas.partitions().length,
      cleanStart: replicas.cleanStart,
      gcThreads: gcThreadsOfProcess(),
    },
    'broker serving',
  );

  return {
    endpoint,
    async handOver() {
      // Leadership and ISR places (libs/cluster controlled-shutdown.ts), while still serving.
      shutdownMarker = await controlledShutdown({
        brokerId: config.brokerId,
        brokerEpoch: replicas.brokerEpoch,
        view,
        etcd,
        keys,
        ttlSeconds: config.leaseTtlSeconds,
        timeoutMs: config.controlledShutdownTimeoutMs,
        logger,
      });
    },
    async drain() {
      shutdown.abort();
    },
  };
}
