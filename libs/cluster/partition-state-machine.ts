/**
 * Partition leadership decisions, as pure functions over PartitionState. The controller applies
 * what these return through fenced etcd transactions.
 *
 * Leader states, and the transitions allowed between them (checked on every decision):
 *
 *   from \ to      | online (leader >= 0)        | offline (leader = -1)
 *   ---------------+-----------------------------+-----------------------------
 *   online         | leader moves to ISR member  | last ISR member died
 *   offline        | an ISR member came back     | (no change)
 *
 * Every leader change bumps leaderEpoch (fencing stale leaders) and partitionEpoch (fencing stale
 * ISR updates). The ISR never becomes empty: when the last live member dies it stays in the ISR,
 * like Kafka, so that when it returns it is still known to have every acknowledged record.
 * An out-of-sync replica becomes leader only when the topic allows unclean election.
 */
import type { PartitionState } from './metadata.js';

export type LeaderStatus = 'online' | 'offline';

const ALLOWED: Record<LeaderStatus, readonly LeaderStatus[]> = {
  online: ['online', 'offline'],
  offline: ['online', 'offline'],
};

function status(s: PartitionState): LeaderStatus {
  return s.leader >= 0 ? 'online' : 'offline';
}

function checked(before: PartitionState, after: PartitionState): PartitionState {
  if (!ALLOWED[status(before)].includes(status(after))) {
    throw new Error(`illegal partition transition ${status(before)} -> ${status(after)} for ${before.topic}-${before.partition}`);
  }
  if (after.leader >= 0 && !after.replicas.includes(after.leader)) {
    throw new Error(`leader ${after.leader} of ${before.topic}-${before.partition} is not a replica`);
  }
  if (after.isr.length === 0) throw new Error(`ISR of ${before.topic}-${before.partition} would be empty`);
  return after;
}

function withLeader(state: PartitionState, leader: number, isr: number[]): PartitionState {
  return checked(state, {
    ...state,
    leader,
    isr,
    leaderEpoch: leader !== state.leader ? state.leaderEpoch + 1 : state.leaderEpoch,
    partitionEpoch: state.partitionEpoch + 1,
  });
}

/**
 * The state after the brokers not in `live` are gone, or undefined when nothing changes.
 * A dead leader is replaced by the first live ISR member in replica order (preferred first);
 * dead followers leave the ISR; with no live ISR member the leader becomes -1 and the ISR is kept.
 */
export function onBrokersChanged(state: PartitionState, live: ReadonlySet<number>, uncleanAllowed: boolean): PartitionState | undefined {
  const liveIsr = state.replicas.filter((r) => state.isr.includes(r) && live.has(r));
  const leaderAlive = state.leader >= 0 && live.has(state.leader);
  if (leaderAlive) {
    if (liveIsr.length === state.isr.length) return undefined;
    return withLeader(state, state.leader, liveIsr);
  }
  const next = liveIsr[0];
  if (next !== undefined) return withLeader(state, next, liveIsr);
  if (uncleanAllowed) {
    const anyLive = state.replicas.find((r) => live.has(r));
    if (anyLive !== undefined) return withLeader(state, anyLive, [anyLive]);
  }
  if (state.leader === -1) return undefined;
  return withLeader(state, -1, state.isr);
}

/**
 * The state after the brokers in `restarted` came back as new processes without having been seen
 * to leave (killed and restarted within their lease TTL), or undefined when nothing changes. It
 * is a departure followed by a return: a restarted leader hands leadership to another in-sync
 * replica, or, being the only one, leads again in a new epoch; a restarted follower leaves the
 * ISR and rejoins when it has caught up. The old process's epoch must not carry over to the new
 * one, whose log may have lost what was not flushed.
 */
export function onBrokersRestarted(state: PartitionState, restarted: ReadonlySet<number>, live: ReadonlySet<number>, uncleanAllowed: boolean): PartitionState | undefined {
  if (!state.replicas.some((r) => restarted.has(r))) return undefined;
  const withoutRestarted = new Set([...live].filter((b) => !restarted.has(b)));
  const departed = onBrokersChanged(state, withoutRestarted, uncleanAllowed);
  if (!departed) return undefined;
  return onBrokersChanged(departed, live, uncleanAllowed) ?? departed;
}

/**
 * Controlled shutdown (Kafka's controlled.shutdown): the state with the brokers of `shutting`
 * (alive, but about to stop) out of the way, or undefined when nothing changes. Where one leads,
 * leadership goes to the first other live ISR member in replica order; where one follows, it
 * leaves the ISR. Both only when another live ISR member remains: a partition whose only in-sync
 * replica is shutting down keeps it (as leader) until it is gone, as in Kafka, rather than going
 * offline early. Never unclean: a shutdown is no reason to elect an out-of-sync replica.
 */
export function onBrokersShuttingDown(state: PartitionState, shutting: ReadonlySet<number>, live: ReadonlySet<number>): PartitionState | undefined {
  if (!state.replicas.some((r) => shutting.has(r) && state.isr.includes(r))) return undefined;
  const staying = new Set([...live].filter((b) => !shutting.has(b)));
  const next = onBrokersChanged(state, staying, false);
  if (!next || next.leader < 0) return undefined;
  return next;
}

/**
 * Preferred-leader election (Kafka's auto.leader.rebalance): the state with leadership moved back
 * to the first replica, or undefined when it already leads, is not alive, or is not in the ISR (it
 * would not hold every committed record). Only a live leader is replaced here; a dead one is
 * onBrokersChanged's business.
 */
export function onPreferredLeaderCheck(state: PartitionState, live: ReadonlySet<number>): PartitionState | undefined {
  const preferred = state.replicas[0];
  if (preferred === undefined || preferred === state.leader) return undefined;
  if (state.leader < 0 || !live.has(state.leader)) return undefined;
  if (!live.has(preferred) || !state.isr.includes(preferred)) return undefined;
  return withLeader(state, preferred, state.isr);
}

/**
 * `state` with `leaderBrokerEpoch` naming the incarnation of its leader that `epochOf` gives (the
 * registered broker epoch), or without one when there is no leader. Every state the controller
 * writes goes through this, so a broker leads only in the incarnation it was elected in.
 */
export function stampLeaderIncarnation(state: PartitionState, epochOf: (brokerId: number) => number | undefined): PartitionState {
  const { leaderBrokerEpoch: _old, ...rest } = state;
  const epoch = state.leader >= 0 ? epochOf(state.leader) : undefined;
  return epoch === undefined ? rest : { ...rest, leaderBrokerEpoch: epoch };
}

/**
 * True when `state` names a live leader whose published incarnation is not its registered one
 * (it restarted since, or the record predates broker epochs): the controller must move the
 * partition on as if that leader had left and come back.
 */
export function leaderIncarnationStale(state: PartitionState, epochOf: (brokerId: number) => number | undefined): boolean {
  if (state.leader < 0) return false;
  const registered = epochOf(state.leader);
  return registered !== undefined && state.leaderBrokerEpoch !== registered;
}
