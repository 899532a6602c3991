/**
 * The idempotent producers' table survives a segment roll (ADR 0055): a retry of a batch that sits
 * in the previous segment, reaching a replica whose table was rebuilt since (a reopen, eager or
 * lazy; a KIP-101 truncation to a point in the active segment), is answered with the original
 * offsets instead of being written again. Before the producer snapshots the rebuild replayed the
 * active segment only: every "is not written again" case here wrote the retry a second time.
 *
 * Segments here hold two one-record batches of one-character values (segment.bytes = two such
 * batches), so the third batch rolls.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_LOG_CONFIG, PartitionLog, producerSnapshotPath, type LogConfig } from '../../../libs/log/index.js';
import {
  buildBatch,
  decodeRecordsFrom,
  readBatchHeader,
  batchSizeAt,
  validatedBatch,
  type ValidatedBatch,
} from '../../../libs/record/index.js';
import {
  IdempotentAppender,
  LazyLog,
  Partition,
  ProducerStateTable,
  summaryOf,
  type LogAppendInfo,
  type ProducerStateLogger,
  type ReplicaLog,
} from '../../../libs/replica/index.js';
import type { PartitionState } from '../../../libs/cluster/index.js';
import { snapshotOffsets } from '../log/helpers.js';
import { partitionState, silentLogger, tempDir, TEST_INCARNATION } from './helpers.js';

const ME = 1;
const OLD_LEADER = 2;
const A = 4242;
const B = 77;

function batch(producerId: number, baseSequence: number, value: string): Buffer {
  return buildBatch([{ value: Buffer.from(value) }], { nowMs: 1_000, producerId, producerEpoch: 0, baseSequence });
}
const plain = (value: string): Buffer => buildBatch([{ value: Buffer.from(value) }], { nowMs: 1_000 });
const sent = (bytes: Buffer): ValidatedBatch => validatedBatch(Buffer.from(bytes));
const ONE_BATCH = batch(A, 0, 'a').length;
const config: LogConfig = { ...DEFAULT_LOG_CONFIG, segmentBytes: 2 * ONE_BATCH };
const acks = { acks: 'leader', minInsyncReplicas: 1 } as const;

const partitionOn = (log: ReplicaLog, state: PartitionState, logger: ProducerStateLogger = silentLogger): Partition =>
  new Partition({ topic: 't', partition: 0, topicId: 't-id', localBrokerId: ME, localBrokerEpoch: TEST_INCARNATION, log, state, logger });
const leaderOf = (log: ReplicaLog, epoch = 0): Partition => partitionOn(log, partitionState('t', 0, ME, [ME], epoch));
const followerOf = (log: ReplicaLog): Partition =>
  partitionOn(log, partitionState('t', 0, OLD_LEADER, [OLD_LEADER, ME], 0, [OLD_LEADER, ME]));

/** Every batch of the log (a read stops at a segment's end). */
async function readAll(log: ReplicaLog): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const { bytes, nextOffset } = await log.read(offset, 1 << 20);
    parts.push(bytes);
    offset = nextOffset;
  }
  return Buffer.concat(parts);
}

/** As the replica manager's open does before anyone uses the partition. */
async function rebuilt(p: Partition): Promise<Partition> {
  await p.rebuildProducerState();
  return p;
}

async function values(log: ReplicaLog): Promise<string[]> {
  return decodeRecordsFrom(await readAll(log), 0).map((r) => Buffer.from(r.value ?? Buffer.alloc(0)).toString());
}

