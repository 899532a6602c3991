/** Rebuilding committed offsets from __consumer_offsets records: latest per key wins, fenced writes of a deposed owner are ignored. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { partitionForKey } from '../../../libs/partitioner/index.js';
import { OffsetsState, fenceRecord, groupPartition, offsetRecord } from '../../../libs/group/index.js';

const tp = { topic: 't', partition: 3 };
const commit = (offset: number, fence: number, group = 'g') =>
  offsetRecord(group, tp, { offset, metadata: `m${offset}`, commitTimestampMs: 5 }, fence);

describe('OffsetsState', () => {
  it('keeps the latest commit per group and partition', () => {
    const s = new OffsetsState();
    for (const r of [fenceRecord(7, 1), commit(10, 7), commit(20, 7), commit(5, 7, 'other')]) s.apply(r);
    expect(s.get('g', tp)).toMatchObject({ offset: 20, metadata: 'm20' });
    expect(s.committed('other')).toEqual([{ topic: 't', partition: 3, offset: 5, metadata: 'm5', commitTimestampMs: 5 }]);
    expect(s.groupIds()).toEqual(['g', 'other']);
  });

  it('ignores what a deposed owner wrote after the new owner fenced it, on every replay', () => {
    const log = [fenceRecord(7, 1), commit(10, 7), fenceRecord(9, 2), commit(99, 7), offsetRecord('g', tp, null, 7), commit(11, 9)];
    const s = new OffsetsState();
    const seen: number[] = [];
    for (const r of log) {
      s.apply(r);
      seen.push(s.get('g', tp)?.offset ?? -1);
    }
    expect(seen).toEqual([-1, 10, 10, 10, 10, 11]);
    expect(s.skipped).toBe(2);
    expect(s.fence).toBe(9);
  });

  it('a fenced delete marker removes the offset; the group disappears with its last offset', () => {
    const s = new OffsetsState();
    s.apply(commit(10, 1));
    s.apply(offsetRecord('g', tp, null, 1));
    expect(s.get('g', tp)).toBeUndefined();
    expect(s.groupIds()).toEqual([]);
  });

  it('a deletion is a null tombstone carrying its fence in a header (compaction removes it), and fence records keep distinct keys', () => {
    const deletion = offsetRecord('g', tp, null, 3);
    expect(deletion.value).toBeNull();
    expect(fenceRecord(3, 1).key).not.toBe(fenceRecord(4, 1).key);
    const s = new OffsetsState();
    s.applyStored(Buffer.from(commit(10, 3).key), Buffer.from(commit(10, 3).value as string));
    s.applyStored(Buffer.from(deletion.key), null, [{ key: 'fence', value: Buffer.from('3') }]);
    expect(s.get('g', tp)).toBeUndefined();
    // A deposed owner's tombstone, after the new owner fenced it, deletes nothing.
    s.apply(fenceRecord(5, 2));
    s.apply(commit(11, 5));
    s.applyStored(Buffer.from(deletion.key), null, [{ key: 'fence', value: Buffer.from('3') }]);
    s.applyStored(Buffer.from(deletion.key), null);
    expect(s.get('g', tp)?.offset).toBe(11);
    // Logs written before: a "fence" key and {"deleted":true} markers still read.
    s.apply({ key: 'fence', value: JSON.stringify({ fence: 6, coordinatorId: 1 }) });
    s.apply({ key: deletion.key, value: JSON.stringify({ deleted: true, fence: 6 }) });
    expect(s.get('g', tp)).toBeUndefined();
  });

  it('skips records it cannot read instead of failing the load', () => {
    const s = new OffsetsState();
    s.applyStored(null, Buffer.from('{}'));
    s.applyStored(Buffer.from('offset\0g\0t\0x'), Buffer.from('{"offset":1,"fence":1}'));
    s.applyStored(Buffer.from('offset\0g\0t\x001'), Buffer.from('not json'));
    s.applyStored(Buffer.from('offset\0g\0t\x001'), Buffer.from('{"offset":4,"fence":1}'));
    expect(s.skipped).toBe(3);
    expect(s.get('g', { topic: 't', partition: 1 })?.offset).toBe(4);
  });

  it('property: a group lives in the partition the key partitioner gives its id', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 200 }), (group, n) => {
        expect(groupPartition(group, n)).toBe(partitionForKey(Buffer.from(group, 'utf8'), n));
      }),
    );
  });
});
