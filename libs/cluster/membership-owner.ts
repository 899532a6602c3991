/**
 * A broker's registration in etcd over its whole life: joins, re-joins with backoff when the lease
 * is lost (etcd unreachable longer than the TTL), and leaves on shutdown. Each join is a new
 * incarnation (broker epoch, metadata.ts); the broker is told each one, and told when it is lost,
 * so it leads and follows nothing while unregistered. Also keeps the broker's OfflineReplicas
 * report under the same lease, written again after every join and before the incarnation acts.
 */
import type { Etcd3 } from 'etcd3';
import type { Logger } from '../telemetry/index.js';
import { Backoff, SerialQueue } from '../runtime/index.js';
import { IN_THREAD_KEEPING, type LeaseKeeping } from './lease-keeping.js';
import { Membership } from './membership.js';
import type { BrokerRegistration, MetadataKeys, OfflineReplicas } from './metadata.js';

/** Re-registration after a lost lease: soon at first (a blip), then every few seconds. */
const REJOIN_BACKOFF = { initialDelayMs: 200, maxDelayMs: 5_000 } as const;

/**
 * Owns the broker's etcd registration: joins, re-joins with backoff when the lease is lost, and
 * leaves on shutdown (clearing any pending re-join timer). Also keeps the broker's OfflineReplicas
 * report under the same lease, written again after every join.
 */
export class MembershipOwner {
  private current: Membership | undefined;
  private offline: OfflineReplicas['partitions'] = [];
  /** Report writes run one at a time, in order. */
  private readonly reporting = new SerialQueue();
  private readonly key: string;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly rejoinBackoff = new Backoff(REJOIN_BACKOFF);
  private stopped = false;
  /** Ends a join still waiting for a previous registration of this id to expire. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly etcd: Etcd3,
    private readonly keys: MetadataKeys,
    private readonly value: Omit<BrokerRegistration, 'brokerEpoch'>,
    private readonly ttlSeconds: number,
    private readonly logger: Logger,
    /** Told the broker epoch of each registration, and undefined when it is lost. */
    private readonly onIncarnation: (brokerEpoch: number | undefined) => void,
    /** Who sends the lease's keep-alives (services: a LeaseKeeper thread). */
    private readonly keeping: LeaseKeeping = IN_THREAD_KEEPING,
  ) {
    this.key = keys.broker(value.id);
  }

  /** Records the offline replicas and, when registered, writes them for the controller. */
  reportOffline(offline: OfflineReplicas['partitions']): void {
    this.offline = offline;
    this.writeOffline();
  }

  private writeOffline(): void {
    const membership = this.current;
    if (!membership || this.stopped) return;
    const report: OfflineReplicas = { brokerId: this.value.id, brokerEpoch: membership.revision, partitions: this.offline };
    const text = this.offline.length > 0 ? JSON.stringify(report) : undefined;
    void this.reporting
      .run(() => membership.putUnderLease(this.keys.offline(this.value.id), text))
      .then(
        () => {
          if (text !== undefined)
            this.logger.info(
              { offline: this.offline.map((o) => `${o.topic}-${o.partition}`) },
              'reported offline replicas to the controller',
            );
        },
        (err: unknown) => this.logger.warn({ err }, 'could not report offline replicas; the next change or re-registration retries'),
      );
  }

  async join(): Promise<void> {
    const membership = await Membership.join(this.etcd, this.key, this.value, this.ttlSeconds, this.logger, {
      signal: this.stopping.signal,
      keeping: this.keeping,
    });
    if (this.stopped) {
      await membership.leave();
      return;
    }
    this.current = membership;
    this.rejoinBackoff.reset();
    // Before the incarnation acts: the controller must not elect a replica that is offline here.
    this.writeOffline();
    await this.reporting.idle();
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
    await this.reporting.idle();
  }

  private scheduleRejoin(): void {
    if (this.stopped) return;
    const delay = this.rejoinBackoff.next();
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