describe('producer snapshots: the table after a roll', () => {
  let here: ReturnType<typeof tempDir>;
  let log: PartitionLog | undefined;

  beforeEach(() => {
    here = tempDir('psnap');
    log = undefined;
  });
  afterEach(async () => {
    await log?.close().catch(() => undefined);
    here.remove();
  });

  const open = async (): Promise<PartitionLog> => {
    log = await PartitionLog.open(here.dir, config, { logger: silentLogger });
    return log;
  };

  /** A's batch at 0, then two more batches (B's idempotent, or plain ones): the second rolls, so A's is in the previous segment. */
  async function writeAThenRoll(p: Partition, rollWith: 'idempotent' | 'plain'): Promise<void> {
    expect((await p.append(sent(batch(A, 0, 'a')), acks)).baseOffset).toBe(0);
    await p.append(sent(rollWith === 'plain' ? plain('b') : batch(B, 0, 'b')), acks);
    await p.append(sent(rollWith === 'plain' ? plain('c') : batch(B, 1, 'c')), acks);
  }

  for (const rollWith of ['idempotent', 'plain'] as const) {
    it(`(a) after a reopen, a retry of a batch in the previous segment is not written again (roll by a ${rollWith} append)`, async () => {
      const first = await open();
      await writeAThenRoll(await rebuilt(leaderOf(first)), rollWith);
      expect(first.activeSegmentBaseOffset).toBe(2);
      expect(snapshotOffsets(here.dir)).toEqual([2]);
      await first.close();

      const again = await open();
      const p = leaderOf(again, 1);
      await p.rebuildProducerState();
      const retry = await p.append(sent(batch(A, 0, 'a')), acks);
      expect([retry.baseOffset, retry.lastOffset]).toEqual([0, 0]);
      expect(await values(again)).toEqual(['a', 'b', 'c']);
      // And A goes on from its sequence.
      expect((await p.append(sent(batch(A, 1, 'd')), acks)).baseOffset).toBe(3);
    });
  }

  it('(a) lazily hosted (ADR 0051/0054): the open on first use loads the snapshot before the check', async () => {
    const first = await open();
    await writeAThenRoll(await rebuilt(leaderOf(first)), 'idempotent');
    const summary = summaryOf(first);
    await first.close();
    let p: Partition | undefined;
    const lazy = new LazyLog({
      summary,
      config,
      dir: here.dir,
      name: 't-0',
      open: async (c) => (log = await PartitionLog.open(here.dir, c, { logger: silentLogger })),
      onOpened: (opened) => p?.rebuildProducerStateFrom(opened) ?? Promise.resolve(),
    });
    p = leaderOf(lazy, 1);
    expect(lazy.materialized).toBe(false);
    expect((await p.append(sent(batch(A, 0, 'a')), acks)).baseOffset).toBe(0);
    expect(await values(lazy)).toEqual(['a', 'b', 'c']);
  });

  it('(b) after a truncation (KIP-101) to a point in the active segment, a retry of a batch in the previous segment is not written again', async () => {
    const theirs = tempDir('psnap-leader');
    const oldLeader = await PartitionLog.open(theirs.dir, DEFAULT_LOG_CONFIG, { logger: silentLogger });
    try {
      // The old leader's log: A at 0, B at 1..3 (rolls at 2). Copied in one chunk: the roll is mid-copy.
      for (const b of [batch(A, 0, 'a'), batch(B, 0, 'b'), batch(B, 1, 'c'), batch(B, 2, 'x')]) await oldLeader.appendAsLeader(sent(b), 0);
      const mine = await open();
      const p = await rebuilt(followerOf(mine));
      await p.appendAsFollower((await oldLeader.read(0, 1 << 20)).bytes, 0, 0);
      expect(mine.activeSegmentBaseOffset).toBe(2);
      // The snapshot is as of the roll (2), not the copy's end (4): a truncation to 3 keeps it.
      expect(snapshotOffsets(here.dir)).toEqual([2]);
      await p.truncateAsFollower(3, 0);
      expect(mine.logEndOffset).toBe(3);
      expect(p.applyState(partitionState('t', 0, ME, [ME, OLD_LEADER], 1, [OLD_LEADER, ME]))).toBe(true);
      expect((await p.append(sent(batch(A, 0, 'a')), acks)).baseOffset).toBe(0);
      expect((await p.append(sent(batch(B, 2, 'y')), acks)).baseOffset).toBe(3);
      expect(await values(mine)).toEqual(['a', 'b', 'c', 'y']);
    } finally {
      await oldLeader.close();
      theirs.remove();
    }
  });

  it('a truncation deletes the snapshots above its point, a reopen those past the log end', async () => {
    const first = await open();
    const p = await rebuilt(leaderOf(first));
    for (let i = 0; i < 7; i++) await p.append(sent(batch(A, i, String.fromCharCode(97 + i))), acks);
    expect(snapshotOffsets(here.dir)).toEqual([2, 4, 6]);
    await first.truncateTo(3);
    expect(snapshotOffsets(here.dir)).toEqual([2]);
    // A snapshot past the log end (what a crash that lost an unflushed tail would leave) is not trusted.
    writeFileSync(producerSnapshotPath(here.dir, 9), 'stale');
    await first.close();
    const again = await open();
    expect(snapshotOffsets(here.dir)).toEqual([2]);
    expect(existsSync(producerSnapshotPath(here.dir, 9))).toBe(false);
    expect(again.logEndOffset).toBe(3);
  });

  it('a corrupt snapshot is not used: the rebuild falls back to the active segment and says so (debug: the broker counts them, replica-manager.test.ts)', async () => {
    const first = await open();
    await writeAThenRoll(await rebuilt(leaderOf(first)), 'idempotent');
    await first.close();
    writeFileSync(producerSnapshotPath(here.dir, 2), Buffer.from('not a snapshot'));
    const again = await open();
    const lines: string[] = [];
    const p = partitionOn(again, partitionState('t', 0, ME, [ME], 1), {
      warn: (_o, msg) => void lines.push(`warn: ${msg}`),
      debug: (_o, msg) => void lines.push(`debug: ${msg}`),
    });
    await p.rebuildProducerState();
    // The corrupt file itself was warned about by the log when it opened (and deleted).
    expect(lines).toEqual(['debug: no producer snapshot: idempotent producers rebuilt from the active segment only']);
    expect(snapshotOffsets(here.dir)).toEqual([]);
    // B (in the active segment) is still known; A is not (today's limit without a snapshot).
    expect((await p.append(sent(batch(B, 1, 'c')), acks)).baseOffset).toBe(2);
  });
});

