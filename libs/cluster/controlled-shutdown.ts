/**
 * The broker's side of a controlled shutdown (Kafka's controlled.shutdown.enable): before it stops
 * serving, a broker announces the shutdown in etcd (BrokerShutdown, under its registration lease)
 * and waits, up to a bound, until the controller has moved every partition off it: leadership to
 * another in-sync replica, and this broker out of every ISR that has another member. Then no
 * acks=all write waits for it when it stops following, and no produce meets a leader that is going
 * away: clients see one NOT_LEADER_OR_FOLLOWER and go to the new leader (docs/replication.md).
 *
 * Without an active controller (or with etcd unreachable) the wait ends at the bound and the broker
 * stops anyway; its lease then ends (revoked on leave) and the controller handles it as a departure.
 *
 * The marker lives under a lease of its own with the registration's TTL (so it goes away if the
 * process dies mid-shutdown), owned by the ShutdownMarker returned, which the broker ends last.
 */
import type { Etcd3, Lease } from 'etcd3';
import type { BrokerShutdown, MetadataKeys, PartitionState } from './metadata.js';
import type { ClusterView } from './cluster-view.js';
import type { Logger } from '../telemetry/index.js';
import { sleep, systemClock } from '../runtime/index.js';

export interface ControlledShutdownOptions {
  brokerId: number;
  /** This process's registered incarnation; undefined when not registered (nothing to hand over). */
  brokerEpoch: number | undefined;
  view: ClusterView;
  etcd: Etcd3;
  keys: MetadataKeys;
  ttlSeconds: number;
  /** The bound on the wait, in ms (0: no controlled shutdown). */
  timeoutMs: number;
  logger: Logger;
}

/** The BrokerShutdown marker's lease; end() revokes it (removing the key). Never throws. */
export interface ShutdownMarker {
  end(): Promise<void>;
}

const NO_MARKER: ShutdownMarker = { end: () => Promise.resolve() };

/**
 * True when `state` needs nothing more from broker `self` before it stops: it does not lead, or
 * leads with no other live in-sync replica to hand over to; and it is not in the ISR of a
 * partition that another live broker leads. A leader that is itself shutting down (or gone) takes
 * no acks=all write that this follower would hold up for longer than its own stop, and the
 * controller does not shrink an ISR whose every member is stopping: waiting for that made every
 * whole-cluster stop (npm start's Ctrl-C, every test cluster) sit out the full bound (5 s).
 */
export function handedOver(state: PartitionState, self: number, isLive: (id: number) => boolean): boolean {
  if (!state.replicas.includes(self)) return true;
  if (state.leader === self) return !state.isr.some((r) => r !== self && isLive(r));
  return state.leader < 0 || !state.isr.includes(self) || !isLive(state.leader);
}

/** The partitions broker `self` still holds up (see handedOver), as "topic-partition". */
export function notHandedOver(view: ClusterView, self: number): string[] {
  const live = (id: number): boolean => view.broker(id) !== undefined && !view.isShuttingDown(id);
  const left: string[] = [];
  for (const topic of view.topics()) {
    for (const state of view.partitions(topic.name)) {
      if (!handedOver(state, self, live)) left.push(`${state.topic}-${state.partition}`);
    }
  }
  return left;
}

/**
 * Announces the shutdown and waits (bounded) until every partition is handed over. Never throws;
 * the caller ends the returned marker once it has left the cluster.
 */
export async function controlledShutdown(options: ControlledShutdownOptions): Promise<ShutdownMarker> {
  const { brokerId, brokerEpoch, view, logger, timeoutMs } = options;
  if (timeoutMs <= 0) return NO_MARKER;
  if (brokerEpoch === undefined) {
    logger.info('not registered: stopping without a controlled shutdown');
    return NO_MARKER;
  }
  const started = systemClock.nowMs();
  let lease: Lease | undefined;
  try {
    lease = options.etcd.lease(options.ttlSeconds, { autoKeepAlive: true });
    // Lease errors surface through the put and the grant; nothing else listens.
    lease.on('lost', () => undefined);
    const marker: BrokerShutdown = { brokerId, brokerEpoch, requestedAtMs: started };
    const key = options.keys.shuttingDown(brokerId);
    const markerLease = lease;
    const handOver = async (): Promise<void> => {
      await markerLease.put(key).value(JSON.stringify(marker)).exec();
      await view.waitFor(() => notHandedOver(view, brokerId).length === 0, Math.max(1, timeoutMs - (systemClock.nowMs() - started)));
    };
    // The bound covers the marker's write too (etcd may be unreachable).
    const bound = new AbortController();
    const work = handOver();
    // Observed here too: when the bound wins the race, work's later failure must not go unhandled.
    void work.catch(() => undefined);
    try {
      await Promise.race([
        work,
        sleep(timeoutMs, bound.signal).then(() =>
          bound.signal.aborted ? undefined : Promise.reject(new Error(`not handed over within ${timeoutMs} ms`)),
        ),
      ]);
    } finally {
      bound.abort();
    }
    logger.info({ tookMs: systemClock.nowMs() - started }, 'controlled shutdown: leadership and ISR places handed over');
  } catch (err) {
    const left = notHandedOver(view, brokerId);
    logger.warn(
      { err, tookMs: systemClock.nowMs() - started, partitions: left.slice(0, 20), count: left.length },
      'controlled shutdown did not complete in time; stopping anyway',
    );
  }
  const owned = lease;
  if (!owned) return NO_MARKER;
  return {
    end: async () => {
      // Bounded like the rest: with etcd unreachable the lease simply expires after its TTL.
      const bound = new AbortController();
      try {
        await Promise.race([owned.revoke().catch(() => owned.release()), sleep(1000, bound.signal)]);
      } finally {
        bound.abort();
        owned.release();
      }
    },
  };
}
