/**
 * The consumer-group coordinator process. Start order: etcd + cluster view -> wait for a live
 * broker -> make sure __consumer_offsets exists (through the controller) -> gRPC server -> register
 * in etcd and claim a share of the __consumer_offsets partitions (each claim loads that partition's
 * groups) -> health SERVING. Shutdown reverses it: NOT_SERVING, release every partition (members
 * are told NOT_COORDINATOR and move), stop the server, revoke the lease (another coordinator takes
 * over at once), close clients and etcd.
 */
import type { BatchObservableCallback } from '@opentelemetry/api';
import { meter, type Logger } from '../../libs/telemetry/index.js';
import { advertisedAddress, formatHostPort } from '../../libs/config/index.js';
import { joinCluster, runService, serveGrpc, type Resources, type Running } from '../../libs/service/index.js';
import { Samsa } from '../../libs/client/index.js';
import { CoordinatorKeys, GroupCoordinator, PartitionOwnership, ShareGroups, nextWriterEpoch } from '../../libs/group/index.js';
import type { ConsumedMessage } from '../../libs/client/index.js';
import { systemClock } from '../../libs/runtime/index.js';
import { loadCoordinatorConfig, type CoordinatorConfig } from './config.js';
import { OffsetsTopic } from './offsets-topic.js';
import { CoordinatorHandlers } from './handlers.js';
import { DeadLetterTopics } from './dead-letters.js';

const SHUTDOWN_GRACE_MS = 5_000;

runService({
  kind: 'coordinator',
  loadConfig: () => loadCoordinatorConfig(),
  instance: (config) => `coordinator-${config.coordinatorId}`,
  // Before any channel is made: this process's calls say they are this service (libs/rpc/principal.ts).
  identity: (config) => String(config.coordinatorId),
  start,
});

/**
 * Builds the coordinator in start order (module comment). Closers are registered so that the
 * stack closes, after drain(): the server (in-flight calls finish), the partition claims (the
 * lease is revoked), the handlers, metrics, the client and etcd.
 */
