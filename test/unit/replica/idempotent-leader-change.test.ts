/**
 * An idempotent batch the old leader wrote and this replica copied is a duplicate for this replica
 * once it leads, also when the producer's retry reaches it while the copy is still being written.
 *
 * The sequence a preferred-leader move makes (seen once in replica-budget.test.ts: a record at
 * offset 3 instead of 2): this follower is applying the old leader's batch, the controller makes
 * it leader, the old leader answers the producer NOT_LEADER (its acks=all wait woke on the move),
 * and the producer's retry of the same batch arrives here before the copy's write has finished.
 * The new leader's check must see the copied batch, not decide before it is in the table.
 *
 * The moment is made exact with a log that runs the move and the retry when the follower's write
 * (a copy, a truncation) reaches it: the write is then under way, as it was on the broker. On the
 * code before the fix, the copy cases wrote the batch twice (offset 1 / 3 instead of 0 / 2), and
 * the truncation case answered the retry of a batch being cut with the cut batch's offset
 * (acknowledged, and not in the log).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LOG_CONFIG, PartitionLog } from '../../../libs/log/index.js';
import { buildBatch, decodeRecordsFrom, validatedBatch, type ValidatedBatch } from '../../../libs/record/index.js';
import { Partition, type LogAppendInfo, type ReplicaLog } from '../../../libs/replica/index.js';
import { partitionState, silentLogger, tempDir, TEST_INCARNATION } from './helpers.js';

const ME = 1;
const OLD_LEADER = 2;
const PRODUCER = 4242;

/** The producer's batch as it sends it (and sends it again on a retry): unstamped. */
function producerBatch(baseSequence: number, ...values: string[]): Buffer {
  return buildBatch(
    values.map((v) => ({ value: Buffer.from(v) })),
    { nowMs: 1_000, producerId: PRODUCER, producerEpoch: 0, baseSequence },
  );
}

const sent = (bytes: Buffer): ValidatedBatch => validatedBatch(Buffer.from(bytes));

