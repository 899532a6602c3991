/**
 * Reassignment plans an operator can generate instead of writing them by hand: move a topic onto a
 * list of brokers, drain one broker, or even out replicas over every live broker. Pure functions of
 * the current assignment (and the brokers' racks), moving as few replicas as they can: a replica
 * already where it may stay is kept, and a replacement takes the slot of the one it replaces (so
 * the preferred leader moves only when the preferred broker is the one leaving).
 */
import { SamsaError } from '../../errors/index.js';

/** A partition and the replicas it should have, preferred leader first. */
export interface PartitionAssignment {
  topic: string;
  partition: number;
  replicas: number[];
}

/** A broker a plan may place replicas on; rack '' when unknown. */
export interface PlanBroker {
  id: number;
  rack: string;
}

function countReplicas(assignments: readonly PartitionAssignment[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const a of assignments) for (const b of a.replicas) counts.set(b, (counts.get(b) ?? 0) + 1);
  return counts;
}

/**
 * The broker of `candidates` to put next to `others`: one on a rack none of `others` is on when
 * racks are known, then the one hosting fewest replicas (`load`), then the lowest id.
 */
function pick(
  candidates: readonly PlanBroker[],
  others: readonly number[],
  racks: ReadonlyMap<number, string>,
  load: Map<number, number>,
): PlanBroker | undefined {
  const used = new Set(others.map((o) => racks.get(o) ?? ''));
  const score = (b: PlanBroker): number => (b.rack !== '' && used.has(b.rack) ? 1 : 0);
  return [...candidates]
    .filter((b) => !others.includes(b.id))
    .sort((a, b) => score(a) - score(b) || (load.get(a.id) ?? 0) - (load.get(b.id) ?? 0) || a.id - b.id)[0];
}

/** Only the partitions whose replicas change. */
function changed(before: readonly PartitionAssignment[], after: readonly PartitionAssignment[]): PartitionAssignment[] {
  return after.filter((a, i) => (before[i] as PartitionAssignment).replicas.join(',') !== a.replicas.join(','));
}

/**
 * Moves `partitions` onto `brokers` (Kafka's reassign --generate for a broker list): each keeps its
 * replication factor and the replicas already on the list; the others are replaced, slot for slot,
 * by the listed broker with the fewest replicas of this plan (rack-aware). Throws INVALID_REQUEST
 * when the list has fewer brokers than a partition's replication factor.
 */
export function planMoveTo(partitions: readonly PartitionAssignment[], brokers: readonly PlanBroker[]): PartitionAssignment[] {
  const ids = brokers.map((b) => b.id);
  const racks = new Map(brokers.map((b) => [b.id, b.rack]));
  const load = countReplicas(partitions.map((p) => ({ ...p, replicas: p.replicas.filter((r) => ids.includes(r)) })));
  const after = partitions.map((p) => {
    if (p.replicas.length > brokers.length)
      throw new SamsaError(
        'INVALID_REQUEST',
        `${p.topic}-${p.partition} has ${p.replicas.length} replicas; ${brokers.length} broker(s) cannot hold them`,
      );
    const replicas = [...p.replicas];
    for (let i = 0; i < replicas.length; i++) {
      if (ids.includes(replicas[i] as number)) continue;
      const staying = replicas.filter((r, j) => j !== i && ids.includes(r));
      const next = pick(brokers, staying, racks, load) as PlanBroker;
      replicas[i] = next.id;
      load.set(next.id, (load.get(next.id) ?? 0) + 1);
    }
    return { ...p, replicas };
  });
  return changed(partitions, after);
}

/**
 * Every replica off broker `drained` (a decommission): each partition on it gets, in its slot, the
 * live broker with the fewest replicas (cluster-wide) that it does not have yet, on another rack
 * than its other replicas where racks are known. Throws NOT_ENOUGH_BROKERS when a partition has
 * nowhere to go.
 */
export function planDrain(
  partitions: readonly PartitionAssignment[],
  drained: number,
  brokers: readonly PlanBroker[],
): PartitionAssignment[] {
  const others = brokers.filter((b) => b.id !== drained);
  const load = countReplicas(partitions);
  const after = partitions
    .filter((p) => p.replicas.includes(drained))
    .map((p) => {
      const staying = p.replicas.filter((r) => r !== drained);
      const next = pick(others, staying, new Map(brokers.map((b) => [b.id, b.rack])), load);
      if (!next)
        throw new SamsaError(
          'NOT_ENOUGH_BROKERS',
          `${p.topic}-${p.partition} has ${p.replicas.length} replicas and no live broker other than [${p.replicas.join(', ')}] to take broker ${drained}'s: add a broker first`,
        );
      load.set(next.id, (load.get(next.id) ?? 0) + 1);
      return { ...p, replicas: p.replicas.map((r) => (r === drained ? next.id : r)) };
    });
  return after;
}

/**
 * Evens out replicas over `brokers` (adding a broker, then balancing): while the most loaded broker
 * hosts two or more replicas than the least loaded, one replica moves from the first to the second
 * (a partition that has the first and not the second; rack-aware where racks are known). Only
 * replicas move; leaders follow their preferred slot. Returns the partitions that change.
 */
export function planRebalance(partitions: readonly PartitionAssignment[], brokers: readonly PlanBroker[]): PartitionAssignment[] {
  const after = partitions.map((p) => ({ ...p, replicas: [...p.replicas] }));
  const racks = new Map(brokers.map((b) => [b.id, b.rack]));
  const load = new Map(brokers.map((b) => [b.id, 0]));
  for (const [b, n] of countReplicas(after)) if (load.has(b)) load.set(b, n);
  for (let guard = 0; guard < 100_000; guard++) {
    const sorted = [...load.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    const [low, lowN] = sorted[0] as [number, number];
    let moved = false;
    for (const [high, highN] of [...sorted].reverse()) {
      if (highN - lowN < 2) break;
      const rackOk = (p: PartitionAssignment): boolean => {
        const rack = racks.get(low) ?? '';
        return rack === '' || !p.replicas.some((r) => r !== high && racks.get(r) === rack);
      };
      const candidates = after.filter((p) => p.replicas.includes(high) && !p.replicas.includes(low));
      const p = candidates.find(rackOk) ?? candidates[0];
      if (!p) continue;
      p.replicas[p.replicas.indexOf(high)] = low;
      load.set(high, highN - 1);
      load.set(low, lowN + 1);
      moved = true;
      break;
    }
    if (!moved) break;
  }
  return changed(partitions, after);
}

/** A plan file: Kafka's reassignment JSON ({"version":1,"partitions":[{"topic","partition","replicas"}]}). */
export function parsePlan(text: string): PartitionAssignment[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new SamsaError('INVALID_REQUEST', `the plan is not JSON: ${(err as Error).message}`);
  }
  const list = (parsed as { partitions?: unknown })?.partitions;
  if (!Array.isArray(list))
    throw new SamsaError('INVALID_REQUEST', 'the plan must be {"partitions": [{"topic": T, "partition": N, "replicas": [B, ...]}, ...]}');
  return list.map((e: unknown, i) => {
    const o = e as { topic?: unknown; partition?: unknown; replicas?: unknown };
    if (
      typeof o?.topic !== 'string' ||
      !Number.isInteger(o.partition) ||
      !Array.isArray(o.replicas) ||
      !o.replicas.every((r) => Number.isInteger(r))
    )
      throw new SamsaError(
        'INVALID_REQUEST',
        `plan entry ${i} must have "topic" (string), "partition" (integer) and "replicas" (integers)`,
      );
    return { topic: o.topic, partition: o.partition as number, replicas: o.replicas as number[] };
  });
}