async function start(config: CoordinatorConfig, logger: Logger, resources: Resources): Promise<Running> {
  // TLS, etcd, the cluster view, access control (ACLs, tokens).
  const { etcd, view, leases } = await joinCluster(config, logger, resources, { quotas: false });
  logger.info('waiting for a live broker');
  await view.waitFor(() => view.brokers().length > 0, 10 * 60_000);
  const samsa = new Samsa({
    bootstrap: view.brokers().map((b) => `${b.host}:${b.port}`),
    retry: { retries: 20, initialDelayMs: 100, maxDelayMs: 2_000, maxElapsedMs: 60_000 },
  });
  resources.defer('client', () => samsa.close());
  const offsetsTopic = resources.own('offsets topic', new OffsetsTopic(samsa), (t) => t.close());
  const partitions = await offsetsTopic.ensure(
    config.offsetsTopicPartitions,
    config.offsetsTopicReplicationFactor,
    view.brokers().length,
    logger,
  );

  let ownership: PartitionOwnership | undefined;
  const coordinatorKeys = new CoordinatorKeys(config.clusterId);
  const earlyResignations: [number, number][] = [];
  const coordinator = new GroupCoordinator({
    coordinatorId: config.coordinatorId,
    offsetsPartitions: partitions,
    log: offsetsTopic,
    // Partitions are first acquired while PartitionOwnership.start() runs, before `ownership` is
    // set: epochs need only etcd, and a resignation that early is applied once it is set.
    claims: {
      nextWriterEpoch: (p, fence) => nextWriterEpoch(etcd, coordinatorKeys, p, fence),
      resign: (p, fence) => (ownership ? ownership.resign(p, fence) : earlyResignations.push([p, fence])),
    },
    partitionCount: (topic) => view.topic(topic)?.partitions,
    ownerOf: (p) => ownership?.owner(p),
    limits: { minSessionTimeoutMs: config.groupMinSessionTimeoutMs, maxSessionTimeoutMs: config.groupMaxSessionTimeoutMs },
    logger,
  });
  resources.defer('group coordinator', () => coordinator.close());
  // Metrics (Prometheus /metrics when SAMSA_METRICS_PORT is set): read from the coordinator when scraped.
  const gauges = {
    groups: meter.createObservableGauge('samsa.coordinator.groups', { description: 'Groups with members on this coordinator' }),
    members: meter.createObservableGauge('samsa.coordinator.members', { description: 'Group members on this coordinator' }),
    offsets: meter.createObservableGauge('samsa.coordinator.committed_offsets', {
      description: 'Committed offsets held by this coordinator (all its groups)',
    }),
    partitions: meter.createObservableGauge('samsa.coordinator.owned_partitions', {
      description: '__consumer_offsets partitions this coordinator owns',
    }),
    commits: meter.createObservableCounter('samsa.coordinator.commits', { description: 'Offset commits written to __consumer_offsets' }),
    rebalances: meter.createObservableCounter('samsa.coordinator.rebalances', { description: 'Group generations started' }),
  };
  const observe: BatchObservableCallback = (result) => {
    const s = coordinator.stats();
    result.observe(gauges.groups, s.groups);
    result.observe(gauges.members, s.members);
    result.observe(gauges.offsets, s.committedOffsets);
    result.observe(gauges.partitions, coordinator.ownedPartitions().length);
    result.observe(gauges.commits, s.commits);
    result.observe(gauges.rebalances, s.rebalances);
  };
  meter.addBatchObservableCallback(observe, Object.values(gauges));
  resources.defer('coordinator metrics', () => meter.removeBatchObservableCallback(observe, Object.values(gauges)));
  resources.defer(
    'topic watch',
    view.onChange((change) => {
      if (change.kind === 'topic') coordinator.topicsChanged();
    }),
  );

  const shutdown = new AbortController();
  // The members' records: each delivery is traced as group.deliver (group-consume.ts), so the
  // reads behind it make no `receive` spans of their own.
  const consumer = samsa.consumer({ traceReceive: false });
  resources.defer('consumer', () => consumer.close());
  const deadLetters = resources.own('dead-letter producer', new DeadLetterTopics(samsa, view, logger), (d) => d.close());
  // Share groups (ADR 0049) live next to the classic ones, on the coordinator of their offsets partition.
  const shareGroups = new ShareGroups<ConsumedMessage>({
    coordinator,
    source: consumer,
    deadLetters,
    partitionCount: (topic) => view.topic(topic)?.partitions,
    clock: systemClock,
    logger,
  });
  coordinator.attachShareGroups(shareGroups);
  resources.defer('share groups', () => shareGroups.close());
  const shareGauges = {
    groups: meter.createObservableGauge('samsa.coordinator.share_groups', { description: 'Share groups on this coordinator' }),
    members: meter.createObservableGauge('samsa.coordinator.share_members', { description: 'Share-group members on this coordinator' }),
    inFlight: meter.createObservableGauge('samsa.coordinator.share_in_flight', {
      description: 'Share-group records delivered and not answered yet',
    }),
    available: meter.createObservableGauge('samsa.coordinator.share_available', {
      description: 'Share-group records read and waiting for a member',
    }),
    acked: meter.createObservableCounter('samsa.coordinator.share_acked', { description: 'Share-group records acked' }),
    deadLettered: meter.createObservableCounter('samsa.coordinator.share_dead_lettered', {
      description: 'Share-group records written to a dead-letter topic',
    }),
    leaseExpiries: meter.createObservableCounter('samsa.coordinator.share_lease_expiries', {
      description: 'Share-group records whose lease ran out before an answer',
    }),
  };
  const observeShare: BatchObservableCallback = (result) => {
    const s = shareGroups.stats();
    for (const [name, instrument] of Object.entries(shareGauges)) result.observe(instrument, s[name as keyof typeof shareGauges]);
  };
  meter.addBatchObservableCallback(observeShare, Object.values(shareGauges));
  resources.defer('share-group metrics', () => meter.removeBatchObservableCallback(observeShare, Object.values(shareGauges)));
  const handlers = new CoordinatorHandlers({
    coordinatorId: config.coordinatorId,
    coordinator,
    ownership: () => ownership,
    view,
    logger,
    consumer,
    shutdown: shutdown.signal,
    shareGroups,
    limits: { minSessionTimeoutMs: config.groupMinSessionTimeoutMs, maxSessionTimeoutMs: config.groupMaxSessionTimeoutMs },
  });
  resources.defer('handlers', () => handlers.close());
  // Consumer lag per group and partition: refreshed on an owned timer (it asks the brokers for
  // high watermarks), observed from the last snapshot when /metrics is scraped.
  let lagRows: { group: string; topic: string; partition: number; lag: number }[] = [];
  let lagRefresh: Promise<void> | undefined;
  const lagGauge = meter.createObservableGauge('samsa.coordinator.consumer_lag', {
    description: 'High watermark minus committed offset, per group and partition (records)',
  });
  const observeLag = (result: { observe(value: number, attributes: Record<string, string | number>): void }): void => {
    for (const r of lagRows) result.observe(r.lag, { group: r.group, topic: r.topic, partition: r.partition });
  };
  lagGauge.addCallback(observeLag);
  const lagTimer = setInterval(() => {
    if (lagRefresh) return;
    lagRefresh = handlers
      .lagSnapshot()
      .then((rows) => {
        lagRows = rows;
      })
      .catch((err: unknown) => logger.debug({ err }, 'consumer lag refresh failed'))
      .finally(() => {
        lagRefresh = undefined;
      });
  }, config.lagRefreshMs);
  resources.defer('consumer lag refresh', async () => {
    clearInterval(lagTimer);
    lagGauge.removeCallback(observeLag);
    await lagRefresh;
  });
  // Released only once the server has stopped (its closer is below the server's on the stack):
  // another coordinator takes the partitions over at once, and in-flight calls finish here first.
  resources.defer('partition ownership', () => ownership?.close());
  const endpoint = await serveGrpc(resources, {
    host: config.host,
    port: config.port,
    graceMs: SHUTDOWN_GRACE_MS,
    services: [{ service: 'CoordinatorService', handlers: handlers.handlers() }],
  });
  const { port } = endpoint;
  const advertised = advertisedAddress(config.advertise, config.host, port);
  ownership = await PartitionOwnership.start({
    etcd,
    keys: coordinatorKeys,
    self: { id: config.coordinatorId, host: advertised.host, port: advertised.port },
    partitions,
    ttlSeconds: config.leaseTtlSeconds,
    leaseKeeping: leases,
    logger,
    listener: coordinator,
  });
  const owned = ownership;
  for (const [p, fence] of earlyResignations.splice(0)) owned.resign(p, fence);
  logger.info(
    {
      coordinatorId: config.coordinatorId,
      address: `${config.host}:${port}`,
      advertised: formatHostPort(advertised),
      offsetsPartitions: partitions,
      owned: coordinator.ownedPartitions(),
    },
    'coordinator serving',
  );

  return {
    endpoint,
    async drain() {
      shutdown.abort();
      // Members are told NOT_COORDINATOR and move on before the server stops.
      coordinator.close();
      shareGroups.close();
    },
  };
}
