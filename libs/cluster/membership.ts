/**
 * A process's registration in the cluster: one key under an etcd lease kept alive in the
 * background. When the process dies the lease ends after its TTL and the key disappears, which is
 * how the controller learns that a broker is gone. `leave()` revokes the lease so a clean shutdown
 * is seen at once.
 */
import type { Etcd3, Lease } from 'etcd3';
import type { Logger } from '../telemetry/index.js';

export class Membership {
  private lostListeners: ((err: Error) => void)[] = [];
  private left = false;

  private constructor(
    private readonly lease: Lease,
    readonly key: string,
    private readonly logger: Logger,
  ) {
    lease.on('lost', (err) => {
      if (this.left) return;
      this.logger.warn({ err, key }, 'cluster membership lease lost');
      for (const l of this.lostListeners) l(err);
    });
  }

  /** Puts `key` = value (an object is stored as JSON) under a fresh lease of `ttlSeconds` with automatic keepalive. */
  static async join(etcd: Etcd3, key: string, value: object | string, ttlSeconds: number, logger: Logger): Promise<Membership> {
    const lease = etcd.lease(ttlSeconds, { autoKeepAlive: true });
    try {
      await lease.put(key).value(typeof value === 'string' ? value : JSON.stringify(value)).exec();
    } catch (err) {
      lease.release();
      throw err;
    }
    logger.info({ key, ttlSeconds, lease: await lease.grant() }, 'joined the cluster');
    return new Membership(lease, key, logger);
  }

  /** Called once when the lease is lost (etcd unreachable for longer than the TTL). */
  onLost(listener: (err: Error) => void): void {
    this.lostListeners.push(listener);
  }

  /** Revokes the lease, removing the key at once. Idempotent; never throws (the TTL cleans up anyway). */
  async leave(): Promise<void> {
    if (this.left) return;
    this.left = true;
    try {
      await this.lease.revoke();
    } catch (err) {
      this.logger.warn({ err, key: this.key }, 'could not revoke the membership lease; it will expire');
      this.lease.release();
    }
  }
}
