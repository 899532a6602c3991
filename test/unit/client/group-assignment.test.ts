/**
 * The assignment bookkeeping both group member kinds share (groups/group-stream.ts changeAssignment):
 * a partition granted anew forgets what this member finished and reported of it; a kept one keeps it.
 */
import { describe, expect, it } from 'vitest';
import { changeAssignment, CommitTracker, tpKey } from '../../../libs/client/groups/group-stream.js';

const assignment = (partitions: number[]) => ({ memberId: 'm', generation: 1, partitions: [{ topic: 't', partitions }] });
const key = (partition: number): string => tpKey({ topic: 't', partition });

describe('changeAssignment', () => {
  it('forgets the progress of newly granted partitions, keeps that of kept ones, and lists the removed', () => {
    const finished = new Map<string, unknown>([
      [key(0), 'kept'],
      [key(1), 'revoked'],
      [key(2), 'stale: granted again'],
    ]);
    const commits = new CommitTracker();
    commits.reported.set(key(0), 10).set(key(1), 20).set(key(2), 30);
    // Partition 2 was held before (its progress is in the maps) and is not in `before`: it comes back.
    const { now, removed } = changeAssignment(assignment([0, 1]), assignment([0, 2]), finished, commits);
    expect(now).toEqual([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 2 },
    ]);
    expect(removed).toEqual([{ topic: 't', partition: 1 }]);
    expect([...finished.keys()]).toEqual([key(0), key(1)]);
    expect([...commits.reported.keys()]).toEqual([key(0), key(1)]);
  });

  it('treats every partition of the first assignment as newly granted', () => {
    const finished = new Map<string, unknown>([[key(3), 'from an earlier stream']]);
    const commits = new CommitTracker();
    const { now, removed } = changeAssignment(undefined, assignment([3]), finished, commits);
    expect(now).toEqual([{ topic: 't', partition: 3 }]);
    expect(removed).toEqual([]);
    expect(finished.size).toBe(0);
  });
});
