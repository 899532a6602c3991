/**
 * The controller process: serves ControllerService (and health) at once, campaigns for leadership
 * through etcd, and acts only while elected. Standbys answer reads and forward admin calls.
 */
import { MetadataKeys, ClusterView, ControllerElection, commitIfLeader, connectEtcd, type ControllerEpoch, type Fence } from '../../libs/cluster/index.js';
import { bindServer, createServer, HealthReporter, loadSamsaProto, shutdownServer } from '../../libs/rpc/index.js';
import { runService } from '../../libs/service/index.js';
import { startTransportSecurity } from '../../libs/security/index.js';
import { createLogger, meter } from '../../libs/telemetry/index.js';
import { loadControllerConfig, type ControllerConfig } from './config.js';
import { ActiveController } from './active-controller.js';
import { ControllerHandlers } from './handlers.js';

const config: ControllerConfig = (() => {
  try {
    return loadControllerConfig();
  } catch (err) {
    createLogger('controller', '?').fatal({ err }, err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
})();
const logger = createLogger('controller', String(config.controllerId), config.logLevel);

await runService(logger, async () => {
  // First: a service without its certificate (and not --insecure) must not join the cluster.
  const security = startTransportSecurity(config, logger);
  const keys = new MetadataKeys(config.clusterId);
  const etcd = connectEtcd(config.etcdEndpoints);
  const view = await ClusterView.start(etcd, keys, logger).catch((err: unknown) => {
    etcd.close();
    throw new Error(`cannot read cluster metadata from etcd at ${config.etcdEndpoints.join(',')}: ${err instanceof Error ? err.message : String(err)}`);
  });
  const server = createServer();
  let active: ActiveController | undefined;
  const handlers = new ControllerHandlers({ clusterId: config.clusterId, selfAddress: `${config.host}:${config.port}`, view, active: () => active });
  server.addService(loadSamsaProto().proto.samsa.v1.ControllerService.service, handlers.handlers());
  const health = new HealthReporter(server, ['samsa.v1.ControllerService']);
  const port = await bindServer(server, config.host, config.port);
  // 1 on the active controller, 0 on standbys: exactly one 1 across a healthy cluster.
  const activeGauge = meter.createObservableGauge('samsa.controller.active', { description: '1 while this controller is the elected, active one' });
  const observeActive = (result: { observe(value: number): void }): void => result.observe(active ? 1 : 0);
  activeGauge.addCallback(observeActive);
  health.set('SERVING');
  logger.info({ host: config.host, port, clusterId: config.clusterId }, 'controller listening; campaigning for leadership');

  let stopping = false;
  let election: ControllerElection | undefined;

  const becomeActive = async (fence: Fence): Promise<void> => {
    const current = await etcd.get(keys.controllerEpoch).string();
    const previous = current ? (JSON.parse(current) as ControllerEpoch).epoch : 0;
    const epoch: ControllerEpoch = { epoch: previous + 1, controllerId: String(config.controllerId), host: config.host, port };
    await commitIfLeader(etcd, fence, [], [{ put: keys.controllerEpoch, value: JSON.stringify(epoch) }]);
    active = new ActiveController(etcd, keys, view, fence, logger, config.leaderRebalanceDelayMs, config.maxReplicasPerBroker);
    logger.info({ controllerEpoch: epoch.epoch }, 'elected: this is the active controller');
  };

  const campaign = (): void => {
    if (stopping) return;
    const e = new ControllerElection(etcd, keys.controllerElection, config.leaseTtlSeconds, logger);
    election = e;
    e.onDeposed(() => {
      active?.stop();
      active = undefined;
      void e.resign().then(() => campaign());
    });
    e.campaign(JSON.stringify({ id: config.controllerId, host: config.host, port })).then(
      (fence) => (stopping ? undefined : becomeActive(fence)),
      (err: unknown) => {
        if (stopping) return;
        logger.warn({ err }, 'campaign failed; retrying in 1 s');
        const t = setTimeout(campaign, 1000);
        t.unref();
      },
    ).catch((err: unknown) => {
      logger.error({ err }, 'could not take office; resigning and campaigning again');
      active?.stop();
      active = undefined;
      void e.resign().then(() => campaign());
    });
  };
  campaign();

  return {
    async stop() {
      stopping = true;
      health.set('NOT_SERVING');
      active?.stop();
      active = undefined;
      await election?.resign();
      await shutdownServer(server, 5_000);
      handlers.close();
      activeGauge.removeCallback(observeActive);
      await view.close();
      etcd.close();
      security.close();
    },
  };
});
