/**
 * The draining state of brokers (BrokerDrain in metadata.ts): an operator empties a broker before
 * retiring it (`samsa brokers drain`). While draining, placement and reassignment targets skip it
 * (active-controller.ts, partition-moves.ts), so a topic created during the drain does not land on
 * it. Kept in etcd under /draining-brokers/ without a lease, written fenced by the active controller.
 */
import type { Etcd3 } from 'etcd3';
import { SamsaError } from '../errors/index.js';
import { commitIfLeader, type BrokerDrain, type ClusterView, type Fence, type MetadataKeys, type Op } from '../cluster/index.js';

/** Broker ids the cluster knows: registered, hosting a replica, or draining. */
export function knownBrokers(view: ClusterView): number[] {
  const ids = new Set<number>([...view.brokers().map((b) => b.id), ...view.drainingBrokers()]);
  for (const t of view.topics()) for (const p of view.partitions(t.name)) for (const r of p.replicas) ids.add(r);
  return [...ids].sort((a, b) => a - b);
}

/**
 * Marks `ids` draining (or not, with `undrain`) and answers every draining broker afterwards.
 * UNKNOWN_BROKER for an id the cluster does not know (a typo must not silently drain nothing).
 */
export async function setDraining(
  o: { etcd: Etcd3; keys: MetadataKeys; view: ClusterView; fence: Fence; nowMs: number },
  ids: readonly number[],
  undrain: boolean,
  validateOnly = false,
): Promise<number[]> {
  const { view } = o;
  if (ids.length === 0) return view.drainingBrokers();
  const known = knownBrokers(view);
  const unknown = [...new Set(ids)].filter((id) => !known.includes(id));
  if (unknown.length > 0)
    throw new SamsaError(
      'UNKNOWN_BROKER',
      `unknown broker id(s) ${unknown.join(', ')}: no such broker is registered, hosts a replica or is draining; known broker ids: [${known.join(', ')}]`,
    );
  if (validateOnly) return view.drainingBrokers();
  const ops: Op[] = [...new Set(ids)]
    .filter((id) => view.isDraining(id) === undrain)
    .map((id) => {
      const drain: BrokerDrain = { brokerId: id, requestedAtMs: o.nowMs };
      return undrain ? { delete: o.keys.draining(id) } : { put: o.keys.draining(id), value: JSON.stringify(drain) };
    });
  if (ops.length > 0) {
    await commitIfLeader(o.etcd, o.fence, [], ops);
    await view.waitFor(() => ids.every((id) => view.isDraining(id) !== undrain), 10_000);
  }
  return view.drainingBrokers();
}
