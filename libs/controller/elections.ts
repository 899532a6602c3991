/**
 * Leader elections an operator asks for (Kafka's ElectLeaders) and the automatic preferred-leader
 * rebalance (Kafka's auto.leader.rebalance.enable with leader.imbalance.per.broker.percentage), as
 * pure functions of the partition states and the brokers. active-controller.ts writes what these
 * decide, fenced and compared with the state they were decided from.
 *
 * Safety, for both kinds: a leader is only ever a broker that is live, admitted, not shutting
 * down and whose replica is online (BrokerFacts.leadable minus offline replicas). A preferred
 * election moves leadership only to an ISR member and never changes the ISR; an unclean one is
 * only made for a partition with no live eligible replica, and only when asked for.
 */
import { onBrokersChanged, stampLeaderIncarnation, type PartitionState } from '../cluster/index.js';
import { liveFor, decidePreferredLeader, type BrokerFacts } from './leadership.js';

export type ElectionType = 'preferred' | 'unclean';

export type ElectionDecision =
  | { readonly kind: 'elected'; readonly next: PartitionState }
  | { readonly kind: 'not-needed'; readonly leader: number }
  | { readonly kind: 'not-available'; readonly why: string };

/** Why broker `id` may not lead this partition now, or undefined when it may. */
function cannotLead(state: PartitionState, id: number, facts: BrokerFacts): string | undefined {
  if (!facts.live.has(id)) return `broker ${id} is not alive`;
  if (facts.pending.has(id)) return `broker ${id} has just (re)started and is not admitted yet`;
  if (facts.shutting.has(id)) return `broker ${id} is shutting down`;
  if (facts.isReplicaOffline(id, state.topic, state.partition)) return `the replica on broker ${id} is offline (storage failed)`;
  return undefined;
}

/**
 * One partition's election of `type`:
 * - preferred: leadership to the first replica, when it may lead (cannotLead), is in the ISR, and
 *   the current leader is alive (a dead leader is the failover's business, which runs anyway);
 * - unclean: for a partition without a live leader, the first live eligible replica (a clean
 *   election, as the failover would make) or else the first live replica at all (unclean).
 */
export function decideElection(state: PartitionState, type: ElectionType, facts: BrokerFacts): ElectionDecision {
  if (type === 'preferred') {
    const preferred = state.replicas[0];
    if (preferred === undefined) return { kind: 'not-available', why: 'the partition has no replicas' };
    if (state.leader === preferred) return { kind: 'not-needed', leader: preferred };
    const why = cannotLead(state, preferred, facts);
    if (why) return { kind: 'not-available', why: `the preferred replica cannot lead: ${why}` };
    if (!state.isr.includes(preferred))
      return { kind: 'not-available', why: `the preferred replica ${preferred} is not in the ISR [${state.isr.join(', ')}] yet` };
    const next = decidePreferredLeader(state, facts);
    if (!next) return { kind: 'not-available', why: 'the partition has no live leader now; the failover elects one first' };
    return { kind: 'elected', next };
  }
  if (state.leader >= 0 && facts.live.has(state.leader)) return { kind: 'not-needed', leader: state.leader };
  const next = onBrokersChanged(state, liveFor(state, facts.leadable, facts), true);
  if (!next || next.leader < 0) return { kind: 'not-available', why: 'no replica of the partition is alive and admitted' };
  return { kind: 'elected', next: stampLeaderIncarnation(next, facts.epochOf) };
}

export interface BrokerImbalance {
  readonly broker: number;
  /** Partitions whose preferred (first) replica is this broker. */
  readonly preferred: number;
  /** Of those, the ones it does not lead. */
  readonly notLeading: number;
}

/** Per broker that is some partition's preferred replica: how many of those it does not lead (Kafka's imbalance). */
export function leaderImbalance(states: Iterable<PartitionState>): Map<number, BrokerImbalance> {
  const out = new Map<number, { broker: number; preferred: number; notLeading: number }>();
  for (const s of states) {
    const preferred = s.replicas[0];
    if (preferred === undefined) continue;
    const row = out.get(preferred) ?? { broker: preferred, preferred: 0, notLeading: 0 };
    row.preferred++;
    if (s.leader !== preferred) row.notLeading++;
    out.set(preferred, row);
  }
  return out;
}

/**
 * The automatic rebalance's moves: for every broker whose share of preferred partitions it does
 * not lead exceeds `thresholdPercent` (Kafka's leader.imbalance.per.broker.percentage, a strict
 * "exceeds"), the preferred elections of those partitions that can be made now.
 */
export function rebalanceMoves(states: readonly PartitionState[], facts: BrokerFacts, thresholdPercent: number): PartitionState[] {
  const over = new Set(
    [...leaderImbalance(states).values()].filter((b) => b.notLeading * 100 > thresholdPercent * b.preferred).map((b) => b.broker),
  );
  const moves: PartitionState[] = [];
  for (const s of states) {
    if (!over.has(s.replicas[0] as number)) continue;
    const d = decideElection(s, 'preferred', facts);
    if (d.kind === 'elected') moves.push(d.next);
  }
  return moves;
}
