/**
 * Controller election through etcd (the etcd3 client's election recipe: the candidate whose key
 * has the lowest create revision leads). Being elected yields a Fence for commitIfLeader.
 *
 * Deposed means deposed by the campaign lease's own TTL on this process's clock (lease-deadline.ts):
 * a controller cut off from etcd stops acting before etcd expires its key, so before a standby can
 * be elected; not 2-3 TTLs later when the etcd client gives up its keep-alive stream. (Its writes
 * were fenced all along; this is about what it believes and answers meanwhile.) Who sends the
 * keep-alives is a LeaseKeeping (in the controller service a thread of its own, ADR 0057).
 */
import type { Campaign, Etcd3, Lease } from 'etcd3';
import { etcd3 } from './etcd.js';
import type { Logger } from '../telemetry/index.js';
import { systemClock, type Clock } from '../runtime/index.js';
import type { Fence } from './fenced.js';
import { IN_THREAD_KEEPING, type KeptLease, type LeaseKeeping } from './lease-keeping.js';

export class ControllerElection {
  private active: Campaign | undefined;
  private watchdog: KeptLease | undefined;
  private deposedListeners: ((err: Error) => void)[] = [];
  private resigned = false;

  constructor(
    private readonly etcd: Etcd3,
    private readonly name: string,
    private readonly ttlSeconds: number,
    private readonly logger: Logger,
    /** Who sends the campaign lease's keep-alives (services: a LeaseKeeper thread). */
    private readonly keeping: LeaseKeeping = IN_THREAD_KEEPING,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * Campaigns with `value` and resolves with the fence once elected. While another candidate
   * leads, this waits (a standby). Rejects if the campaign fails before being elected.
   */
  async campaign(value: string): Promise<Fence> {
    const grantRequestedAtMs = this.clock.nowMs();
    const campaign = this.etcd.election(this.name, this.ttlSeconds).campaign(value);
    this.active = campaign;
    let elected = false;
    let deposed = false;
    let fail: (err: Error) => void = () => {};
    const lose = (err: Error): void => {
      if (!elected) {
        // Never elected on this lease: let it go, so its key cannot win later with nobody acting on it.
        campaign.resign().catch(() => undefined);
        return fail(err);
      }
      if (this.resigned || deposed) return;
      deposed = true;
      this.logger.warn({ err }, 'controller campaign lost its lease; no longer the controller');
      for (const l of this.deposedListeners) l(err);
    };
    this.watchdog = this.keeping.keep(campaignLease(campaign), {
      ttlSeconds: this.ttlSeconds,
      grantRequestedAtMs,
      clock: this.clock,
      onExpired: (why) => lose(new Error(`campaign lease expired: ${why}`)),
    });
    await new Promise<void>((resolve, reject) => {
      fail = reject;
      campaign.on('elected', () => {
        elected = true;
        resolve();
      });
      campaign.on('error', lose);
    });
    const key = await campaign.getCampaignKey();
    const res = await this.etcd.get(key).exec();
    const kv = res.kvs[0];
    if (!kv) throw new Error(`elected, but the campaign key ${key} is gone`);
    // Elected on a lease that ran out meanwhile: a standby may already lead.
    if (this.watchdog.expired) throw new Error('elected, but the campaign lease has run out by its TTL since');
    return { key, createRevision: kv.create_revision };
  }

  /** Called when an elected campaign loses its lease. */
  onDeposed(listener: (err: Error) => void): void {
    this.deposedListeners.push(listener);
  }

  /** Resigns (the next candidate takes over at once). Idempotent, never throws. */
  async resign(): Promise<void> {
    this.resigned = true;
    this.watchdog?.dispose();
    this.watchdog = undefined;
    const c = this.active;
    this.active = undefined;
    if (c) await c.resign().catch((err: unknown) => this.logger.warn({ err }, 'resign failed; the lease will expire'));
  }
}

/**
 * The lease an etcd3 Campaign campaigns on. etcd3 keeps it in a private field; reached here, in one
 * place, and checked, so an etcd3 upgrade that moves it fails the controller's start loudly (and
 * the integration tests) instead of silently losing the expiry deadline.
 */
function campaignLease(campaign: Campaign): Lease {
  const lease: unknown = Reflect.get(campaign, 'lease');
  if (!(lease instanceof etcd3().Lease))
    throw new Error('etcd3 Campaign no longer keeps its Lease in .lease: ControllerElection cannot watch the campaign lease');
  return lease;
}
