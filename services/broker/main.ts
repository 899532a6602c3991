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
import { createLogger, meter, BrokerMetrics, type Logger } from '../../libs/telemetry/index.js';
import { runService, type RunningService } from '../../libs/service/index.js';
import { startTransportSecurity } from '../../libs/security/index.js';
import { ConfigError } from '../../libs/config/index.js';
import { createServer, bindServer, shutdownServer, HealthReporter, loadSamsaProto, DEFAULT_RPC_LIMITS, setServiceIdentity } from '../../libs/rpc/index.js';
import { MetadataKeys, type BrokerRegistration, type OfflineReplicas } from '../../libs/cluster/metadata.js';
import { connectEtcd, ClusterView, Membership, ProducerIdAllocator } from '../../libs/cluster/index.js';
import { RoundRobinPartitioner } from '../../libs/partitioner/index.js';
import { ReplicaManager, DEFAULT_BROKER_LOG_DEFAULTS, type OfflineReplica } from '../../libs/replica/index.js';
import { ReplicationManager, replicationHandlers } from '../../libs/replication/index.js';
import { CoordinatorKeys, OFFSETS_TOPIC, findCoordinatorHandlers } from '../../libs/group/index.js';
import { loadBrokerConfig, type BrokerConfig } from './config.js';
import { Forwarder } from './forwarding.js';
import { controlledShutdown } from './controlled-shutdown.js';
import { logFilePoolForBroker } from './fd-limit.js';
import { brokerHandlers } from './handlers/index.js';

const SERVICE_NAME = 'samsa.v1.BrokerService';
const REPLICATION_SERVICE_NAME = 'samsa.v1.ReplicationService';
/** How long in-flight calls may take to finish on shutdown before they are cancelled. */
const SHUTDOWN_GRACE_MS = 10_000;
const REJOIN_BACKOFF_MS = [200, 500, 1000, 2000, 5000] as const;

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

