/**
 * Reading a partition's reassignment (ReassignmentState in metadata.ts; docs/adr/0042): who is being
 * added and who removed. Brokers use it to throttle the replicas they are being added as; the
 * controller to move the partition on.
 */
import type { PartitionState } from './metadata.js';

/** Target replicas not in the original set (they copy the log); [] when no move is in progress. */
export function addingReplicas(state: PartitionState): number[] {
  const r = state.reassignment;
  return r ? r.target.filter((b) => !r.original.includes(b)) : [];
}

/** Replicas hosted now that the move will remove; [] when no move is in progress. */
export function removingReplicas(state: PartitionState): number[] {
  const r = state.reassignment;
  return r ? state.replicas.filter((b) => !r.target.includes(b)) : [];
}

/** The follower throttle (bytes/s) broker `brokerId` applies to this partition, or undefined when it is not being added. */
export function addingThrottle(state: PartitionState, brokerId: number): number | undefined {
  const r = state.reassignment;
  if (!r || !r.target.includes(brokerId) || r.original.includes(brokerId)) return undefined;
  return r.throttleBytesPerSecond > 0 ? r.throttleBytesPerSecond : undefined;
}
