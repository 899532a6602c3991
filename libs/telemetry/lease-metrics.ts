/**
 * A cluster member's etcd lease metrics (broker, controller, coordinator; libs/service joinCluster):
 *
 *   samsa.lease.stall_revocations  counter  {lease}  leases the keep-alive thread revoked because
 *                                                    this process's main thread had not run for the
 *                                                    stall limit (--lease-stall-limit-seconds, ADR 0057)
 *
 * Each such revocation is a member that was hung long enough to be put out of the cluster on
 * purpose (a broker steps down from every partition it led, a controller from its seat); the
 * counter starts at 0 so a rate or an increase over it is defined before the first one.
 */
import type { Counter, Meter } from '@opentelemetry/api';
import { meter as samsaMeter } from './spans.js';

export class LeaseMetrics {
  private readonly stallRevocations: Counter;

  constructor(meter: Meter = samsaMeter) {
    this.stallRevocations = meter.createCounter('samsa.lease.stall_revocations', {
      unit: '{lease}',
      description: "Leases the keep-alive thread revoked because this process's main thread stalled past the lease stall limit",
    });
    this.stallRevocations.add(0);
  }

  /** The keep-alive thread revoked a lease: the main thread had not run for the stall limit. */
  stallRevoked(): void {
    this.stallRevocations.add(1);
  }
}