async function start(config: BrokerConfig, logger: Logger): Promise<RunningService> {
  await checkDataDirWritable(config.dataDir);
  // Before any log opens: partition count must never decide how many descriptors are open.
  const { openLog } = await logFilePoolForBroker(config.maxOpenLogFiles, logger);
  const keys = new MetadataKeys(config.clusterId);
  const etcd = connectEtcd(config.etcdEndpoints);
  const cleanup: (() => Promise<void> | void)[] = [() => etcd.close()];
  const unwind = async (): Promise<void> => {
    for (const step of cleanup.reverse()) await Promise.resolve(step()).catch(() => undefined);
  };
  try {
    // First: a service without its certificate (and not --insecure) must not join the cluster.
    const security = startTransportSecurity(config, logger);
    cleanup.push(() => security.close());
    const view = await ClusterView.start(etcd, keys, logger);
    cleanup.push(() => view.close());
    // Offline replicas found while opening are reported once registered (the report lives under the lease).
    let offlineNow: OfflineReplica[] = [];
    let membershipOwner: MembershipOwner | undefined;
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
      logDefaults: { ...DEFAULT_BROKER_LOG_DEFAULTS, fsync: config.fsync },
      openLog,
    });
    cleanup.push(() => replicas.close());
    const limits = { ...DEFAULT_RPC_LIMITS, maxMessageBytes: config.maxMessageBytes };
    const forwarder = new Forwarder(config.brokerId, view, limits);
    cleanup.push(() => forwarder.close());
    const metrics = new BrokerMetrics({ partitions: () => replicas.partitions(), replicationFactor: (t, p) => view.partition(t, p)?.replicas.length });
    cleanup.push(() => metrics.close());
    const shutdown = new AbortController();
    const producerIds = new ProducerIdAllocator(etcd, keys);
    const server = createServer(limits);
    // What this port serves, as health and reflection list it: CoordinatorService for its FindCoordinator
    // (the other group calls are the coordinators' and answer UNIMPLEMENTED here).
    const health = new HealthReporter(server, [SERVICE_NAME, REPLICATION_SERVICE_NAME, 'samsa.v1.CoordinatorService']);
    server.addService(
      loadSamsaProto().proto.samsa.v1.BrokerService.service,
      brokerHandlers({
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
        allocateProducerId: () => producerIds.allocate(),
      }),
    );
    // Consumer groups: any broker answers FindCoordinator (the coordinators own the rest).
    server.addService(loadSamsaProto().proto.samsa.v1.CoordinatorService.service, findCoordinatorHandlers(etcd, new CoordinatorKeys(config.clusterId), () => view.topic(OFFSETS_TOPIC)?.partitions));
    server.addService(
      loadSamsaProto().proto.samsa.v1.ReplicationService.service,
      replicationHandlers({
        brokerId: config.brokerId,
        replicas,
        logger,
        shutdown: shutdown.signal,
        maxMessageBytes: config.maxMessageBytes,
        brokerEpochOf: (id) => view.broker(id)?.brokerEpoch,
      }),
    );
    // Parked long polls, Consume streams and acks=all produces: returns to 0 when clients leave
    // (the integration tests read it from /metrics as the leak check).
    const waiters = meter.createObservableGauge('samsa.broker.parked_waiters', {
      description: 'Fetch long polls, Consume streams and acks=all produces waiting for the high watermark',
    });
    const observeWaiters = (result: { observe(value: number): void }): void => result.observe(replicas.waiterCount);
    waiters.addCallback(observeWaiters);
    cleanup.push(() => waiters.removeCallback(observeWaiters));
    const port = await bindServer(server, config.host, config.port);
    cleanup.push(() => server.forceShutdown());
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
    });
    cleanup.push(() => replication.close());

    // brokerEpoch is the revision that creates the key: etcd assigns it (Membership.revision).
    const registration: Omit<BrokerRegistration, 'brokerEpoch'> = {
      id: config.brokerId,
      host: config.host,
      port,
      rack: config.rack,
      startedAtMs: Date.now(),
      cleanStart: replicas.cleanStart,
    };
    membershipOwner = new MembershipOwner(etcd, keys, registration, config.leaseTtlSeconds, logger, (brokerEpoch) => {
      replicas.setIncarnation(brokerEpoch);
      logger.info({ brokerEpoch }, brokerEpoch === undefined ? 'registration lost: leading and following nothing until registered again' : 'registered as a new incarnation; leading and following once the controller admits it');
    });
    membershipOwner.reportOffline(offlineNow);
    await membershipOwner.join();
    health.set('SERVING');
    logger.info(
      { brokerId: config.brokerId, address: `${config.host}:${port}`, dataDir: resolve(config.dataDir), partitions: replicas.partitions().length, cleanStart: replicas.cleanStart },
      'broker serving',
    );

    return {
      async stop() {
        // First hand leadership and ISR places over (controlled-shutdown.ts), while still serving.
        const shutdownMarker = await controlledShutdown({
          brokerId: config.brokerId,
          brokerEpoch: replicas.brokerEpoch,
          view,
          etcd,
          keys,
          ttlSeconds: config.leaseTtlSeconds,
          timeoutMs: config.controlledShutdownTimeoutMs,
          logger,
        });
        health.set('NOT_SERVING');
        shutdown.abort();
        await replication.close();
        await shutdownServer(server, SHUTDOWN_GRACE_MS);
        forwarder.close();
        await replicas.close();
        waiters.removeCallback(observeWaiters);
        metrics.close();
        await membershipOwner?.leave();
        await shutdownMarker.end();
        await view.close();
        etcd.close();
      },
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}

/**
 * Owns the broker's etcd registration: joins, re-joins with backoff when the lease is lost, and
 * leaves on shutdown (clearing any pending re-join timer). Also keeps the broker's OfflineReplicas
 * report under the same lease, written again after every join.
 */
