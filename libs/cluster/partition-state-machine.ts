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
 *
 * Eligible leader replicas (KIP-966). When the ISR shrinks below min.insync.replicas, no acks=all
 * write can commit any more (and the leader's high watermark stands still, Partition), so the
 * members that left it still hold every committed record: they are kept in `elr`. A partition's
 * *eligible* replicas are its ISR and its ELR. The ELR is emptied once the ISR is back at
 * min.insync.replicas (its members then are the ones that hold everything). A broker that
 * restarts after an unclean shutdown may have lost its unflushed tail, so it stops being eligible
 * (leaves ISR and ELR) whenever another eligible replica exists, dead or alive: it is never elected
 * while another eligible replica lives, and when none lives the partition stays offline until one
 * returns (unless unclean election is allowed). Only when it is the one eligible replica left
 * (replication factor 1, or an ISR that shrank to it without going below min.insync.replicas)
 * does it stay eligible: its log is then the best copy there is.
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

/** What the ISR decisions need to know beyond the partition itself (KIP-966; see the module comment). */
export interface Eligibility {
  /** The topic's min.insync.replicas: an ISR below it keeps the members that left as ELR. */
  minInsyncReplicas: number;
  /** Brokers whose current process started after an unclean shutdown (BrokerRegistration.cleanStart false). */
  uncleanStarts?: ReadonlySet<number>;
}

/** Without eligibility facts: min.insync.replicas 1, so no ELR is kept (the rules before KIP-966). */
const NO_ELR: Eligibility = { minInsyncReplicas: 1 };

/** The replicas known to hold every committed record: the ISR, then the ELR, in replica order. */
export function eligibleReplicas(state: PartitionState): number[] {
  const elr = state.elr ?? [];
  return [
    ...state.replicas.filter((r) => state.isr.includes(r)),
    ...state.replicas.filter((r) => elr.includes(r) && !state.isr.includes(r)),
  ];
}

/**
 * `state` with ISR `isr` and the ELR that follows from the change (module comment), without
 * bumping any epoch. The leader's ISR writes (alterIsrs) and every controller decision go through it.
 */
export function withIsr(state: PartitionState, isr: readonly number[], minInsyncReplicas: number): PartitionState {
  const { elr: before = [], ...rest } = state;
  const left = state.isr.filter((r) => !isr.includes(r));
  const elr =
    isr.length >= minInsyncReplicas ? [] : state.replicas.filter((r) => !isr.includes(r) && (before.includes(r) || left.includes(r)));
  return elr.length > 0 ? { ...rest, isr: [...isr], elr } : { ...rest, isr: [...isr] };
}

function withLeader(state: PartitionState, leader: number, isr: number[], minInsyncReplicas: number): PartitionState {
  return checked(state, {
    ...withIsr(state, isr, minInsyncReplicas),
    leader,
    leaderEpoch: leader !== state.leader ? state.leaderEpoch + 1 : state.leaderEpoch,
    partitionEpoch: state.partitionEpoch + 1,
  });
}

/**
 * The state after the brokers not in `live` are gone, or undefined when nothing changes.
 * A dead leader is replaced by the first live ISR member in replica order (preferred first), or,
 * with none, by the first live ELR member (which then is the ISR alone; the dead ISR members join
 * the ELR); dead followers leave the ISR; with no live eligible replica the leader becomes -1 and
 * the ISR is kept.
 */
export function onBrokersChanged(
  state: PartitionState,
  live: ReadonlySet<number>,
  uncleanAllowed: boolean,
  eligibility: Eligibility = NO_ELR,
): PartitionState | undefined {
  const minIsr = eligibility.minInsyncReplicas;
  const liveIsr = state.replicas.filter((r) => state.isr.includes(r) && live.has(r));
  const leaderAlive = state.leader >= 0 && live.has(state.leader);
  if (leaderAlive) {
    if (liveIsr.length === state.isr.length) return undefined;
    return withLeader(state, state.leader, liveIsr, minIsr);
  }
  const next = liveIsr[0];
  if (next !== undefined) return withLeader(state, next, liveIsr, minIsr);
  const liveEligible = eligibleReplicas(state).find((r) => live.has(r));
  if (liveEligible !== undefined) return withLeader(state, liveEligible, [liveEligible], minIsr);
  if (uncleanAllowed) {
    const anyLive = state.replicas.find((r) => live.has(r));
    if (anyLive !== undefined) return withLeader(state, anyLive, [anyLive], minIsr);
  }
  if (state.leader === -1) return undefined;
  return withLeader(state, -1, state.isr, minIsr);
}

/**
 * `state` with every broker of `unclean` that is eligible, and not the only eligible replica,
 * out of ISR and ELR (partition epoch bumped), or `state` itself when none is. An ISR left empty
 * (the ISR is never empty) takes the first remaining eligible replica, a live one if any (`live`),
 * and the rest stay in the ELR; the next decision elects it if it lives.
 */
function withoutLostTails(state: PartitionState, unclean: readonly number[], live: ReadonlySet<number>): PartitionState {
  let s = state;
  for (const b of unclean) {
    const eligible = eligibleReplicas(s);
    if (!eligible.includes(b) || eligible.length === 1) continue;
    const others = eligible.filter((r) => r !== b);
    const kept = s.isr.filter((r) => r !== b);
    const isr = kept.length > 0 ? kept : [others.find((r) => live.has(r)) ?? (others[0] as number)];
    const elr = others.filter((r) => !isr.includes(r));
    const { elr: _elr, ...rest } = s;
    s = { ...rest, isr, ...(elr.length > 0 ? { elr } : {}), partitionEpoch: state.partitionEpoch + 1 };
  }
  return s;
}

/**
 * The state after the brokers in `restarted` came back as new processes without having been seen
 * to leave (killed and restarted within their lease TTL), or undefined when nothing changes. It
 * is a departure followed by a return: a restarted leader hands leadership to another in-sync
 * replica, or, being the only one, leads again in a new epoch; a restarted follower leaves the
 * ISR and rejoins when it has caught up. The old process's epoch must not carry over to the new
 * one, whose log may have lost what was not flushed.
 */
export function onBrokersRestarted(
  state: PartitionState,
  restarted: ReadonlySet<number>,
  live: ReadonlySet<number>,
  uncleanAllowed: boolean,
  eligibility: Eligibility = NO_ELR,
): PartitionState | undefined {
  if (!state.replicas.some((r) => restarted.has(r))) return undefined;
  // KIP-966: a restart after an unclean shutdown may have lost its tail; it is not eligible while another replica is.
  const unclean = [...restarted].filter((r) => eligibility.uncleanStarts?.has(r) === true);
  const base = unclean.length > 0 ? withoutLostTails(state, unclean, new Set([...live].filter((b) => !restarted.has(b)))) : state;
  const withoutRestarted = new Set([...live].filter((b) => !restarted.has(b)));
  const departed =
    onBrokersChanged(base, withoutRestarted, uncleanAllowed, eligibility) ?? (base !== state ? checked(state, base) : undefined);
  if (!departed) return undefined;
  return onBrokersChanged(departed, live, uncleanAllowed, eligibility) ?? departed;
}

/**
 * Controlled shutdown (Kafka's controlled.shutdown): the state with the brokers of `shutting`
 * (alive, but about to stop) out of the way, or undefined when nothing changes. Where one leads,
 * leadership goes to the first other live ISR member in replica order; where one follows, it
 * leaves the ISR. Both only when another live ISR member remains: a partition whose only in-sync
 * replica is shutting down keeps it (as leader) until it is gone, as in Kafka, rather than going
 * offline early. Never unclean: a shutdown is no reason to elect an out-of-sync replica.
 */
export function onBrokersShuttingDown(
  state: PartitionState,
  shutting: ReadonlySet<number>,
  live: ReadonlySet<number>,
  eligibility: Eligibility = NO_ELR,
): PartitionState | undefined {
  if (!state.replicas.some((r) => shutting.has(r) && state.isr.includes(r))) return undefined;
  const staying = new Set([...live].filter((b) => !shutting.has(b)));
  const next = onBrokersChanged(state, staying, false, { minInsyncReplicas: eligibility.minInsyncReplicas });
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
  // The ISR does not change, nor does the ELR (an infinite minimum keeps it as it is).
  return withLeader(state, preferred, state.isr, Number.POSITIVE_INFINITY);
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
