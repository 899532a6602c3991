/**
 * The SDK's assigned Consumer against real processes (etcd, a controller, two brokers, one group
 * coordinator): seek, pause/resume, and committed offsets of a group used without membership
 * (Kafka's simple consumer group). Every wait is for a condition, never for time to pass.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Samsa, SamsaError, type Consumer } from '../../libs/client/index.js';
import { waitUntil } from '../../tools/launcher/index.js';
import { startCluster, uniqueName } from '../harness/cluster.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const cluster = await startCluster({ name: 'consumer', brokers: 2, coordinators: 1 });
const samsa = new Samsa({
  bootstrap: cluster.brokers.map((b) => b.address),
  retry: { retries: 40, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 90_000 },
});
afterAll(async () => {
  await samsa.close();
});

async function createTopic(prefix: string, partitions = 2): Promise<string> {
  const name = uniqueName(prefix);
  await samsa.admin().createTopic({ name, partitions, replicationFactor: 1 });
  return name;
}

/** `count` records into `partition`, values "<partition>-<n>" numbered from `from`, in one send. */
async function produce(topic: string, partition: number, count: number, from = 0): Promise<void> {
  const producer = samsa.producer();
  await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ partition, value: `${partition}-${from + i}` })) });
  await producer.close();
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** Reads the consumer in the background, keeping the offsets delivered per partition. */
function collect(consumer: Consumer): { offsets: Map<number, number[]>; done: Promise<void> } {
  const offsets = new Map<number, number[]>();
  const done = (async () => {
    for await (const m of consumer) {
      offsets.set(m.partition, [...(offsets.get(m.partition) ?? []), m.offset]);
      expect(m.value?.toString()).toBe(`${m.partition}-${m.offset}`);
    }
  })();
  return { offsets, done };
}

const countOf = (offsets: Map<number, number[]>, partition: number): number => offsets.get(partition)?.length ?? 0;

async function committed(groupId: string): Promise<Map<number, { offset: number; metadata: string }>> {
  const offsets = await samsa.groups().fetchOffsets(groupId);
  return new Map(offsets.map((o) => [o.partition, { offset: o.offset, metadata: o.metadata }]));
}

async function rejection(promise: Promise<unknown>): Promise<SamsaError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SamsaError);
  return err as SamsaError;
}

