/**
 * Partition reassignment as pure transitions of a partition's state (Kafka's KIP-455 adding /
 * removing replicas model; docs/adr/0042). active-controller.ts writes each one (fenced, compared
 * with the state it was decided from), so a controller that dies between two steps leaves a state
 * the next controller moves on from.
 *
 *   start     replicas = target ++ (current - target), reassignment = { target, original, ... };
 *             ISR and leader unchanged. The adding replicas' brokers open the partition and follow
 *             (throttled); the leader adds each to the ISR once caught up (alterIsrs).
 *   complete  once every target replica is in the ISR: replicas = target, ISR and ELR cut to the
 *             target, leadership to the first in-sync target replica that may lead if the leader is
 *             leaving (new leader epoch); the removed replicas' brokers delete their copy. The ISR
 *             is then the whole target, so it is never below min.insync.replicas (checked at start).
 *   cancel    replicas = original, ISR and ELR cut to it, leadership back to an original replica if
 *             it had moved; refused when that would leave no in-sync replica, or fewer than
 *             min.insync.replicas where there are that many now.
 */
import { SamsaError } from '../errors/index.js';
import { stampLeaderIncarnation, type PartitionState, type TopicRecord } from '../cluster/index.js';
import type { BrokerFacts } from './leadership.js';

/** `ids` as a set without its order, for comparisons. */
function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function mayLead(state: PartitionState, id: number, facts: BrokerFacts): boolean {
  return facts.leadable.has(id) && !facts.isReplicaOffline(id, state.topic, state.partition);
}

/**
 * Checks a target replica list for a partition of `topic`: non-empty, distinct broker ids, at
 * least min.insync.replicas of them, and every broker it adds live and admitted (`admitted`) and
 * not being drained (`draining`).
 */
export function checkTarget(
  state: PartitionState,
  target: readonly number[],
  topic: TopicRecord,
  admitted: ReadonlySet<number>,
  draining: ReadonlySet<number> = new Set(),
): void {
  const name = `${state.topic}-${state.partition}`;
  if (target.some((b) => !Number.isInteger(b) || b < 0))
    throw new SamsaError('INVALID_REQUEST', `replicas of ${name} must be broker ids (integers >= 0), got [${target.join(', ')}]`);
  if (new Set(target).size !== target.length)
    throw new SamsaError('INVALID_REQUEST', `replicas of ${name} name a broker twice: [${target.join(', ')}]`);
  const minIsr = topic.config.minInsyncReplicas;
  if (target.length < minIsr)
    throw new SamsaError(
      'INVALID_REPLICATION_FACTOR',
      `${name} would have ${target.length} replica(s), fewer than its min.insync.replicas ${minIsr}: acks=all writes would fail`,
    );
  const hosted = state.replicas;
  const ontoDraining = target.filter((b) => !hosted.includes(b) && draining.has(b));
  if (ontoDraining.length > 0)
    throw new SamsaError(
      'POLICY_VIOLATION',
      `cannot move ${name} to broker(s) ${ontoDraining.join(', ')}: being drained (samsa brokers undrain ${ontoDraining.join(',')} first)`,
    );
  const absent = target.filter((b) => !hosted.includes(b) && !admitted.has(b));
  if (absent.length > 0)
    throw new SamsaError(
      'NOT_ENOUGH_BROKERS',
      `cannot move ${name} to broker(s) ${absent.join(', ')}: not live (or not admitted yet); live brokers: [${[...admitted].sort((a, b) => a - b).join(', ')}]`,
    );
}

/**
 * The state that begins moving `state` to `target` (or re-targets a move in progress, keeping its
 * original replicas), or undefined when nothing changes. A target with the same brokers as now
 * and no move in progress only reorders the replicas (no data moves).
 */
export function startReassignment(
  state: PartitionState,
  target: readonly number[],
  throttleBytesPerSecond: number,
  nowMs: number,
): PartitionState | undefined {
  const { reassignment: current, ...rest } = state;
  const original = current?.original ?? state.replicas;
  if (sameSet(target, original) && (current === undefined || sameSet(state.replicas, original))) {
    if (target.every((b, i) => state.replicas[i] === b) && !current) return undefined;
    return { ...rest, replicas: [...target], partitionEpoch: state.partitionEpoch + 1 };
  }
  return {
    ...rest,
    replicas: [...target, ...state.replicas.filter((b) => !target.includes(b))],
    partitionEpoch: state.partitionEpoch + 1,
    reassignment: { target: [...target], original: [...original], throttleBytesPerSecond, startedAtMs: current?.startedAtMs ?? nowMs },
  };
}

/** `state` narrowed to `replicas`, with `leader` and no reassignment: the end of a move, or its cancel. */
function narrowed(state: PartitionState, replicas: readonly number[], leader: number, facts: BrokerFacts): PartitionState {
  const { reassignment: _r, elr, ...rest } = state;
  const keptElr = (elr ?? []).filter((b) => replicas.includes(b));
  return stampLeaderIncarnation(
    {
      ...rest,
      ...(keptElr.length > 0 ? { elr: keptElr } : {}),
      replicas: [...replicas],
      isr: replicas.filter((b) => state.isr.includes(b)),
      leader,
      leaderEpoch: leader !== state.leader ? state.leaderEpoch + 1 : state.leaderEpoch,
      partitionEpoch: state.partitionEpoch + 1,
    },
    facts.epochOf,
  );
}

/**
 * The next step of a move in progress, or undefined while it waits (a target replica not in the
 * ISR yet, or no in-sync target replica that may lead when the leader is leaving).
 */
export function advanceReassignment(state: PartitionState, facts: BrokerFacts): PartitionState | undefined {
  const r = state.reassignment;
  if (!r) return undefined;
  if (!r.target.every((b) => state.isr.includes(b))) return undefined;
  const leader =
    state.leader >= 0 && r.target.includes(state.leader) && facts.live.has(state.leader)
      ? state.leader
      : r.target.find((b) => state.isr.includes(b) && mayLead(state, b, facts));
  if (leader === undefined) return undefined;
  return narrowed(state, r.target, leader, facts);
}

/** The state with its move in progress undone (see the module comment); throws when it cannot be. */
export function cancelReassignment(state: PartitionState, facts: BrokerFacts, minInsyncReplicas: number): PartitionState {
  const name = `${state.topic}-${state.partition}`;
  const r = state.reassignment;
  if (!r) throw new SamsaError('INVALID_REQUEST', `${name} has no reassignment in progress to cancel`);
  const isr = r.original.filter((b) => state.isr.includes(b));
  if (isr.length === 0)
    throw new SamsaError(
      'POLICY_VIOLATION',
      `cannot cancel the move of ${name}: none of its original replicas [${r.original.join(', ')}] is in sync (ISR [${state.isr.join(', ')}]); let it finish, or reassign it again`,
    );
  if (isr.length < Math.min(minInsyncReplicas, state.isr.length))
    throw new SamsaError(
      'POLICY_VIOLATION',
      `cannot cancel the move of ${name}: only ${isr.length} original replica(s) are in sync, below min.insync.replicas ${minInsyncReplicas}`,
    );
  const leader = r.original.includes(state.leader) ? state.leader : isr.find((b) => mayLead(state, b, facts));
  if (leader === undefined)
    throw new SamsaError('POLICY_VIOLATION', `cannot cancel the move of ${name}: no in-sync original replica can lead now`);
  return narrowed(state, r.original, leader, facts);
}
