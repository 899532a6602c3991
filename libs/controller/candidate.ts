/**
 * A controller process's part in the election: campaign, and while elected run an ActiveController
 * (after bumping the controller epoch, fenced); when deposed, stop it, resign and campaign again.
 * A standby waits in its campaign. The lifecycle: start() campaigns at once, stop() steps down
 * (resigns, so a standby takes over without waiting for the lease TTL) and ends every timer.
 */
import type { Etcd3 } from 'etcd3';
import {
  commitIfLeader,
  ControllerElection,
  type ClusterView,
  type ControllerEpoch,
  type Fence,
  type LeaseKeeping,
  type MetadataKeys,
} from '../cluster/index.js';
import { ActiveController, type ActiveControllerOptions } from './active-controller.js';

/** A failed campaign (etcd unreachable) is retried after this long. */
const CAMPAIGN_RETRY_MS = 1_000;

export interface CandidateOptions extends Omit<ActiveControllerOptions, 'fence'> {
  readonly etcd: Etcd3;
  readonly keys: MetadataKeys;
  readonly view: ClusterView;
  /** This controller as it is published in the controller epoch (clients forward admin calls there). */
  readonly self: { readonly controllerId: string; readonly host: string; readonly port: number };
  /** TTL of the campaign's lease: how long a dead active controller keeps its seat. */
  readonly leaseTtlSeconds: number;
  /** Who sends the campaign lease's keep-alives (the service's LeaseKeeper thread). Default: this thread. */
  readonly leaseKeeping?: LeaseKeeping;
}

export class ControllerCandidate {
  private current: ActiveController | undefined;
  private election: ControllerElection | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(private readonly options: CandidateOptions) {}

  /** The active controller while this process is elected, else undefined. */
  active(): ActiveController | undefined {
    return this.current;
  }

  /** Campaigns (and campaigns again whenever deposed) until stop(). */
  start(): void {
    this.campaign();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.stepDown();
    await this.election?.resign();
  }

  private stepDown(): void {
    this.current?.stop();
    this.current = undefined;
  }

  private async becomeActive(fence: Fence): Promise<void> {
    const { etcd, keys, self, logger } = this.options;
    const current = await etcd.get(keys.controllerEpoch).string();
    const previous = current ? (JSON.parse(current) as ControllerEpoch).epoch : 0;
    const epoch: ControllerEpoch = { epoch: previous + 1, controllerId: self.controllerId, host: self.host, port: self.port };
    await commitIfLeader(etcd, fence, [], [{ put: keys.controllerEpoch, value: JSON.stringify(epoch) }]);
    if (this.stopping) return;
    this.current = new ActiveController({ ...this.options, fence });
    logger.info({ controllerEpoch: epoch.epoch }, 'elected: this is the active controller');
  }

  private campaign(): void {
    if (this.stopping) return;
    const { etcd, keys, self, leaseTtlSeconds, leaseKeeping, logger } = this.options;
    const e = new ControllerElection(etcd, keys.controllerElection, leaseTtlSeconds, logger, leaseKeeping);
    this.election = e;
    const again = (): void => {
      this.stepDown();
      void e.resign().then(() => this.campaign());
    };
    e.onDeposed(again);
    e.campaign(JSON.stringify({ id: Number(self.controllerId), host: self.host, port: self.port }))
      .then(
        (fence) => (this.stopping ? undefined : this.becomeActive(fence)),
        (err: unknown) => {
          if (this.stopping) return;
          logger.warn({ err }, 'campaign failed; retrying in 1 s');
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            this.campaign();
          }, CAMPAIGN_RETRY_MS);
        },
      )
      .catch((err: unknown) => {
        logger.error({ err }, 'could not take office; resigning and campaigning again');
        again();
      });
  }
}
