/**
 * Controller election through etcd (the etcd3 client's election recipe: the candidate whose key
 * has the lowest create revision leads). Being elected yields a Fence for commitIfLeader.
 */
import type { Campaign, Etcd3 } from 'etcd3';
import type { Logger } from '../telemetry/index.js';
import type { Fence } from './fenced.js';

export class ControllerElection {
  private active: Campaign | undefined;
  private deposedListeners: ((err: Error) => void)[] = [];
  private resigned = false;

  constructor(
    private readonly etcd: Etcd3,
    private readonly name: string,
    private readonly ttlSeconds: number,
    private readonly logger: Logger,
  ) {}

  /**
   * Campaigns with `value` and resolves with the fence once elected. While another candidate
   * leads, this waits (a standby). Rejects if the campaign fails before being elected.
   */
  async campaign(value: string): Promise<Fence> {
    const campaign = this.etcd.election(this.name, this.ttlSeconds).campaign(value);
    this.active = campaign;
    await new Promise<void>((resolve, reject) => {
      let elected = false;
      campaign.on('elected', () => {
        elected = true;
        resolve();
      });
      campaign.on('error', (err) => {
        if (!elected) reject(err);
        else if (!this.resigned) {
          this.logger.warn({ err }, 'controller campaign lost its lease; no longer the controller');
          for (const l of this.deposedListeners) l(err);
        }
      });
    });
    const key = await campaign.getCampaignKey();
    const res = await this.etcd.get(key).exec();
    const kv = res.kvs[0];
    if (!kv) throw new Error(`elected, but the campaign key ${key} is gone`);
    return { key, createRevision: kv.create_revision };
  }

  /** Called when an elected campaign loses its lease. */
  onDeposed(listener: (err: Error) => void): void {
    this.deposedListeners.push(listener);
  }

  /** Resigns (the next candidate takes over at once). Idempotent, never throws. */
  async resign(): Promise<void> {
    this.resigned = true;
    const c = this.active;
    this.active = undefined;
    if (c) await c.resign().catch((err: unknown) => this.logger.warn({ err }, 'resign failed; the lease will expire'));
  }
}
