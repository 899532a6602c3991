/**
 * The producer snapshot files of a log (producer-snapshots.ts, ADR 0055): what PartitionLog keeps,
 * deletes and refuses. Their content (the producers' table) is libs/replica's; here it is opaque.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PartitionLog, PRODUCER_SNAPSHOTS_KEPT, producerSnapshotPath } from '../../../libs/log/index.js';
import { batchOf, snapshotOffsets, tempDirsPerTest, testConfig } from './helpers.js';

const dir = tempDirsPerTest();

describe('PartitionLog producer snapshots', () => {
  it('reads back the newest snapshot at or below the offset asked, within the log; keeps only the newest few', async () => {
    const d = dir();
    const log = await PartitionLog.open(d, testConfig());
    for (let i = 0; i < 10; i++) await log.appendAsLeader(batchOf(`b${i}`, 1), 0);
    for (const at of [1, 3, 5, 7, 9]) await log.writeProducerSnapshot(at, Buffer.from(`table@${at}`));
    expect(snapshotOffsets(d)).toEqual([1, 3, 5, 7, 9].slice(-PRODUCER_SNAPSHOTS_KEPT));
    const got = await log.readProducerSnapshot(6);
    expect(got?.offset).toBe(5);
    expect(got?.payload.toString()).toBe('table@5');
    expect(await log.readProducerSnapshot(2)).toBeUndefined();
    // Past the log end: not written (a truncation came first).
    await log.writeProducerSnapshot(11, Buffer.from('x'));
    expect(existsSync(producerSnapshotPath(d, 11))).toBe(false);
    await log.close();
  });

  it('a corrupt snapshot is deleted and the next older one used', async () => {
    const d = dir();
    const log = await PartitionLog.open(d, testConfig());
    for (let i = 0; i < 4; i++) await log.appendAsLeader(batchOf(`b${i}`, 1), 0);
    await log.writeProducerSnapshot(1, Buffer.from('one'));
    await log.writeProducerSnapshot(3, Buffer.from('three'));
    writeFileSync(producerSnapshotPath(d, 3), Buffer.from('\0\0\0\0three'));
    expect((await log.readProducerSnapshot(4))?.payload.toString()).toBe('one');
    expect(snapshotOffsets(d)).toEqual([1]);
    await log.close();
  });

  it('truncation deletes those above its point, a full restart all, retention those below the new log start, an open those past the log end', async () => {
    const d = dir();
    const log = await PartitionLog.open(d, testConfig({ segmentBytes: 600, retentionBytes: 500, retentionMs: -1 }));
    for (let i = 0; i < 12; i++) await log.appendAsLeader(batchOf(`z${i}`, 3), 0);
    for (const at of [3, 24, 27]) await log.writeProducerSnapshot(at, Buffer.from(`t${at}`));
    await log.truncateTo(26);
    expect(snapshotOffsets(d)).toEqual([3, 24]);
    await log.applyRetention();
    expect(log.logStartOffset).toBeGreaterThan(3);
    expect(snapshotOffsets(d)).toEqual([24]);
    await log.close();
    // A snapshot past the log end, as a crash that lost the unflushed tail it describes leaves it.
    writeFileSync(producerSnapshotPath(d, 40), Buffer.from('stale'));
    const again = await PartitionLog.open(d, testConfig({ segmentBytes: 600 }));
    expect(snapshotOffsets(d)).toEqual([24]);
    await again.truncateFullyAndStartAt(100);
    expect(snapshotOffsets(d)).toEqual([]);
    await again.close();
  });
});
