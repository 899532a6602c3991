/**
 * The controller process: serves ControllerService (and health) at once, campaigns for leadership
 * through etcd, and acts only while elected (libs/controller). Standbys answer reads and forward
 * admin calls. Lifecycle: libs/service.
 */
import { ControllerCandidate, type ActiveController } from '../../libs/controller/index.js';
import { advertisedAddress, formatHostPort } from '../../libs/config/index.js';
import { joinCluster, runService, serveGrpc } from '../../libs/service/index.js';
import { SecurityAdmin } from '../../libs/security/index.js';
import { ControllerMetrics, meter } from '../../libs/telemetry/index.js';
import { loadControllerConfig } from './config.js';
import { ControllerHandlers } from './handlers.js';

/** How long in-flight calls may take to finish on shutdown before they are cancelled. */
const SHUTDOWN_GRACE_MS = 5_000;

runService({
  kind: 'controller',
  loadConfig: () => loadControllerConfig(),
  instance: (config) => String(config.controllerId),
  // A standby's forwarded calls say they come from a controller (in --insecure, the claim is all there is).
  identity: (config) => String(config.controllerId),
  async start(config, logger, resources) {
    // TLS, etcd, the cluster view, access control (ACLs, tokens).
    const { etcd, keys, view, access, leases } = await joinCluster(config, logger, resources, { quotas: false });
    // ACL and quota writes are fenced on the active term's election key, like its topic writes.
    const admins = new WeakMap<ActiveController, SecurityAdmin>();
    const securityAdmin = (): SecurityAdmin | undefined => {
      const active = candidate?.active();
      if (!active) return undefined;
      let admin = admins.get(active);
      if (!admin) admins.set(active, (admin = new SecurityAdmin(etcd, access.view, active.fence, access.audit)));
      return admin;
    };
    // From the configured port (a controller is always given a real one): the handlers need it before binding.
    const advertised = advertisedAddress(config.advertise, config.host, config.port);
    let candidate: ControllerCandidate | undefined;
    const handlers = resources.own(
      'forwarding client',
      new ControllerHandlers({
        clusterId: config.clusterId,
        selfAddress: formatHostPort(advertised),
        view,
        active: () => candidate?.active(),
        security: { view: access.view, admin: securityAdmin },
      }),
      (h) => h.close(),
    );
    const endpoint = await serveGrpc(resources, {
      host: config.host,
      port: config.port,
      graceMs: SHUTDOWN_GRACE_MS,
      services: [{ service: 'ControllerService', handlers: handlers.handlers() }],
    });
    // samsa.controller.active is 1 on the active controller, 0 on standbys: exactly one 1 across a healthy cluster.
    resources.own(
      'controller metrics',
      new ControllerMetrics(
        {
          isActive: () => candidate?.active() !== undefined,
          liveBrokerIds: () => new Set(view.brokers().map((b) => b.id)),
          metadataVersion: () => Number(view.currentRevision),
          topics: () => view.topics().map((t) => ({ name: t.name, minInsyncReplicas: t.config.minInsyncReplicas })),
          partitions: (topic) => view.partitions(topic),
          onPartitionChange: (listener) =>
            view.onChange((change) => {
              if (change.kind === 'partition' && change.state) listener(change.state);
            }),
          selfId: String(config.controllerId),
          onControllerElected: (listener) =>
            view.onChange((change) => {
              if (change.kind === 'controller' && change.epoch) listener(change.epoch.controllerId);
            }),
        },
        meter,
      ),
      (m) => m.close(),
    );
    logger.info(
      { host: config.host, port: endpoint.port, advertised: formatHostPort(advertised), clusterId: config.clusterId },
      'controller listening; campaigning for leadership',
    );
    candidate = resources.own(
      'controller candidacy',
      new ControllerCandidate({
        etcd,
        keys,
        view,
        logger,
        self: { controllerId: String(config.controllerId), host: advertised.host, port: advertised.port },
        leaseTtlSeconds: config.leaseTtlSeconds,
        leaseKeeping: leases,
        rebalanceDelayMs: config.leaderRebalanceDelayMs,
        leaderImbalancePercent: config.leaderImbalancePercent,
        leaderImbalanceCheckMs: config.leaderImbalanceCheckMs,
        reassignmentThrottleBytesPerSecond: config.reassignmentThrottleBytesPerSec,
        maxReplicasPerBroker: config.maxReplicasPerBroker,
      }),
      (c) => c.stop(),
    );
    candidate.start();
    return { endpoint };
  },
});
