/**
 * The controller's leadership decisions as pure functions of what it knows about the brokers: who
 * leads each partition and who is in its ISR when brokers die, restart, shut down or lose a disk,
 * and when leadership moves back to the preferred replica. active-controller.ts writes what these
 * decide (fenced, compare-and-swap on the state read); nothing here does I/O.
 */
import {
  leaderIncarnationStale,
  onBrokersChanged,
  onBrokersRestarted,
  onBrokersShuttingDown,
  onPreferredLeaderCheck,
  stampLeaderIncarnation,
  type BrokerRegistration,
  type PartitionState,
} from '../cluster/index.js';

/** What the leadership decisions read about the cluster (ClusterView has it all). */
export interface BrokerStatusSource {
  /** Live (registered) brokers, in id order. */
  brokers(): BrokerRegistration[];
  broker(id: number): BrokerRegistration | undefined;
  /** True when the controller has admitted broker `id`'s current incarnation. */
  isAdmitted(id: number): boolean;
  isShuttingDown(id: number): boolean;
  /** True when broker `id` reports its replica of this partition offline (failed storage). */
  isReplicaOffline(id: number, topic: string, partition: number): boolean;
}

/** The brokers as one leadership pass sees them, taken once at its start. */
export interface BrokerFacts {
  /** Registered brokers. */
  readonly live: ReadonlySet<number>;
  /** Registered incarnations not admitted yet (new or restarted processes). */
  readonly pending: ReadonlySet<number>;
  /** Brokers in controlled shutdown. */
  readonly shutting: ReadonlySet<number>;
  /** Pending incarnations whose previous process did not shut down cleanly (KIP-966: may have lost their unflushed tail). */
  readonly uncleanStarts: ReadonlySet<number>;
  /** Live, admitted and not shutting down: the brokers that may take leadership back as preferred replicas. */
  readonly leadable: ReadonlySet<number>;
  /** The registered broker epoch of a live broker (undefined when not registered). */
  epochOf(id: number): number | undefined;
  isReplicaOffline(id: number, topic: string, partition: number): boolean;
}

export function brokerFacts(source: BrokerStatusSource): BrokerFacts {
  const brokers = source.brokers();
  const pending = new Set(brokers.filter((b) => !source.isAdmitted(b.id)).map((b) => b.id));
  const shutting = new Set(brokers.filter((b) => source.isShuttingDown(b.id)).map((b) => b.id));
  const uncleanStarts = new Set(brokers.filter((b) => pending.has(b.id) && !b.cleanStart).map((b) => b.id));
  return {
    uncleanStarts,
    live: new Set(brokers.map((b) => b.id)),
    pending,
    shutting,
    leadable: new Set(brokers.filter((b) => !pending.has(b.id) && !shutting.has(b.id)).map((b) => b.id)),
    epochOf: (id) => source.broker(id)?.brokerEpoch,
    isReplicaOffline: (id, topic, partition) => source.isReplicaOffline(id, topic, partition),
  };
}

/** Admitted live brokers in id order: the ones that may lead or be given new replicas. */
export function admittedBrokers(facts: BrokerFacts): number[] {
  return [...facts.live].filter((id) => !facts.pending.has(id)).sort((a, b) => a - b);
}

/**
 * The brokers of `live` whose replica of this partition is not offline: a replica whose storage
 * failed counts as dead for its partition (out of the ISR, never leader) while its broker lives on.
 */
export function liveFor(
  state: PartitionState,
  live: ReadonlySet<number>,
  facts: Pick<BrokerFacts, 'isReplicaOffline'>,
): ReadonlySet<number> {
  const offline = state.replicas.filter((r) => live.has(r) && facts.isReplicaOffline(r, state.topic, state.partition));
  if (offline.length === 0) return live;
  return new Set([...live].filter((b) => !offline.includes(b)));
}

export interface LeadershipDecision {
  /** The state to write, stamped with its leader's incarnation. */
  readonly next: PartitionState;
  /** The partition's replicas that restarted (pending incarnations, or a stale leader): admitted only once this is written. */
  readonly restarted: readonly number[];
}

/**
 * One partition in a leadership pass, or undefined when it stays as it is: a dead leader is
 * replaced by a live ISR member and dead followers leave the ISR; a restarted replica (a pending
 * incarnation, or a leader published for an older incarnation) is moved on as if it had left and
 * come back; a broker in controlled shutdown hands leadership over and leaves the ISR while
 * another in-sync member remains. Unclean election only when the topic allows it. Eligible leader
 * replicas (KIP-966, libs/cluster partition-state-machine.ts) follow the topic's
 * `minInsyncReplicas`; a restarted replica whose last shutdown was unclean is not eligible while
 * another eligible replica exists.
 */
export function decideLeadership(
  state: PartitionState,
  uncleanAllowed: boolean,
  facts: BrokerFacts,
  minInsyncReplicas = 1,
): LeadershipDecision | undefined {
  const restarted = new Set(state.replicas.filter((r) => facts.pending.has(r)));
  if (leaderIncarnationStale(state, facts.epochOf)) restarted.add(state.leader);
  const liveHere = liveFor(state, facts.live, facts);
  const eligibility = { minInsyncReplicas, uncleanStarts: facts.uncleanStarts };
  const decided =
    (restarted.size > 0 ? onBrokersRestarted(state, restarted, liveHere, uncleanAllowed, eligibility) : undefined) ??
    onBrokersChanged(state, liveHere, uncleanAllowed, eligibility);
  const handedOver = facts.shutting.size > 0 ? onBrokersShuttingDown(decided ?? state, facts.shutting, liveHere, eligibility) : undefined;
  const changed = handedOver ?? decided;
  if (!changed) return undefined;
  return { next: stampLeaderIncarnation(changed, facts.epochOf), restarted: [...restarted] };
}

/**
 * The preferred-leader move for one partition (Kafka's auto leader rebalance), or undefined:
 * leadership goes back to the first replica when it is admitted, not shutting down, its replica
 * is online and in the ISR, and the current leader is alive.
 */
export function decidePreferredLeader(state: PartitionState, facts: BrokerFacts): PartitionState | undefined {
  const preferred = onPreferredLeaderCheck(state, liveFor(state, facts.leadable, facts));
  return preferred ? stampLeaderIncarnation(preferred, facts.epochOf) : undefined;
}
