/**
 * The fault checker must be able to fail: fed a log with a lost, a moved, a duplicated and an
 * unknown record and a hole in the offsets, it names each; fed replicas that differ on disk, it
 * names the one that differs and the one that ends short; fed what a live consumer read during a
 * run, it names a record found at another offset at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DEFAULT_LOG_CONFIG, PartitionLog } from '../../libs/log/index.js';
import { buildBatch } from '../../libs/record/index.js';
import { partitionDir } from '../../libs/replica/index.js';
import { compareReplicas, verifyLog, verifyObserved, type ReadRecord } from './harness/checker.js';
import type { AckedPlace } from './harness/load-producer.js';

const at = (partition: number, values: string[], from = 0): ReadRecord[] =>
  values.map((value, i) => ({ partition, offset: from + i, value }));

describe('verifyLog', () => {
  it('passes a log that holds every acknowledged record where it was acknowledged, and counts unacknowledged ones present', () => {
    const acked = new Map<string, AckedPlace>([
      ['p-0', { partition: 0, offset: 0 }],
      ['p-1', { partition: 1, offset: 0 }],
    ]);
    const v = verifyLog({ sent: new Set(['p-0', 'p-1', 'p-2', 'p-3']), acked }, [at(0, ['p-0', 'p-2']), at(1, ['p-1'])]);
    expect(v).toEqual({ acked: 2, readBack: 3, lost: [], duplicated: [], unackedPresent: 1, unknown: [], offsetErrors: [] });
  });

  it('names lost, moved, duplicated and unknown records and holes in the offsets', () => {
    const acked = new Map<string, AckedPlace>([
      ['p-0', { partition: 0, offset: 0 }],
      ['p-1', { partition: 0, offset: 1 }],
      ['p-2', { partition: 0, offset: 2 }],
    ]);
    const partition0 = [...at(0, ['p-0', 'p-2']), { partition: 0, offset: 5, value: 'p-3' }];
    const v = verifyLog({ sent: new Set(['p-0', 'p-1', 'p-2', 'p-3']), acked }, [partition0, at(1, ['p-3', 'x-9'])]);
    expect(v.lost).toEqual(['p-1 acked at 0/1, found at []', 'p-2 acked at 0/2, found at [0/1]']);
    expect(v.duplicated).toEqual(['p-3 at 0/5, 1/0']);
    expect(v.unknown).toEqual(['x-9 at 1/1']);
    expect(v.offsetErrors).toEqual(['partition 0: record #2 has offset 5']);
  });
});

describe('verifyObserved', () => {
  it('passes records a consumer read that the end state holds at the same offsets', () => {
    const v = verifyObserved([at(0, ['a', 'b']), at(1, ['c'])], [at(0, ['a', 'b', 'd']), at(1, ['c', 'e'])]);
    expect(v).toEqual({ read: 3, moved: [] });
  });

  it('names a record read at an offset that holds another one at the end, and one read past the final end', () => {
    const v = verifyObserved([at(0, ['a', 'b', 'c'])], [at(0, ['a', 'x', 'b'])]);
    expect(v.read).toBe(3);
    expect(v.moved).toEqual([
      'b read at 0/1 during the run; 0/1 now holds x; found at [0/2]',
      'c read at 0/2 during the run; 0/2 now holds b; found at []',
    ]);
    expect(verifyObserved([at(1, ['a', 'b'])], [at(1, ['a'])]).moved).toEqual([
      'b read at 1/1 during the run; the final log of partition 1 ends at 1; found at []',
    ]);
  });
});

describe('compareReplicas', () => {
  it('names a replica whose bytes differ below the high watermark and one that ends elsewhere', async () => {
    const root = mkdtempSync(join(tmpdir(), 'samsa-fault-checker-'));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    const dataDirOf = (id: number): string => join(root, `broker-${id}`);
    const open = (id: number): Promise<PartitionLog> => PartitionLog.open(partitionDir(dataDirOf(id), 't', 0), DEFAULT_LOG_CONFIG);
    const batch = (values: string[]): Buffer =>
      buildBatch(
        values.map((v) => ({ value: Buffer.from(v) })),
        { nowMs: 1 },
      );

    const leader = await open(1);
    await leader.appendAsLeader(batch(['a', 'b']), 0);
    await leader.appendAsLeader(batch(['c']), 1);
    const copy = (await leader.read(0, 1 << 20)).bytes;
    const same = await open(2);
    await same.appendAsFollower(Buffer.from(copy));
    const diverged = await open(3);
    await diverged.appendAsLeader(batch(['a', 'b']), 0);
    await diverged.appendAsLeader(batch(['X']), 1);
    const short = await open(4);
    await short.appendAsFollower(Buffer.from(copy.subarray(0, copy.length - (await leader.read(2, 1 << 20)).bytes.length)));
    for (const log of [leader, same, diverged, short]) await log.close();

    const verdicts = await compareReplicas(dataDirOf, 't', [{ partition: 0, leaderId: 1, replicas: [1, 2, 3, 4, 5], highWatermark: 3 }]);
    expect(verdicts).toHaveLength(1);
    const v = verdicts[0];
    expect(v?.logEnds).toEqual({ 1: 3, 2: 3, 3: 3, 4: 2 });
    expect(v?.mismatches).toHaveLength(4);
    expect(v?.mismatches[0]).toMatch(/^broker 5 has no replica dir/);
    expect(v?.mismatches[1]).toMatch(/^broker 3: bytes differ from byte \d+/);
    expect(v?.mismatches[2]).toBe('broker 4 ends at 2, not at the high watermark 3');
    expect(v?.mismatches[3]).toMatch(/^broker 4: one is a prefix of the other/);
  });
});
