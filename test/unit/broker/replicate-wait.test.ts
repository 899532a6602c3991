/**
 * StreamWait: how a leader's Replicate stream parks until a partition it follows has news, with
 * one watcher per stream and partition kept across parks (services/broker/handlers/replicate-wait.ts).
 *
 * Parks here wait an hour: a wake-up that is lost makes the test hang (and fail on vitest's
 * timeout), never pass late. "Not woken" is checked after a setImmediate turn: a partition tells
 * its watchers synchronously, so a park it should end has ended by then.
 */
import { describe, it, expect, afterEach } from 'vitest';
import fc from 'fast-check';
import { PartitionLog, DEFAULT_LOG_CONFIG } from '../../../libs/log/index.js';
import { buildBatch, validatedBatch, type ValidatedBatch } from '../../../libs/record/index.js';
import { SamsaError } from '../../../libs/errors/index.js';
import { Partition } from '../../../libs/replica/index.js';
import { StreamWait } from '../../../services/broker/handlers/replicate-wait.js';
import { partitionState, silentLogger, tempDir, TEST_INCARNATION } from '../replica/helpers.js';

const ME = 1;
const FOLLOWER = 2;
const HOUR_MS = 3_600_000;
const batch = (v: string): ValidatedBatch => validatedBatch(buildBatch([{ value: Buffer.from(v) }], { nowMs: 1 }));
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A leader partition whose ISR is [ME, FOLLOWER], so its HW moves when the follower reports. */
async function leader(n: number): Promise<Partition> {
  const tmp = tempDir(`replicate-wait-${n}`);
  const log = await PartitionLog.open(tmp.dir, DEFAULT_LOG_CONFIG, { logger: silentLogger });
  const p = new Partition({
    topic: 't',
    partition: n,
    topicId: 't-id',
    localBrokerId: ME,
    localBrokerEpoch: TEST_INCARNATION,
    log,
    state: partitionState('t', n, ME, [ME, FOLLOWER]),
  });
  cleanups.push(async () => {
    await p.close(new SamsaError('NOT_READY', 'test over'));
    tmp.remove();
  });
  return p;
}

/** Parks `wait` on `ps` (data news past each one's log end; HW news past its HW when `hw`). */
function park(wait: StreamWait, ps: Partition[], hw: boolean): { ended: () => boolean; done: Promise<void> } {
  wait.begin();
  for (const p of ps) wait.follow(p, p.logEndOffset, hw ? p.highWatermark : undefined);
  let ended = false;
  const done = wait.wait(HOUR_MS).then(() => {
    ended = true;
  });
  return { ended: () => ended, done };
}

describe('StreamWait', () => {
  it('an append to any followed partition ends the park; the partitions count it as a waiter only while parked', async () => {
    const [a, b] = [await leader(0), await leader(1)];
    const wait = new StreamWait();
    const parked = park(wait, [a, b], true);
    expect([a.waiterCount, b.waiterCount]).toEqual([1, 1]);
    await turn();
    expect(parked.ended()).toBe(false);
    await b.append(batch('x'), { acks: 'leader', minInsyncReplicas: 1 });
    await parked.done;
    expect([a.waiterCount, b.waiterCount]).toEqual([0, 0]);
    // Still watching both for the next park, without registering again.
    expect(wait.watching).toBe(2);
    wait.close();
    expect(wait.watching).toBe(0);
  });

  it('a high watermark move ends a park that waits for it, not one that waits for data only', async () => {
    const p = await leader(0);
    await p.append(batch('x'), { acks: 'leader', minInsyncReplicas: 1 });
    expect(p.highWatermark).toBe(0);
    const wait = new StreamWait();
    const dataOnly = park(wait, [p], false);
    // The follower reports offset 1 (what checkPosition does on its next request): the HW moves.
    p.updateFollowerPosition(FOLLOWER, TEST_INCARNATION, 1);
    expect(p.highWatermark).toBe(1);
    await turn();
    expect(dataOnly.ended()).toBe(false);
    await p.append(batch('y'), { acks: 'leader', minInsyncReplicas: 1 });
    await dataOnly.done;

    const withHw = park(wait, [p], true);
    await turn();
    expect(withHw.ended()).toBe(false);
    p.updateFollowerPosition(FOLLOWER, TEST_INCARNATION, 2);
    await withHw.done;
    wait.close();
  });

  it('a leadership change or a close ends the park; a closed partition is no longer watched', async () => {
    const [a, b] = [await leader(0), await leader(1)];
    const wait = new StreamWait();
    const first = park(wait, [a, b], true);
    a.applyState(partitionState('t', 0, FOLLOWER, [FOLLOWER], 1, [ME, FOLLOWER]));
    await first.done;

    const second = park(wait, [b], true);
    expect(wait.watching).toBe(1); // a was not asked about this time: forgotten
    await b.close(new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', 'deleted'));
    await second.done;
    expect(wait.watching).toBe(0); // b forgot its watchers when it closed, and the stream b
    // A closed partition asked about again ends the park at once (its news is that it closed).
    const third = park(wait, [b], true);
    await third.done;
    expect(wait.watching).toBe(0);
    wait.close();
  });

  it('a partition the stream stopped asking about does not end its parks', async () => {
    const [a, b] = [await leader(0), await leader(1)];
    const wait = new StreamWait();
    const first = park(wait, [a, b], true);
    await a.append(batch('x'), { acks: 'leader', minInsyncReplicas: 1 });
    await first.done;
    const second = park(wait, [b], true);
    expect(wait.watching).toBe(1);
    await a.append(batch('y'), { acks: 'leader', minInsyncReplicas: 1 });
    await turn();
    expect(second.ended()).toBe(false);
    expect(a.waiterCount).toBe(0);
    wait.close();
    await second.done;
    expect(b.waiterCount).toBe(0);
  });

  it('property: a park ends exactly when a followed partition gets news, over any parks and appends', async () => {
    const ps = [await leader(0), await leader(1), await leader(2)];
    const wait = new StreamWait();
    const step = fc.record({
      followed: fc.subarray([0, 1, 2], { minLength: 1 }),
      appends: fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
        for (const { followed, appends } of steps) {
          const parked = park(
            wait,
            followed.map((i) => ps[i] as Partition),
            false,
          );
          let news = false;
          for (const i of appends) {
            await (ps[i] as Partition).append(batch('v'), { acks: 'leader', minInsyncReplicas: 1 });
            news ||= followed.includes(i);
            await turn();
            expect(parked.ended()).toBe(news);
          }
          // End a park that had no news by an append to a followed partition.
          if (!news) await (ps[followed[0] as number] as Partition).append(batch('w'), { acks: 'leader', minInsyncReplicas: 1 });
          await parked.done;
          expect(wait.watching).toBe(followed.length);
        }
      }),
      { numRuns: 25 },
    );
    wait.close();
    expect(ps.map((p) => p.waiterCount)).toEqual([0, 0, 0]);
  });
});
