/**
 * The pure parts of hosting a replica without opening it (ADR 0051): the clean-shutdown summary
 * file's format, and a LazyLog's answers before its files open (what opens them, what does not).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_LOG_CONFIG, epochEndOffset, type EpochEntry } from '../../../libs/log/index.js';
import { SamsaError } from '../../../libs/errors/index.js';
import { buildBatch, validatedBatch, type ValidatedBatch } from '../../../libs/record/index.js';
import {
  LazyLog,
  emptySummary,
  summaryOf,
  matchesSummary,
  formatSummaries,
  parseEntry,
  parseSummaries,
  type ReplicaLog,
  type ReplicaSummary,
  type StoredSummary,
} from '../../../libs/replica/index.js';

const epochsArb = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1_000_000 })), { maxLength: 6 })
  .map((pairs) => {
    // Strictly increasing epochs, non-decreasing start offsets (as LeaderEpochCache keeps them).
    const out: EpochEntry[] = [];
    let epoch = -1;
    let start = 0;
    for (const [de, ds] of pairs) {
      epoch += de + 1;
      start += ds;
      out.push({ epoch, startOffset: start });
    }
    return out;
  });

const summaryArb: fc.Arbitrary<StoredSummary> = fc
  .record({
    topicId: fc.uuid(),
    epochs: epochsArb,
    extra: fc.integer({ min: 0, max: 1_000_000 }),
    start: fc.integer({ min: 0, max: 1_000 }),
    size: fc.integer({ min: 0, max: 2 ** 40 }),
    segments: fc.integer({ min: 1, max: 1000 }),
  })
  .map(({ topicId, epochs, extra, start, size, segments }) => {
    const last = epochs.at(-1)?.startOffset ?? 0;
    const logStartOffset = Math.min(start, last);
    const logEndOffset = last + extra;
    return {
      topicId,
      logStartOffset,
      logEndOffset,
      sizeInBytes: size,
      segmentCount: segments,
      activeSegmentBaseOffset: logStartOffset,
      epochs,
    };
  });

describe('replica summaries file', () => {
  it('round-trips every well-formed summary', () => {
    fc.assert(
      fc.property(fc.array(summaryArb, { maxLength: 20 }), (list) => {
        const map = new Map(list.map((s, i) => [`t-${i}`, s]));
        expect(parseSummaries(formatSummaries(map))).toEqual(map);
      }),
    );
  });

  it('drops what is malformed, entry by entry, and a file that is not one', () => {
    const good = {
      topicId: 'x',
      logStartOffset: 0,
      logEndOffset: 4,
      sizeInBytes: 10,
      segmentCount: 1,
      activeSegmentBaseOffset: 0,
      epochs: [[0, 0]],
    };
    expect(parseEntry(good)).toBeDefined();
    for (const bad of [
      { ...good, logEndOffset: -1 },
      { ...good, logStartOffset: 5 },
      { ...good, segmentCount: 0 },
      {
        ...good,
        epochs: [
          [2, 0],
          [1, 3],
        ],
      },
      {
        ...good,
        epochs: [
          [0, 5],
          [1, 3],
        ],
      },
      { ...good, epochs: [[0]] },
      { ...good, topicId: 7 },
      { ...good, sizeInBytes: 1.5 },
    ])
      expect(parseEntry(bad)).toBeUndefined();
    expect(parseSummaries('{"version":1,"replicas":{"a-0":' + JSON.stringify(good) + ',"b-0":{"topicId":"y"}}}').size).toBe(1);
    expect(parseSummaries('{"version":2,"replicas":{}}').size).toBe(0);
    expect(parseSummaries('{"version":1,"replicas":{"a-0":').size).toBe(0);
  });
});

/** A log that counts how often it was opened and records the calls that reached it. */
function fakeOpen(logEndOffset: number, latestEpoch = -1): { opens: () => number; open: () => Promise<ReplicaLog> } {
  let opens = 0;
  const log = {
    logStartOffset: 0,
    logEndOffset,
    latestEpoch,
    read: () => Promise.resolve({ bytes: Buffer.from('x'), nextOffset: logEndOffset }),
    abandon: () => Promise.resolve(),
    close: () => Promise.resolve(),
  } as unknown as ReplicaLog;
  return {
    opens: () => opens,
    open: () => {
      opens++;
      return Promise.resolve(log);
    },
  };
}