/** The table a replay of the whole log builds (what a snapshot must reproduce). */
async function replayAll(log: PartitionLog): Promise<Buffer> {
  const table = new ProducerStateTable();
  const bytes = await readAll(log);
  for (let pos = 0; pos < bytes.length; pos += batchSizeAt(bytes, pos)) {
    const h = readBatchHeader(bytes, pos);
    table.update(h, h.baseOffset);
  }
  return table.encode();
}

type Op =
  { kind: 'idempotent'; producer: number } | { kind: 'plain' } | { kind: 'truncate'; back: number } | { kind: 'reopen'; clean: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 3 }).map((producer): Op => ({ kind: 'idempotent', producer })) },
  { weight: 2, arbitrary: fc.constant<Op>({ kind: 'plain' }) },
  // Within the last few segments: the snapshots kept (PRODUCER_SNAPSHOTS_KEPT) cover that far.
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5 }).map((back): Op => ({ kind: 'truncate', back })) },
  { weight: 1, arbitrary: fc.boolean().map((clean): Op => ({ kind: 'reopen', clean })) },
);

describe('producer snapshots: property', () => {
  it('after random appends, rolls, truncations and reopens, the rebuilt table equals a replay of the whole log', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), async (ops) => {
        const d = tempDir('psnap-prop');
        let log = await PartitionLog.open(d.dir, config, { logger: silentLogger });
        let appender = new IdempotentAppender('t-0');
        const nextSeq = new Map<number, number>();
        const starts: number[] = [];
        try {
          await appender.rebuild(log);
          for (const o of ops) {
            if (o.kind === 'idempotent') {
              const id = 1000 + o.producer;
              const seq = nextSeq.get(id) ?? 0;
              const bytes = batch(id, seq, String.fromCharCode(97 + (seq % 26)));
              const current = log;
              const written = await appender.append(
                current,
                readBatchHeader(bytes, 0),
                () => 0,
                (epoch): Promise<LogAppendInfo> => current.appendAsLeader(sent(bytes), epoch),
              );
              starts.push(written.info.baseOffset);
              nextSeq.set(id, seq + 1);
            } else if (o.kind === 'plain') {
              starts.push((await log.appendAsLeader(sent(plain('p')), 0)).baseOffset);
              await appender.afterPlainAppend(log);
            } else if (o.kind === 'truncate') {
              const to = starts[starts.length - o.back];
              if (to === undefined) continue;
              starts.length -= o.back;
              const current = log;
              await appender.replicate(async () => {
                await current.truncateTo(to);
                await appender.rebuild(current);
              });
              // Sequences continue from what the log holds (a producer's later batches were cut).
              nextSeq.clear();
              const bytes = await readAll(log);
              for (let pos = 0; pos < bytes.length; pos += batchSizeAt(bytes, pos)) {
                const h = readBatchHeader(bytes, pos);
                if (h.producerId >= 0) nextSeq.set(h.producerId, h.baseSequence + 1);
              }
            } else {
              if (o.clean) await log.close();
              else await log.abandon();
              log = await PartitionLog.open(d.dir, config, { logger: silentLogger });
              appender = new IdempotentAppender('t-0');
              await appender.rebuild(log);
            }
            expect(appender.encodedTable().equals(await replayAll(log))).toBe(true);
          }
        } finally {
          await log.close().catch(() => undefined);
          d.remove();
        }
      }),
      { numRuns: 40 },
    );
  });
});
