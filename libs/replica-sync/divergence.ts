/**
 * Where a follower cuts its log when the leader says it diverges (KIP-101 / KIP-279 / KIP-320).
 *
 * The leader answered a fetch with `leaderEpoch`, its largest epoch <= the follower's last
 * fetched epoch, and that epoch's end offset in its log. The follower looks up the same epoch in
 * its own log: if it has that very epoch, both logs agree up to the smaller of the two end offsets;
 * if its largest epoch <= it is an older one, the logs can only agree up to where that older epoch
 * ends here, and the next fetch (now with that older epoch) narrows it further. Pure.
 */
export type TruncationPlan =
  | { kind: 'truncate'; offset: number }
  /** No epoch in common: empty the log and start at the leader's log start. */
  | { kind: 'restart'; offset: number };

export interface DivergenceInput {
  leaderEpoch: number;
  leaderEndOffset: number;
  leaderLogStartOffset: number;
  /** The follower's endOffsetForEpoch(leaderEpoch). */
  ours: { epoch: number; endOffset: number };
  ourLogStartOffset: number;
  ourLogEndOffset: number;
}

export function truncationPlan(input: DivergenceInput): TruncationPlan {
  if (input.leaderEpoch < 0) return { kind: 'restart', offset: Math.max(0, input.leaderLogStartOffset) };
  const { ours } = input;
  if (ours.epoch < 0) return { kind: 'truncate', offset: input.ourLogStartOffset };
  const offset =
    ours.epoch === input.leaderEpoch ? Math.min(input.leaderEndOffset, ours.endOffset) : Math.min(ours.endOffset, input.ourLogEndOffset);
  return { kind: 'truncate', offset: Math.max(offset, input.ourLogStartOffset) };
}