describe('LazyLog before its files open', () => {
  const lazy = (summary: ReplicaSummary, open: () => Promise<ReplicaLog>): LazyLog =>
    new LazyLog({ summary, config: DEFAULT_LOG_CONFIG, dir: '/nonexistent', name: 't-0', open });

  it('answers KIP-101 end offsets from the summary exactly as an open log would', () => {
    fc.assert(
      fc.property(summaryArb, fc.integer({ min: -1, max: 5000 }), (s, epoch) => {
        const log = lazy(s, () => Promise.reject(new Error('must not open')));
        expect(log.endOffsetForEpoch(epoch)).toEqual(epochEndOffset(s.epochs, epoch, s.logEndOffset));
        expect(log.latestEpoch).toBe(s.epochs.at(-1)?.epoch ?? -1);
      }),
    );
  });

  it('reads at the end, empty follower appends, retention and cleaning of one segment do not open; a read below the end does, once', async () => {
    const files = fakeOpen(3);
    const log = lazy({ ...emptySummary(), logEndOffset: 3 }, files.open);
    expect(await log.read(3, 100)).toEqual({ bytes: Buffer.alloc(0), nextOffset: 3 });
    expect(await log.read(1, 100, 1)).toEqual({ bytes: Buffer.alloc(0), nextOffset: 1 });
    await expect(log.read(4, 100)).rejects.toMatchObject({ reason: 'OFFSET_OUT_OF_RANGE' });
    expect(await log.appendAsFollower(Buffer.alloc(0))).toBeUndefined();
    await log.applyRetention();
    expect(await log.cleaningDue(3)).toBeUndefined();
    expect(files.opens()).toBe(0);
    expect(log.materialized).toBe(false);
    await Promise.all([log.read(0, 100), log.read(1, 100)]);
    expect(files.opens()).toBe(1);
    expect(log.materialized).toBe(true);
  });

  it('refuses files that do not hold the summarized positions, and says why to the replica manager', async () => {
    const failures: Error[] = [];
    const files = fakeOpen(1);
    const log = new LazyLog({
      summary: { ...emptySummary(), logEndOffset: 3 },
      config: DEFAULT_LOG_CONFIG,
      dir: '/nonexistent',
      name: 't-0',
      open: files.open,
      onFailed: (err) => failures.push(err),
    });
    await expect(log.read(0, 100)).rejects.toMatchObject({ reason: 'STORAGE_ERROR' });
    expect(failures).toHaveLength(1);
    expect(log.materialized).toBe(false);
    expect(matchesSummary(await files.open(), { ...emptySummary(), logEndOffset: 1 })).toBe(true);
  });
});

const batchForRelease = (): ValidatedBatch => validatedBatch(buildBatch([{ value: Buffer.from('x') }], { nowMs: 1 }));

describe('LazyLog.release when the close fails (idle close, ADR 0051)', () => {
  /** An open log whose close fails as a failed flush would: nothing closed, nothing marked. */
  function failingClose(): { log: ReplicaLog; calls: string[] } {
    const calls: string[] = [];
    const log = {
      logStartOffset: 0,
      logEndOffset: 3,
      latestEpoch: 2,
      sizeInBytes: 300,
      segmentCount: 1,
      activeSegmentBaseOffset: 0,
      activeSegmentBytes: 300,
      epochEntries: [{ epoch: 2, startOffset: 0 }],
      isDurable: () => true,
      read: () => {
        calls.push('read');
        return Promise.reject(new SamsaError('NOT_READY', 'log is closed'));
      },
      appendAsLeader: () => {
        calls.push('append');
        return Promise.reject(new SamsaError('NOT_READY', 'log is closed'));
      },
      close: () => {
        calls.push('close');
        return Promise.reject(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
      },
      abandon: () => {
        calls.push('abandon');
        return Promise.resolve();
      },
    } as unknown as ReplicaLog;
    return { log, calls };
  }

  it('lets the files go unclean, takes the replica offline and serves nothing more from them or from a summary', async () => {
    const { log: files, calls } = failingClose();
    const failures: Error[] = [];
    const reopened: number[] = [];
    const summary = summaryOf(files);
    const log = new LazyLog({
      summary,
      config: DEFAULT_LOG_CONFIG,
      dir: '/nonexistent',
      name: 't-0',
      opened: files,
      open: () => {
        reopened.push(1);
        return Promise.reject(new Error('must not open: the replica is offline'));
      },
      onFailed: (err) => failures.push(err),
    });
    expect(log.materialized).toBe(true);
    // Was: release() rejected, and the LazyLog kept serving the closed files.
    expect(await log.release()).toBe(false);
    expect(calls).toEqual(['close', 'abandon']);
    expect(failures.map((e) => e.message)).toEqual(['EIO: i/o error, fsync']);
    expect(log.materialized).toBe(false);
    expect(log.isDurable()).toBe(false);
    expect(log.idleSinceMs).toBeUndefined();
    // Positions as last announced, but vouching for nothing (no active segment size).
    expect([log.logStartOffset, log.logEndOffset, log.latestEpoch]).toEqual([0, 3, 2]);
    expect(log.activeSegmentBytes).toBeUndefined();
    await expect(log.read(0, 100)).rejects.toMatchObject({ reason: 'STORAGE_ERROR' });
    await expect(log.appendAsLeader(batchForRelease(), 2)).rejects.toMatchObject({ reason: 'STORAGE_ERROR' });
    expect(calls).toEqual(['close', 'abandon']);
    expect(reopened).toEqual([]);
    expect(await log.release()).toBe(false);
    expect(failures).toHaveLength(1);
    await log.close();
    expect(calls).toEqual(['close', 'abandon']);
  });
});