class MembershipOwner {
  private current: Membership | undefined;
  private offline: OfflineReplica[] = [];
  /** Report writes run one at a time, in order. */
  private reporting: Promise<void> = Promise.resolve();
  private readonly key: string;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = false;
  /** Ends a join still waiting for a previous registration of this id to expire. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly etcd: ReturnType<typeof connectEtcd>,
    private readonly keys: MetadataKeys,
    private readonly value: Omit<BrokerRegistration, 'brokerEpoch'>,
    private readonly ttlSeconds: number,
    private readonly logger: Logger,
    /** Told the broker epoch of each registration, and undefined when it is lost. */
    private readonly onIncarnation: (brokerEpoch: number | undefined) => void,
  ) {
    this.key = keys.broker(value.id);
  }

  /** Records the offline replicas and, when registered, writes them for the controller. */
  reportOffline(offline: OfflineReplica[]): void {
    this.offline = offline;
    this.writeOffline();
  }

  private writeOffline(): void {
    const membership = this.current;
    if (!membership || this.stopped) return;
    const report: OfflineReplicas = { brokerId: this.value.id, brokerEpoch: membership.revision, partitions: this.offline };
    const text = this.offline.length > 0 ? JSON.stringify(report) : undefined;
    this.reporting = this.reporting
      .then(() => membership.putUnderLease(this.keys.offline(this.value.id), text))
      .then(
        () => {
          if (text !== undefined) this.logger.info({ offline: this.offline.map((o) => `${o.topic}-${o.partition}`) }, 'reported offline replicas to the controller');
        },
        (err: unknown) => this.logger.warn({ err }, 'could not report offline replicas; the next change or re-registration retries'),
      );
  }

  async join(): Promise<void> {
    const membership = await Membership.join(this.etcd, this.key, this.value, this.ttlSeconds, this.logger, this.stopping.signal);
    if (this.stopped) {
      await membership.leave();
      return;
    }
    this.current = membership;
    this.attempt = 0;
    // Before the incarnation acts: the controller must not elect a replica that is offline here.
    this.writeOffline();
    await this.reporting;
    this.onIncarnation(membership.revision);
    membership.onLost(() => {
      if (this.stopped || this.current !== membership) return;
      this.current = undefined;
      // The controller moves leadership on once the lease is gone: stop acting on the old role now.
      this.onIncarnation(undefined);
      this.logger.warn({ key: this.key }, 'broker registration lease lost; re-registering');
      this.scheduleRejoin();
    });
  }

  async leave(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const membership = this.current;
    this.current = undefined;
    if (membership) await membership.leave();
    await this.reporting;
  }

  private scheduleRejoin(): void {
    if (this.stopped) return;
    const delay = REJOIN_BACKOFF_MS[Math.min(this.attempt, REJOIN_BACKOFF_MS.length - 1)] ?? 5000;
    this.attempt++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.join().then(
        () => this.logger.info({ key: this.key }, 'broker re-registered'),
        (err: unknown) => {
          this.logger.warn({ err }, 're-registering failed; will retry');
          this.scheduleRejoin();
        },
      );
    }, delay);
  }
}

function main(): void {
  let config: BrokerConfig;
  try {
    config = loadBrokerConfig();
  } catch (err) {
    const logger = createLogger('broker', 'broker');
    if (err instanceof ConfigError) logger.fatal({ problems: err.problems }, err.message);
    else logger.fatal({ err }, 'cannot read configuration');
    logger.flush();
    process.exit(1);
  }
  const logger = createLogger('broker', `broker-${config.brokerId}`, config.logLevel);
  // Before any channel is made: this process's calls (forwarding, replication) say they are this broker (libs/rpc/principal.ts).
  setServiceIdentity('broker', String(config.brokerId));
  // runService handles every failure itself (logs and exits), so nothing is left unobserved.
  void runService(logger, () => start(config, logger));
}

main();
