import { vi, describe, it, expect, beforeEach, afterEach } from 'vitest';
import { PartitionLog, DEFAULT_LOG_CONFIG } from '../../../libs/log/index.js';
import { buildBatch, decodeRecordsFrom, validatedBatch, type ValidatedBatch } from '../../../libs/record/index.js';
import { SamsaError, hasReason } from '../../../libs/errors/index.js';
import { Partition } from '../../../libs/replica/index.js';
import type { PartitionState } from '../../../libs/cluster/index.js';
import { partitionState, silentLogger, tempDir, TEST_INCARNATION } from './helpers.js';

const ME = 1;

function batchOf(...values: string[]): ValidatedBatch {
  return validatedBatch(
    buildBatch(
      values.map((v) => ({ value: Buffer.from(v) })),
      { nowMs: 1_000 },
    ),
  );
}

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SamsaError) return err.reason;
    throw err;
  }
  throw new Error('expected a SamsaError');
}

describe('Partition', () => {
  let tmp: ReturnType<typeof tempDir>;
  let log: PartitionLog;

  beforeEach(async () => {
    tmp = tempDir('partition');
    log = await PartitionLog.open(tmp.dir, DEFAULT_LOG_CONFIG, { logger: silentLogger });
  });
  afterEach(async () => {
    await log.close().catch(() => undefined);
    tmp.remove();
  });

  const make = (state: PartitionState = partitionState('t', 0, ME)): Partition =>
    new Partition({
      topic: 't',
      partition: 0,
      topicId: 't-id',
      localBrokerId: ME,
      localBrokerEpoch: TEST_INCARNATION,
      log,
      state,
      leaderHint: (id) => ({ 'leader-id': String(id), 'leader-address': `host-${id}:9092` }),
    });

  it('a leader whose ISR fell below min.insync.replicas with eligible replicas outside it (ELR) does not advance its high watermark until the ELR is gone (KIP-966)', async () => {
    const p = make(partitionState('t', 0, ME, [ME], 0, [ME, 2, 3]));
    await p.append(batchOf('a', 'b'), { acks: 'leader', minInsyncReplicas: 1 });
    expect(p.highWatermark).toBe(2);
    p.applyState({ ...p.currentState, isr: [ME], elr: [2, 3], partitionEpoch: p.currentState.partitionEpoch + 1 });
    await p.append(batchOf('c'), { acks: 'leader', minInsyncReplicas: 1 });
    expect(p.highWatermark).toBe(2);
    const { elr: _elr, ...back } = p.currentState;
    p.applyState({ ...back, partitionEpoch: p.currentState.partitionEpoch + 1 });
    expect(p.highWatermark).toBe(3);
  });

  it('with ISR = [self], the high watermark equals the log end offset after each append', async () => {
    const p = make();
    expect(p.highWatermark).toBe(0);
    const first = await p.append(batchOf('a', 'b', 'c'), { acks: 'all', minInsyncReplicas: 1 });
    expect(first.baseOffset).toBe(0);
    expect(p.highWatermark).toBe(3);
    expect(p.logEndOffset).toBe(3);
    const second = await p.append(batchOf('d'), { acks: 'leader', minInsyncReplicas: 1 });
    expect(second.baseOffset).toBe(3);
    expect(p.highWatermark).toBe(4);
  });

  it('never serves records above the high watermark: HW = min LEO over the ISR', async () => {
    const p = make(partitionState('t', 0, ME, [ME, 2]));
    await p.append(batchOf('a', 'b'), { acks: 'leader', minInsyncReplicas: 1 });
    expect(p.logEndOffset).toBe(2);
    expect(p.highWatermark).toBe(0);
    const before = await p.read(0, 1 << 20);
    expect(before.bytes.length).toBe(0);

    p.updateFollowerPosition(2, TEST_INCARNATION, 2);
    expect(p.highWatermark).toBe(2);
    const after = await p.read(0, 1 << 20);
    expect(decodeRecordsFrom(after.bytes, 0).map((r) => r.value?.toString())).toEqual(['a', 'b']);
    expect(after.nextOffset).toBe(2);
  });

  it('acks=all waits until every ISR member has the write', async () => {
    const p = make(partitionState('t', 0, ME, [ME, 2]));
    let done = false;
    const pending = p.append(batchOf('x'), { acks: 'all', minInsyncReplicas: 2, timeoutMs: 10_000 }).then((info) => {
      done = true;
      return info;
    });
    // The append is on disk and parked until the follower has it.
    await vi.waitFor(() => expect(p.waiterCount).toBe(1));
    expect(done).toBe(false);
    p.updateFollowerPosition(2, TEST_INCARNATION, 1);
    expect((await pending).baseOffset).toBe(0);
    expect(p.waiterCount).toBe(0);
  });

  it('acks=all fails with REQUEST_TIMED_OUT when the ISR does not catch up in time', async () => {
    const p = make(partitionState('t', 0, ME, [ME, 2]));
    expect(await reason(p.append(batchOf('x'), { acks: 'all', minInsyncReplicas: 1, timeoutMs: 20 }))).toBe('REQUEST_TIMED_OUT');
    expect(p.waiterCount).toBe(0);
  });

  it('refuses a pending acks=all write with NOT_ENOUGH_REPLICAS when the ISR shrinks below min.insync.replicas under it', async () => {
    const p = make(partitionState('t', 0, ME, [ME, 2]));
    const pending = reason(p.append(batchOf('x'), { acks: 'all', minInsyncReplicas: 2, timeoutMs: 10_000 }));
    await vi.waitFor(() => expect(p.waiterCount).toBe(1));
    // The follower is gone: the ISR becomes [self] and the HW passes the write, on one replica only.
    p.applyState({ ...partitionState('t', 0, ME, [ME], 0, [ME, 2]), partitionEpoch: 1 });
    expect(p.highWatermark).toBe(1);
    expect(await pending).toBe('NOT_ENOUGH_REPLICAS');
    expect(p.logEndOffset).toBe(1);
  });

  it('refuses acks=all with NOT_ENOUGH_REPLICAS before writing anything', async () => {
    const p = make();
    expect(await reason(p.append(batchOf('x'), { acks: 'all', minInsyncReplicas: 2 }))).toBe('NOT_ENOUGH_REPLICAS');
    expect(p.logEndOffset).toBe(0);
    // acks=leader does not need the ISR.
    await p.append(batchOf('x'), { acks: 'leader', minInsyncReplicas: 2 });
    expect(p.logEndOffset).toBe(1);
  });

  it('a follower refuses writes and reads with NOT_LEADER_OR_FOLLOWER naming the leader', async () => {
    const p = make(partitionState('t', 0, 2, [2, ME], 3));
    const err = await p.append(batchOf('x'), { acks: 'leader', minInsyncReplicas: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SamsaError);
    expect((err as SamsaError).reason).toBe('NOT_LEADER_OR_FOLLOWER');
    expect((err as SamsaError).details).toEqual({ 'leader-id': '2', 'leader-address': 'host-2:9092' });
    expect(await reason(p.read(0, 100))).toBe('NOT_LEADER_OR_FOLLOWER');
    expect(p.logEndOffset).toBe(0);
  });

  it('no leader at all is LEADER_NOT_AVAILABLE', async () => {
    const p = make(partitionState('t', 0, -1, [], 4, [ME]));
    expect(await reason(p.append(batchOf('x'), { acks: 'leader', minInsyncReplicas: 1 }))).toBe('LEADER_NOT_AVAILABLE');
  });

  it('fences a request that carries a stale leader epoch', async () => {
    const p = make(partitionState('t', 0, ME, [ME], 5));
    expect(await reason(p.append(batchOf('x'), { acks: 'leader', minInsyncReplicas: 1, expectedLeaderEpoch: 4 }))).toBe('FENCED');
    expect(await reason(p.append(batchOf('x'), { acks: 'leader', minInsyncReplicas: 1, expectedLeaderEpoch: 6 }))).toBe(
      'NOT_LEADER_OR_FOLLOWER',
    );
    await p.append(batchOf('x'), { acks: 'leader', minInsyncReplicas: 1, expectedLeaderEpoch: 5 });
    expect(p.logEndOffset).toBe(1);
  });

  it('ignores a late state with an older leader epoch', () => {
    const p = make(partitionState('t', 0, ME, [ME], 5));
    expect(p.applyState(partitionState('t', 0, 2, [2], 4))).toBe(false);
    expect(p.role).toBe('leader');
    expect(p.applyState(partitionState('t', 0, 2, [2], 6))).toBe(true);
    expect(p.role).toBe('follower');
  });

  it('a waiter wakes when the high watermark advances, not before', async () => {
    const p = make();
    let woke: string | undefined;
    const waiting = p.waitForData(0).then((why) => (woke = why));
    await new Promise((r) => setImmediate(r));
    expect(woke).toBeUndefined();
    expect(p.waiterCount).toBe(1);
    await p.append(batchOf('a'), { acks: 'leader', minInsyncReplicas: 1 });
    await waiting;
    expect(woke).toBe('advanced');
    expect(p.waiterCount).toBe(0);
    // Already past: answers at once without parking.
    expect(await p.waitForData(0)).toBe('advanced');
    expect(p.waiterCount).toBe(0);
  });

  it('an aborted waiter leaves no trace', async () => {
    const p = make();
    const controller = new AbortController();
    const waiting = p.waitForData(0, { signal: controller.signal });
    expect(p.waiterCount).toBe(1);
    controller.abort();
    expect(await waiting).toBe('aborted');
    expect(p.waiterCount).toBe(0);
    expect(await p.waitForData(0, { timeoutMs: 5 })).toBe('timeout');
    expect(p.waiterCount).toBe(0);
  });

  it('a leadership change wakes waiters, and their next read says where the leader went', async () => {
    const p = make();
    const waiting = p.waitForData(0);
    p.applyState(partitionState('t', 0, 2, [2], 1, [ME, 2]));
    expect(await waiting).toBe('changed');
    expect(await reason(p.read(0, 100))).toBe('NOT_LEADER_OR_FOLLOWER');
  });

  it('closing wakes waiters and later calls fail with the close reason', async () => {
    const p = make();
    const waiting = p.waitForData(0);
    await p.close(new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', 'topic t was deleted'));
    expect(await waiting).toBe('changed');
    expect(p.waiterCount).toBe(0);
    expect(await reason(p.read(0, 100))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('an offset outside [log start, log end] is OFFSET_OUT_OF_RANGE with the valid range', async () => {
    const p = make();
    await p.append(batchOf('a', 'b'), { acks: 'leader', minInsyncReplicas: 1 });
    const err = (await p.read(3, 100).catch((e: unknown) => e)) as SamsaError;
    expect(err.reason).toBe('OFFSET_OUT_OF_RANGE');
    expect(err.message).toContain('0 to 2');
    expect(await reason(p.read(-1, 100))).toBe('OFFSET_OUT_OF_RANGE');
    // The end itself is valid and empty (a consumer that is caught up).
    expect((await p.read(2, 100)).bytes.length).toBe(0);
  });

  it('lists earliest, latest and by timestamp, never beyond the high watermark', async () => {
    const p = make(partitionState('t', 0, ME, [ME, 2]));
    await p.append(
      validatedBatch(
        buildBatch(
          [
            { value: Buffer.from('a'), timestampMs: 100 },
            { value: Buffer.from('b'), timestampMs: 200 },
          ],
          { nowMs: 1 },
        ),
      ),
      {
        acks: 'leader',
        minInsyncReplicas: 1,
      },
    );
    await p.append(validatedBatch(buildBatch([{ value: Buffer.from('c'), timestampMs: 300 }], { nowMs: 1 })), {
      acks: 'leader',
      minInsyncReplicas: 1,
    });
    p.updateFollowerPosition(2, TEST_INCARNATION, 2); // c (offset 2) is not committed yet
    expect((await p.listOffsets({ kind: 'earliest' })).offset).toBe(0);
    expect((await p.listOffsets({ kind: 'latest' })).offset).toBe(2);
    const byTime = await p.listOffsets({ kind: 'timestamp', timestampMs: 150 });
    expect(byTime.offset).toBe(1);
    expect(byTime.timestampMs).toBe(200);
    expect(await p.listOffsets({ kind: 'timestamp', timestampMs: 250 })).toMatchObject({ offset: 2, timestampMs: -1 });
  });
});

describe('Partition: leads only as the incarnation the controller elected (KIP-380)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let log: PartitionLog;
  beforeEach(async () => {
    tmp = tempDir('incarnation');
    log = await PartitionLog.open(tmp.dir, DEFAULT_LOG_CONFIG, { logger: silentLogger });
  });
  afterEach(async () => {
    await log.close().catch(() => undefined);
    tmp.remove();
  });
  const make = (localBrokerEpoch: number | undefined, state: PartitionState): Partition =>
    new Partition({ topic: 't', partition: 0, topicId: 't-id', localBrokerId: ME, localBrokerEpoch, log, state });

  it('a process not registered yet, or of another incarnation than the state names, does not lead and says why', async () => {
    const state = partitionState('t', 0, ME, [ME]);
    for (const p of [make(undefined, state), make(TEST_INCARNATION + 1, state)]) {
      expect(p.role).toBe('follower');
      const err = await p.append(batchOf('x'), { acks: 'leader', minInsyncReplicas: 1 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(hasReason(err, 'LEADER_NOT_AVAILABLE')).toBe(true);
      expect(String(err)).toMatch(/earlier incarnation/);
    }
    expect(log.logEndOffset).toBe(0);
  });

  it('registering as the incarnation the state names makes it lead; losing the registration stops it', async () => {
    const p = make(undefined, partitionState('t', 0, ME, [ME]));
    p.setIncarnation(TEST_INCARNATION);
    expect(p.role).toBe('leader');
    await p.append(batchOf('x'), { acks: 'leader', minInsyncReplicas: 1 });
    p.setIncarnation(undefined);
    expect(p.role).toBe('follower');
  });
});