describe('the assigned consumer', { timeout: 180_000 }, () => {
  it('seek backwards and forwards mid-stream delivers exactly from the new offset, also mid-chunk', async () => {
    const topic = await createTopic('seek');
    await produce(topic, 0, 20);
    const consumer = samsa.consumer();
    consumer.assign([{ topic, partition: 0 }]);
    expect(consumer.assignment()).toEqual([{ topic, partition: 0 }]);
    const tp = { topic, partition: 0 };
    const seen: number[] = [];
    let more: Promise<void> | undefined;
    for await (const m of consumer) {
      seen.push(m.offset);
      expect(consumer.position(tp)).toBe(m.offset + 1);
      // The 20 records came as one batch, so both seeks land in the middle of a fetched chunk.
      if (seen.length === 6) consumer.seek(topic, 0, 2);
      else if (seen.length === 13) consumer.seek(topic, 0, 15);
      else if (m.offset === 19 && !more) {
        // 'latest' is resolved when the consumer reads on; produce only once it has been.
        consumer.seek(topic, 0, 'latest');
        expect(consumer.position(tp)).toBeUndefined();
        more = waitUntil(() => consumer.position(tp) === 20, 30_000, 'the seek to latest to resolve').then(() => produce(topic, 0, 3, 20));
      } else if (m.offset === 22) break;
    }
    await more;
    expect(seen).toEqual([...range(0, 6), ...range(2, 9), ...range(15, 23)]);
    // Breaking out of the loop closed the consumer.
    expect(() => consumer.assign([])).toThrowError(expect.objectContaining({ reason: 'INVALID_REQUEST' }));
  });

  it('a paused partition delivers nothing while the other goes on; after resume it delivers everything, in order, once', async () => {
    const topic = await createTopic('pause');
    const consumer = samsa.consumer();
    const p1 = { topic, partition: 1 };
    consumer.assign([{ topic, partition: 0 }, p1]);
    const { offsets, done } = collect(consumer);
    await Promise.all([produce(topic, 0, 5), produce(topic, 1, 5)]);
    await waitUntil(() => countOf(offsets, 0) === 5 && countOf(offsets, 1) === 5, 30_000, 'the first round from both partitions');

    consumer.pause([p1]);
    expect(consumer.paused()).toEqual([p1]);
    // Each round goes to both partitions in one send: once partition 0 has a round, partition 1 would have had it too.
    for (let round = 1; round <= 3; round++) {
      const producer = samsa.producer();
      await producer.send({
        topic,
        messages: [0, 1].flatMap((partition) => range(0, 5).map((i) => ({ partition, value: `${partition}-${round * 5 + i}` }))),
      });
      await producer.close();
      await waitUntil(() => countOf(offsets, 0) === (round + 1) * 5, 30_000, `round ${round} from partition 0`);
      expect(countOf(offsets, 1)).toBe(5);
    }
    expect(consumer.position(p1)).toBe(5);

    consumer.resume([p1]);
    await waitUntil(() => countOf(offsets, 1) === 20, 30_000, 'partition 1 to catch up after resume');
    await consumer.close();
    await done;
    expect(offsets.get(0)).toEqual(range(0, 20));
    expect(offsets.get(1)).toEqual(range(0, 20));
  });

  it('a manual commit is where a new consumer of the same group starts; without auto-commit close() commits nothing', async () => {
    const topic = await createTopic('commit');
    const groupId = uniqueName('simple');
    await Promise.all([produce(topic, 0, 20), produce(topic, 1, 20)]);

    const first = samsa.consumer({ groupId, autoCommit: false });
    first.assign([{ topic, partition: 0 }]);
    let n = 0;
    for await (const m of first) {
      if (++n === 10) await first.commit();
      if (m.offset === 11) break; // read on past the commit: close() must not commit 12
    }
    await first.commit([{ topic, partition: 1, offset: 3, metadata: 'by hand' }]);
    const after = await committed(groupId);
    expect(after.get(0)).toEqual({ offset: 10, metadata: '' });
    expect(after.get(1)).toEqual({ offset: 3, metadata: 'by hand' });

    const second = samsa.consumer({ groupId, autoCommit: false, reset: 'latest' });
    second.assign([
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    const { offsets, done } = collect(second);
    await waitUntil(() => countOf(offsets, 0) === 10 && countOf(offsets, 1) === 17, 30_000, 'the rest of both partitions');
    await second.close();
    await done;
    expect(offsets.get(0)).toEqual(range(10, 20));
    expect(offsets.get(1)).toEqual(range(3, 20));
  });

  it('auto-commit commits while the loop waits for records, and once more on close', async () => {
    const topic = await createTopic('auto', 1);
    const groupId = uniqueName('auto');
    await produce(topic, 0, 5);
    const ticking = samsa.consumer({ groupId, autoCommitIntervalMs: 50 });
    ticking.assign([{ topic, partition: 0 }]);
    const { offsets, done } = collect(ticking);
    await waitUntil(() => countOf(offsets, 0) === 5, 30_000, 'the five records');
    await waitUntil(async () => (await committed(groupId).catch(() => new Map())).get(0)?.offset === 5, 30_000, 'the interval commit at 5');
    await ticking.close();
    await done;

    // An interval that never comes during the test: only close() commits.
    await produce(topic, 0, 5, 5);
    const closing = samsa.consumer({ groupId, autoCommitIntervalMs: 3_600_000 });
    closing.assign([{ topic, partition: 0 }]);
    const seen: number[] = [];
    for await (const m of closing) {
      seen.push(m.offset);
      if (m.offset === 7) break;
    }
    expect(seen).toEqual([5, 6, 7]);
    expect((await committed(groupId)).get(0)?.offset).toBe(8);
  });

  it('bad commits get typed errors: unknown topic or partition, negative offset, no group, a group with members', async () => {
    const topic = await createTopic('badcommit', 1);
    const groupId = uniqueName('bad');
    const consumer = samsa.consumer({ groupId, autoCommit: false });
    expect(await rejection(consumer.commit([{ topic: uniqueName('nope'), partition: 0, offset: 1 }]))).toMatchObject({
      reason: 'UNKNOWN_TOPIC_OR_PARTITION',
      retriable: false,
    });
    expect(await rejection(consumer.commit([{ topic, partition: 7, offset: 1 }]))).toMatchObject({
      reason: 'UNKNOWN_TOPIC_OR_PARTITION',
      retriable: false,
    });
    expect(await rejection(consumer.commit([{ topic, partition: 0, offset: -1 }]))).toMatchObject({
      reason: 'INVALID_REQUEST',
      retriable: false,
    });
    expect(await rejection(samsa.consumer().commit())).toMatchObject({ reason: 'INVALID_REQUEST' });
    expect(() => consumer.seek(topic, 0, 1)).toThrowError(expect.objectContaining({ reason: 'INVALID_REQUEST' }));

    // Kafka's rule: while the group has members, only they commit.
    await produce(topic, 0, 1);
    const member = samsa.groupConsumer({ groupId, topics: [topic], sessionTimeoutMs: 6_000 });
    const reading = (async () => {
      for await (const chunk of member.chunks()) void chunk;
    })();
    await waitUntil(
      async () =>
        ((
          await samsa
            .groups()
            .describe(groupId)
            .catch(() => undefined)
        )?.members.length ?? 0) === 1,
      30_000,
      'the member to join',
    );
    expect(await rejection(consumer.commit([{ topic, partition: 0, offset: 1 }]))).toMatchObject({
      reason: 'GROUP_NOT_EMPTY',
      retriable: false,
    });
    await member.close();
    await reading;
    await consumer.close();
  });

  it("samsa consume --group G --partition P reads P from the group's committed offset and commits what it printed", async () => {
    const topic = await createTopic('cli', 1);
    const groupId = uniqueName('cli');
    await produce(topic, 0, 10);
    const consume = (max: number): number[] =>
      execFileSync(
        process.execPath,
        [
          CLI,
          '--bootstrap',
          cluster.bootstrap,
          'consume',
          topic,
          '--group',
          groupId,
          '--partition',
          '0',
          '--max-messages',
          String(max),
          '--format',
          'json',
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      )
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { offset: number }).offset);
    expect(consume(4)).toEqual([0, 1, 2, 3]);
    expect((await committed(groupId)).get(0)?.offset).toBe(4);
    expect(consume(3)).toEqual([4, 5, 6]);
    expect((await committed(groupId)).get(0)?.offset).toBe(7);
  });
});