describe('idempotent produce across a leader change onto a follower', () => {
  let here: ReturnType<typeof tempDir>;
  let there: ReturnType<typeof tempDir>;
  let log: PartitionLog;
  /** The old leader's log: what it wrote is what this follower copies, byte for byte. */
  let oldLeader: PartitionLog;
  /** Runs once, synchronously, when the follower's next write (copy or truncation) reaches the log. */
  let onFollowerWrite: (() => void) | undefined;

  beforeEach(async () => {
    here = tempDir('idem-here');
    there = tempDir('idem-there');
    log = await PartitionLog.open(here.dir, DEFAULT_LOG_CONFIG, { logger: silentLogger });
    oldLeader = await PartitionLog.open(there.dir, DEFAULT_LOG_CONFIG, { logger: silentLogger });
    onFollowerWrite = undefined;
  });
  afterEach(async () => {
    await log.close().catch(() => undefined);
    await oldLeader.close().catch(() => undefined);
    here.remove();
    there.remove();
  });

  /** `log`, with onFollowerWrite run as a copy or a truncation starts. */
  function hooked(): ReplicaLog {
    const fire = (): void => {
      const hook = onFollowerWrite;
      onFollowerWrite = undefined;
      hook?.();
    };
    return new Proxy(log, {
      get(target, prop) {
        if (prop === 'appendAsFollower')
          return (batches: Buffer): Promise<LogAppendInfo | undefined> => {
            fire();
            return target.appendAsFollower(batches);
          };
        if (prop === 'truncateTo')
          return (offset: number): Promise<void> => {
            fire();
            return target.truncateTo(offset);
          };
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /** This broker following OLD_LEADER in epoch 0, both in the ISR. */
  const follower = (): Partition =>
    new Partition({
      topic: 't',
      partition: 0,
      topicId: 't-id',
      localBrokerId: ME,
      localBrokerEpoch: TEST_INCARNATION,
      log: hooked(),
      state: partitionState('t', 0, OLD_LEADER, [OLD_LEADER, ME], 0, [OLD_LEADER, ME]),
    });

  /** What the old leader stores for `batch` (stamped with its offset and epoch 0), as a follower reads it. */
  async function writtenByOldLeader(batch: Buffer): Promise<Buffer> {
    const at = oldLeader.logEndOffset;
    await oldLeader.appendAsLeader(sent(batch), 0);
    return (await oldLeader.read(at, 1 << 20)).bytes;
  }

  /**
   * When the follower's next write starts: the controller's preferred-leader move (this broker
   * leads epoch 1) and, at once, the producer's retry of `batch`. Its answer, once the write is done.
   */
  function moveAndRetryDuringNextWrite(p: Partition, batch: Buffer): () => Promise<LogAppendInfo> {
    let retried: Promise<LogAppendInfo> | undefined;
    onFollowerWrite = () => {
      expect(p.applyState(partitionState('t', 0, ME, [ME, OLD_LEADER], 1, [OLD_LEADER, ME]))).toBe(true);
      expect(p.role).toBe('leader');
      retried = p.append(sent(batch), { acks: 'leader', minInsyncReplicas: 1 });
    };
    return () => {
      if (!retried) throw new Error('the follower never wrote');
      return retried;
    };
  }

  async function values(p: Partition): Promise<string[]> {
    const { bytes } = await log.read(0, 1 << 20);
    expect(p.logEndOffset).toBe(log.logEndOffset);
    return decodeRecordsFrom(bytes, 0).map((r) => Buffer.from(r.value ?? Buffer.alloc(0)).toString());
  }

  it("a new producer's first batch, being copied when the move and the retry arrive, is not written twice", async () => {
    const p = follower();
    const batch = producerBatch(0, 'a');
    const answer = moveAndRetryDuringNextWrite(p, batch);
    await p.appendAsFollower(await writtenByOldLeader(batch), 0, 0);
    expect((await answer()).baseOffset).toBe(0);
    expect(await values(p)).toEqual(['a']);
  });

  it("a known producer's next batch, being copied when the move and the retry arrive, is not written twice", async () => {
    const p = follower();
    await p.appendAsFollower(await writtenByOldLeader(producerBatch(0, 'a', 'b')), 0, 0);
    const second = producerBatch(2, 'c');
    const answer = moveAndRetryDuringNextWrite(p, second);
    await p.appendAsFollower(await writtenByOldLeader(second), 0, 0);
    expect((await answer()).baseOffset).toBe(2);
    // And the producer goes on from there.
    expect((await p.append(sent(producerBatch(3, 'd')), { acks: 'leader', minInsyncReplicas: 1 })).baseOffset).toBe(3);
    expect(await values(p)).toEqual(['a', 'b', 'c', 'd']);
  });

  it("a retry after the copy was written is answered with the copy's offsets (the plain failover case)", async () => {
    const p = follower();
    const batch = producerBatch(0, 'a', 'b');
    await p.appendAsFollower(await writtenByOldLeader(batch), 0, 0);
    expect(p.applyState(partitionState('t', 0, ME, [ME, OLD_LEADER], 1, [OLD_LEADER, ME]))).toBe(true);
    const info = await p.append(sent(batch), { acks: 'leader', minInsyncReplicas: 1 });
    expect([info.baseOffset, info.lastOffset]).toEqual([0, 1]);
    expect(await values(p)).toEqual(['a', 'b']);
  });

  it('the retry of a batch a truncation is cutting, arriving during the cut, is written again, not answered with the cut offset', async () => {
    const p = follower();
    await p.appendAsFollower(await writtenByOldLeader(producerBatch(0, 'a')), 0, 0);
    const cutAway = producerBatch(1, 'x');
    await p.appendAsFollower(await writtenByOldLeader(cutAway), 0, 0);
    const answer = moveAndRetryDuringNextWrite(p, cutAway);
    // KIP-101: our log diverges from the leader's after offset 1.
    await p.truncateAsFollower(1, 0);
    const info = await answer();
    expect(await values(p)).toEqual(['a', 'x']);
    expect(info.baseOffset).toBe(1);
  });
});
