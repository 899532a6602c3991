/**
 * Handler-style consumption (run()) of both consumers against real processes (etcd, a controller,
 * two brokers, one group coordinator): partitions handled concurrently with their order kept, a
 * slow partition holding back only itself, handler failures stopping, retrying or dead-lettering
 * only their partition with nothing committed past the failed record, and handlers in worker
 * threads. Concurrency is asserted as the overlap the handlers observe, never as elapsed time.
 *
 * Why one file (over ~500 lines): every case shares the one cluster started at the top, and each
 * test file starts its own, so a second file would add a cluster start (and its processes) to CI
 * for no gain in reading; the describe blocks are the chapters.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Samsa, type EachMessagePayload, type GroupConsumer, type Consumer, type RunOptions } from '../../libs/client/index.js';
import { Child, waitUntil } from '../../tools/launcher/index.js';
import { startCluster, tempDir, uniqueName } from '../harness/cluster.js';

// A low minimum session timeout so the heartbeat test runs in seconds.
const cluster = await startCluster({ name: 'handlers', brokers: 2, coordinators: 1, env: { SAMSA_GROUP_MIN_SESSION_TIMEOUT_MS: '2000' } });
const samsa = new Samsa({
  bootstrap: cluster.brokers.map((b) => b.address),
  retry: { retries: 40, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 90_000 },
});
afterAll(async () => {
  await samsa.close();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'node', 'worker-consumer.mjs');
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

/** `perPartition` records in each partition, values "<partition>-<n>-<padding>", in batches of `batch`. */
async function topicWith(prefix: string, partitions: number, perPartition: number, valueBytes = 10, batch = perPartition): Promise<string> {
  const topic = uniqueName(prefix);
  await samsa.admin().createTopic({ name: topic, partitions, replicationFactor: 1 });
  const producer = samsa.producer();
  const pad = 'x'.repeat(valueBytes);
  for (let p = 0; p < partitions; p++) {
    for (let from = 0; from < perPartition; from += batch) {
      const count = Math.min(batch, perPartition - from);
      await producer.send({
        topic,
        messages: Array.from({ length: count }, (_, i) => ({ partition: p, value: `${p}-${from + i}-${pad}` })),
      });
    }
  }
  await producer.close();
  return topic;
}

/** What handlers saw: offsets per partition in handling order, and the most running at once. */
class Observed {
  readonly offsets = new Map<number, number[]>();
  running = 0;
  peak = 0;
  total = 0;

  async around(m: EachMessagePayload, work: () => Promise<void>): Promise<void> {
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    try {
      await work();
    } finally {
      this.running--;
    }
    this.offsets.set(m.partition, [...(this.offsets.get(m.partition) ?? []), m.message.offset]);
    this.total++;
  }

  inOrder(partition: number, count: number): void {
    expect(this.offsets.get(partition)).toEqual(Array.from({ length: count }, (_, i) => i));
  }
}

async function committed(groupId: string): Promise<Map<number, number>> {
  const offsets = await samsa
    .groups()
    .fetchOffsets(groupId)
    .catch(() => []);
  return new Map(offsets.filter((o) => o.offset >= 0).map((o) => [o.partition, o.offset]));
}

type Kind = 'assigned' | 'group';

/** A consumer of every partition of `topic`: the assigned one, or a one-member group. */
function consumerOf(
  kind: Kind,
  topic: string,
  partitions: number,
  groupId: string,
  extra: { maxBytes?: number } = {},
): Consumer | GroupConsumer {
  if (kind === 'group') return samsa.groupConsumer({ groupId, topics: [topic], sessionTimeoutMs: 10_000 });
  const c = samsa.consumer({ groupId, autoCommitIntervalMs: 200, ...extra });
  c.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
  return c;
}

/** Runs `consumer` until `done()` holds, then closes it; resolves with how long that took. */
async function runUntil(consumer: Consumer | GroupConsumer, options: RunOptions, done: () => boolean, what: string): Promise<number> {
  const started = Date.now();
  const running = consumer.run(options);
  try {
    await waitUntil(() => done(), 120_000, what);
  } finally {
    await consumer.close();
    await running;
  }
  return Date.now() - started;
}

describe.each<Kind>(['assigned', 'group'])('run() of the %s consumer', { timeout: 240_000 }, (kind) => {
  it('handles 6 partitions 3 at a time, each in offset order, and commits all of them', async () => {
    const perPartition = 15;
    const topic = await topicWith(`overlap-${kind}`, 6, perPartition);
    const took: Record<number, number> = {};
    for (const concurrency of [3, 1]) {
      const groupId = uniqueName(`overlap-${kind}-${concurrency}`);
      const seen = new Observed();
      const consumer = consumerOf(kind, topic, 6, groupId);
      took[concurrency] = await runUntil(
        consumer,
        { partitionsConsumedConcurrently: concurrency, eachMessage: (m) => seen.around(m, () => sleep(20)) },
        () => seen.total >= 6 * perPartition,
        `${6 * perPartition} records handled`,
      );
      expect(seen.peak).toBe(concurrency);
      for (let p = 0; p < 6; p++) seen.inOrder(p, perPartition);
      await waitUntil(
        async () => [...(await committed(groupId)).values()].filter((o) => o === perPartition).length === 6,
        30_000,
        'every partition committed to its end',
      );
    }
    // Reported, not asserted (the machine is shared): the 3-at-a-time run should take about a third.
    console.log(`${kind}: 6 x ${perPartition} records at 20 ms each: ${took[3]} ms with 3 at a time, ${took[1]} ms with 1`);
  });

  it('a partition whose handler is stuck holds back only itself', async () => {
    // Batches of 10 records (~1.3 KB), so a 4 KiB chunk holds about 30 of them.
    const topic = await topicWith(`slow-${kind}`, 4, 400, 100, 10);
    const groupId = uniqueName(`slow-${kind}`);
    const seen = new Observed();
    let unblock: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (unblock = resolve));
    const consumer = consumerOf(kind, topic, 4, groupId, { maxBytes: 4096 });
    const running = consumer.run({
      partitionsConsumedConcurrently: 4,
      eachMessage: (m) => seen.around(m, () => (m.partition === 0 && m.message.offset === 0 ? blocked : Promise.resolve())),
    });
    try {
      await waitUntil(
        () => [1, 2, 3].every((p) => (seen.offsets.get(p)?.length ?? 0) === 400),
        120_000,
        'partitions 1-3 handled while 0 is stuck',
      );
      expect(seen.offsets.get(0)).toBeUndefined();
      if (kind === 'group') {
        // More of partition 0 arrives while it is stuck, each send its own chunk at the coordinator:
        // the member's credit (one chunk ahead) keeps all but one of them at the coordinator.
        const producer = samsa.producer();
        for (let n = 0; n < 20; n++)
          await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `0-more-${n}-${i}` })) });
        const member = consumer as GroupConsumer;
        await waitUntil(() => (member.running?.peakQueuedChunks ?? 0) >= 1, 60_000, 'a chunk of partition 0 waits behind the stuck one');
        // Then records of partition 1, produced after all of partition 0's, go through the same
        // coordinator and are handled: partition 0's reader had its chance to send more meanwhile.
        await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ partition: 1, value: `1-more-${i}` })) });
        await producer.close();
        await waitUntil(() => (seen.offsets.get(1)?.length ?? 0) === 410, 60_000, 'the later records of partition 1 handled');
        // The SDK's own count: never more than one chunk waited behind the stuck one.
        expect((consumer as GroupConsumer).running?.peakQueuedChunks).toBe(1);
      }
      if (kind === 'assigned') {
        // Fetched for partition 0: the chunk in hand, one queued, one pulled before the hold: a few
        // 4 KiB chunks (~30 records each), not the 400 records the others went through.
        const position = (consumer as Consumer).position({ topic, partition: 0 }) ?? 0;
        expect(position).toBeLessThan(200);
      }
      unblock();
      const all = kind === 'group' ? 600 : 400;
      await waitUntil(() => (seen.offsets.get(0)?.length ?? 0) === all, 120_000, 'partition 0 handled once released');
      seen.inOrder(0, all);
      if (kind === 'group') expect((consumer as GroupConsumer).running?.peakQueuedChunks).toBe(1);
    } finally {
      unblock();
      await consumer.close();
      await running;
    }
  });

  it('a handler failing on one record stops only its partition, and the commit never passes that record', async () => {
    const topic = await topicWith(`fail-${kind}`, 3, 20);
    const groupId = uniqueName(`fail-${kind}`);
    const seen = new Observed();
    const stopped: { partition: number; offset: number; message: string }[] = [];
    const commits: number[] = [];
    const consumer = consumerOf(kind, topic, 3, groupId);
    const running = consumer.run({
      partitionsConsumedConcurrently: 3,
      eachMessage: (m) =>
        seen.around(m, async () => {
          if (m.partition === 1 && m.message.offset === 7) throw new Error('record 1/7 is bad');
        }),
      onPartitionStopped: (s) => stopped.push({ partition: s.partition, offset: s.offset, message: s.error.message }),
    });
    try {
      await waitUntil(
        async () => {
          const c = await committed(groupId);
          commits.push(c.get(1) ?? -1);
          return c.get(0) === 20 && c.get(2) === 20 && c.get(1) === 7;
        },
        60_000,
        'partitions 0 and 2 committed to their end, partition 1 up to the failed record',
      );
      expect(stopped).toEqual([{ partition: 1, offset: 7, message: 'record 1/7 is bad' }]);
    } finally {
      await consumer.close();
      await running;
    }
    seen.inOrder(0, 20);
    seen.inOrder(2, 20);
    // The failed record's handler ran (and failed) once; nothing after it ran.
    expect(seen.offsets.get(1)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Math.max(...commits)).toBeLessThanOrEqual(7);
    expect((await committed(groupId)).get(1)).toBe(7);
  });

  it('retries a failing record with backoff, and dead-letters one that keeps failing, with headers saying why', async () => {
    const topic = await topicWith(`retry-${kind}`, 2, 10);
    const dlt = uniqueName(`dlt-${kind}`);
    await samsa.admin().createTopic({ name: dlt, partitions: 1, replicationFactor: 1 });
    const groupId = uniqueName(`retry-${kind}`);
    const attempts = new Map<string, number>();
    const seen = new Observed();
    const consumer = consumerOf(kind, topic, 2, groupId);
    const running = consumer.run({
      partitionsConsumedConcurrently: 2,
      onError: { retry: { retries: 3, initialDelayMs: 20, maxDelayMs: 50 }, deadLetterTopic: dlt },
      eachMessage: (m) =>
        seen.around(m, async () => {
          const at = `${m.partition}/${m.message.offset}`;
          const n = (attempts.get(at) ?? 0) + 1;
          attempts.set(at, n);
          if (at === '0/3' && n <= 2) throw new Error('flaky');
          if (at === '1/4') throw new TypeError('always bad');
        }),
    });
    try {
      await waitUntil(
        async () => {
          const c = await committed(groupId);
          return c.get(0) === 10 && c.get(1) === 10;
        },
        60_000,
        'both partitions committed past the retried and the dead-lettered record',
      );
    } finally {
      await consumer.close();
      await running;
    }
    expect(attempts.get('0/3')).toBe(3);
    expect(attempts.get('1/4')).toBe(4);
    seen.inOrder(0, 10);
    expect(seen.offsets.get(1)).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9]);
    const dead = [];
    for await (const m of samsa.consumer().partition({ topic: dlt, partition: 0, follow: false })) dead.push(m);
    expect(dead).toHaveLength(1);
    const headers = Object.fromEntries((dead[0]?.headers ?? []).map((h) => [h.key, h.value.toString()]));
    expect(dead[0]?.value?.toString()).toMatch(/^1-4-/);
    expect(headers).toMatchObject({
      'samsa.dlt.original.topic': topic,
      'samsa.dlt.original.partition': '1',
      'samsa.dlt.original.offset': '4',
      'samsa.dlt.error.name': 'TypeError',
      'samsa.dlt.error.message': 'always bad',
      'samsa.dlt.attempts': '4',
      'samsa.dlt.group': groupId,
    });
  });

  it('workers: 2 runs a module handler in two threads, each owning partitions, order kept', async () => {
    const topic = await topicWith(`workers-${kind}`, 4, 50);
    const groupId = uniqueName(`workers-${kind}`);
    const dir = tempDir('workers');
    const out = join(dir, 'handled.txt');
    writeFileSync(out, '');
    process.env.SAMSA_TEST_HANDLED_FILE = out;
    const consumer = consumerOf(kind, topic, 4, groupId);
    const lines = (): string[][] =>
      readFileSync(out, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split(' '));
    await runUntil(
      consumer,
      { workers: 2, eachMessage: { module: join(import.meta.dirname, 'fixtures', 'handlers.mjs'), export: 'burnAndRecord' } },
      () => lines().length >= 200,
      '200 records handled in workers',
    );
    const handled = lines();
    const threads = new Set(handled.map((l) => l[0]));
    expect(threads.size).toBe(2);
    for (let p = 0; p < 4; p++) {
      const mine = handled.filter((l) => l[1] === String(p));
      expect(mine.map((l) => Number(l[2]))).toEqual(Array.from({ length: 50 }, (_, i) => i));
      // One owner per partition while the assignment does not change.
      expect(new Set(mine.map((l) => l[0])).size).toBe(1);
    }
    await waitUntil(
      async () => [...(await committed(groupId)).values()].filter((o) => o === 50).length === 4,
      30_000,
      'every partition committed',
    );
  });
});

/** Lines "<threadId> <partition> <offset>" a module handler appended to `file`. */
function handledLines(file: string): { thread: string; partition: number; offset: number }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [thread, partition, offset] = l.split(' ');
      return { thread: thread as string, partition: Number(partition), offset: Number(offset) };
    });
}

describe('run() paths beyond the basics', { timeout: 240_000 }, () => {
  it('a group member whose handler runs longer than the session timeout in total stays in the group (heartbeats)', async () => {
    const topic = await topicWith('heartbeat', 1, 3);
    const groupId = uniqueName('heartbeat');
    const generations: number[] = [];
    const handled: number[] = [];
    // 3 records at 2 s each hold unprocessed records for 6 s, twice the session timeout: only the
    // member's heartbeats keep it in the group (each handler alone stays under the timeout).
    const consumer = samsa.groupConsumer({
      groupId,
      topics: [topic],
      sessionTimeoutMs: 3000,
      onAssignment: (a) => generations.push(a.generation),
    });
    await runUntil(
      consumer,
      {
        eachMessage: async ({ message }) => {
          await sleep(2000);
          handled.push(message.offset);
        },
      },
      () => handled.length === 3,
      '3 slow records handled',
    );
    expect(handled).toEqual([0, 1, 2]);
    // One assignment: the member was never removed and never rejoined.
    expect(generations).toHaveLength(1);
    expect((await committed(groupId)).get(0)).toBe(3);
  });

  it("a group member's manual commit() resolves once the coordinator has made it durable", async () => {
    const topic = await topicWith('manual-commit', 2, 10);
    const groupId = uniqueName('manual-commit');
    const consumer = samsa.groupConsumer({ groupId, topics: [topic], sessionTimeoutMs: 10_000, autoCommit: false });
    let handled = 0;
    const running = consumer.run({ partitionsConsumedConcurrently: 2, eachMessage: () => void handled++ });
    try {
      await waitUntil(() => handled === 20 && consumer.running?.finished().length === 2, 60_000, '20 records handled');
      // Nothing is reported without commit() (autoCommit: false)...
      expect(await committed(groupId)).toEqual(new Map());
      await consumer.commit();
      // ...and once commit() resolved, the offsets are readable at once: no polling.
      expect(await committed(groupId)).toEqual(
        new Map([
          [0, 10],
          [1, 10],
        ]),
      );
      // A commit with nothing new resolves at once.
      await consumer.commit();
    } finally {
      await consumer.close();
      await running;
    }
  });

  it('eachBatch in worker threads: a failing record is dead-lettered and the batch goes on after it', async () => {
    const topic = uniqueName('batch-workers');
    await samsa.admin().createTopic({ name: topic, partitions: 2, replicationFactor: 1 });
    const producer = samsa.producer();
    for (let p = 0; p < 2; p++)
      await producer.send({
        topic,
        messages: Array.from({ length: 20 }, (_, i) => ({ partition: p, value: p === 1 && i === 7 ? 'bad' : `${p}-${i}` })),
      });
    await producer.close();
    const dlt = uniqueName('batch-workers-dlt');
    await samsa.admin().createTopic({ name: dlt, partitions: 1, replicationFactor: 1 });
    const groupId = uniqueName('batch-workers');
    const out = join(tempDir('batch-workers'), 'handled.txt');
    writeFileSync(out, '');
    process.env.SAMSA_TEST_HANDLED_FILE = out;
    const consumer = samsa.groupConsumer({ groupId, topics: [topic], sessionTimeoutMs: 10_000 });
    await runUntil(
      consumer,
      {
        workers: 2,
        eachBatch: { module: join(import.meta.dirname, 'fixtures', 'handlers.mjs'), export: 'recordBatchOrFail' },
        onError: { retry: { retries: 1, initialDelayMs: 10, maxDelayMs: 20 }, deadLetterTopic: dlt },
      },
      () => handledLines(out).length >= 39,
      '39 records handled in workers',
    );
    const handled = handledLines(out);
    // In worker threads (the test's own thread is 0), one per partition.
    expect(handled.every((h) => h.thread !== '0')).toBe(true);
    expect(new Set(handled.map((h) => h.thread)).size).toBe(2);
    const offsets = (p: number): number[] => handled.filter((h) => h.partition === p).map((h) => h.offset);
    expect(offsets(0)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(offsets(1)).toEqual(Array.from({ length: 20 }, (_, i) => i).filter((i) => i !== 7));
    await waitUntil(
      async () => {
        const c = await committed(groupId);
        return c.get(0) === 20 && c.get(1) === 20;
      },
      30_000,
      'both partitions committed past the dead-lettered record',
    );
    const dead = [];
    for await (const m of samsa.consumer().partition({ topic: dlt, partition: 0, follow: false })) dead.push(m);
    expect(dead.map((m) => m.value?.toString())).toEqual(['bad']);
    const headers = Object.fromEntries((dead[0]?.headers ?? []).map((h) => [h.key, h.value.toString()]));
    expect(headers).toMatchObject({
      'samsa.dlt.original.partition': '1',
      'samsa.dlt.original.offset': '7',
      'samsa.dlt.error.message': 'bad record 1/7',
      'samsa.dlt.attempts': '2',
    });
  });

  it("workers re-balance when a second member joins: partitions move, the member's threads share what it keeps, nothing is handled twice", async () => {
    const partitions = 4;
    const topic = await topicWith('rebalance-workers', partitions, 100, 10, 10);
    const groupId = uniqueName('rebalance-workers');
    const out = join(tempDir('rebalance-workers'), 'handled.txt');
    writeFileSync(out, '');
    process.env.SAMSA_TEST_HANDLED_FILE = out;
    const first = samsa.groupConsumer({ groupId, topics: [topic], sessionTimeoutMs: 10_000, assignor: 'range' });
    const firstRun = first.run({
      workers: 2,
      eachMessage: { module: join(import.meta.dirname, 'fixtures', 'handlers.mjs'), export: 'burnAndRecord' },
    });
    const second = samsa.groupConsumer({ groupId, topics: [topic], sessionTimeoutMs: 10_000, assignor: 'range' });
    const bySecond: { partition: number; offset: number }[] = [];
    let secondRun: Promise<void> | undefined;
    try {
      await waitUntil(() => handledLines(out).length >= 40, 60_000, 'the first member handled some records in its workers');
      secondRun = second.run({
        eachMessage: ({ message }) => void bySecond.push({ partition: message.partition, offset: message.offset }),
      });
      await waitUntil(
        () => (second.assignment?.partitions.flatMap((p) => p.partitions).length ?? 0) === 2,
        60_000,
        'the second member was given two partitions',
      );
      const kept = first.assignment?.partitions.flatMap((p) => p.partitions) ?? [];
      expect(kept).toHaveLength(2);
      const rebalancedAt = handledLines(out).length;
      // More records for every partition, after the change: the first member's two workers now
      // share the two partitions it kept, one each.
      await topicRecordsMore(topic, partitions, 100, 200);
      await waitUntil(
        () => handledLines(out).length + bySecond.length >= partitions * 200 && bySecond.length > 0,
        120_000,
        'every record handled by one of the members',
      );
      const afterChange = handledLines(out).slice(rebalancedAt);
      const lateThreads = new Map<number, Set<string>>();
      for (const h of afterChange.filter((h) => h.offset >= 100))
        lateThreads.set(h.partition, (lateThreads.get(h.partition) ?? new Set()).add(h.thread));
      expect([...lateThreads.keys()].sort()).toEqual([...kept].sort());
      const threadsOfKept = [...lateThreads.values()].map((t) => [...t]);
      expect(threadsOfKept.every((t) => t.length === 1)).toBe(true);
      expect(new Set(threadsOfKept.flat()).size).toBe(2);
    } finally {
      await first.close();
      await second.close();
      await firstRun;
      await secondRun;
    }
    const all = [...handledLines(out).map((h) => `${h.partition}/${h.offset}`), ...bySecond.map((h) => `${h.partition}/${h.offset}`)];
    // Nothing handled twice: the first member finished and reported what it had of a moving
    // partition before the coordinator handed it on, and the second started past that commit.
    expect(all.length).toBe(new Set(all).size);
    expect(new Set(all).size).toBe(partitions * 200);
  });

  it('the assigned consumer pauses, resumes and seeks partitions while run() runs', async () => {
    // Records of 200 bytes in batches of 5 and 4 KiB fetches: several chunks per partition.
    const topic = await topicWith('pause-seek', 2, 60, 200, 5);
    const seen = new Observed();
    const consumer = samsa.consumer({ maxBytes: 4096 });
    consumer.assign([0, 1].map((partition) => ({ topic, partition })));
    const running = consumer.run({
      partitionsConsumedConcurrently: 2,
      eachMessage: (m) =>
        seen.around(m, async () => {
          // Paused from its first record on: the chunk in hand finishes, no new one starts.
          if (m.partition === 0 && m.message.offset === 0) consumer.pause([{ topic, partition: 0 }]);
        }),
    });
    try {
      await waitUntil(() => (seen.offsets.get(1)?.length ?? 0) === 60, 60_000, 'partition 1 handled while 0 is paused');
      const atPause = seen.offsets.get(0)?.length ?? 0;
      // Let partition 1 be handled again (a seek back) while 0 stays paused: more work, no more of 0.
      consumer.seek(topic, 1, 30);
      await waitUntil(() => (seen.offsets.get(1)?.length ?? 0) === 90, 60_000, 'partition 1 handled again from 30');
      expect(seen.offsets.get(0)?.length ?? 0).toBe(atPause);
      expect(atPause).toBeLessThan(60);
      expect(consumer.paused()).toEqual([{ topic, partition: 0 }]);
      consumer.resume([{ topic, partition: 0 }]);
      await waitUntil(() => (seen.offsets.get(0)?.length ?? 0) === 60, 60_000, 'partition 0 handled once resumed');
    } finally {
      await consumer.close();
      await running;
    }
    seen.inOrder(0, 60);
    expect(seen.offsets.get(1)).toEqual([...Array.from({ length: 60 }, (_, i) => i), ...Array.from({ length: 30 }, (_, i) => 30 + i)]);
  });
});

/** Appends records `from`..`to`-1 to each partition of `topic` (values "<partition>-<n>-x"), in batches of 10. */
async function topicRecordsMore(topic: string, partitions: number, from: number, to: number): Promise<void> {
  const producer = samsa.producer();
  for (let p = 0; p < partitions; p++)
    for (let n = from; n < to; n += 10)
      await producer.send({
        topic,
        messages: Array.from({ length: Math.min(10, to - n) }, (_, i) => ({ partition: p, value: `${p}-${n + i}-x` })),
      });
  await producer.close();
}

describe('a group member with worker threads, killed with SIGKILL and started again', { timeout: 240_000 }, () => {
  it('loses nothing, and handles again only records that were not committed when it died', async () => {
    const partitions = 4;
    const perPartition = 300;
    const topic = uniqueName('kill9');
    await samsa.admin().createTopic({ name: topic, partitions, replicationFactor: 1 });
    const groupId = uniqueName('kill9');
    const dir = tempDir('kill9');
    const member = (name: string, out: string): Child => {
      writeFileSync(out, '');
      const child = new Child({
        name,
        command: process.execPath,
        // Commits every 200 ms, so the kill below falls between commits with records handled since.
        args: [EXAMPLE, cluster.bootstrap, topic, groupId, '2', '200'],
        env: { ...process.env, SAMSA_EXAMPLE_OUT: out },
        logFile: join(dir, `${name}.log`),
      });
      child.start();
      return child;
    };
    const handled = (file: string): { partition: number; offset: number }[] =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => {
          const [partition, offset] = l.split(' ');
          return { partition: Number(partition), offset: Number(offset) };
        });
    const first = join(dir, 'first.txt');
    const a = member('first', first);
    // Records arrive while the member runs, in batches of 10 per partition, so it commits many
    // small chunks rather than one big one.
    await waitUntil(() => readFileSync(a.logFile, 'utf8').includes('generation'), 60_000, 'the first member joined');
    const producer = samsa.producer();
    const produced = (async () => {
      for (let from = 0; from < perPartition; from += 10) {
        for (let p = 0; p < partitions; p++)
          await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ partition: p, value: `${p}-${from + i}` })) });
        await sleep(50);
      }
    })();
    try {
      await waitUntil(
        async () => handled(first).length >= 400 && [...(await committed(groupId)).values()].reduce((x, y) => x + y, 0) >= 200,
        120_000,
        'the first member handled and committed some records',
      );
      await a.kill9();
    } finally {
      await a.stop(1_000);
    }
    const atDeath = await committed(groupId);
    const before = handled(first);
    const key = (r: { partition: number; offset: number }): string => `${r.partition}/${r.offset}`;
    const handledBefore = new Set(before.map(key));
    // Committed means handled: every record below a committed offset was handled before the kill.
    for (const [p, offset] of atDeath)
      for (let o = 0; o < offset; o++) expect(handledBefore.has(`${p}/${o}`), `${p}/${o} committed but not handled`).toBe(true);
    await produced;
    await producer.close();

    const second = join(dir, 'second.txt');
    const b = member('second', second);
    try {
      await waitUntil(
        () => new Set([...before, ...handled(second)].map(key)).size === partitions * perPartition,
        120_000,
        'every record handled by one of the two',
      );
      await waitUntil(
        async () => [...(await committed(groupId)).values()].filter((o) => o === perPartition).length === partitions,
        60_000,
        'everything committed',
      );
      // Its SIGTERM handler is in place once it has joined.
      await waitUntil(() => readFileSync(b.logFile, 'utf8').includes('generation'), 60_000, 'the second member joined');
      b.signal('SIGTERM');
      expect(await b.waitExit()).toBe(0);
    } finally {
      await b.stop(1_000);
    }
    const after = handled(second);
    for (let p = 0; p < partitions; p++) {
      const restart = atDeath.get(p) ?? 0;
      // The restart resumes at the committed offset, in order: what it handled again is exactly
      // what was not committed at the kill.
      expect(after.filter((r) => r.partition === p).map((r) => r.offset)).toEqual(
        Array.from({ length: perPartition - restart }, (_, i) => restart + i),
      );
    }
    console.log(
      `kill -9: committed at the kill ${[...atDeath].map(([p, o]) => `${p}:${o}`).join(' ')}; handled ${before.length} before, ${after.length} after; handled twice: ${after.filter((r) => handledBefore.has(key(r))).length}`,
    );
  });
});

describe('samsa consume --group G --exec', { timeout: 240_000 }, () => {
  it('runs the command per record with the value on stdin and where it is from in the environment; a failing command stops only its partition', async () => {
    const topic = await topicWith('exec', 3, 10);
    const groupId = uniqueName('exec');
    const dir = tempDir('exec');
    const out = join(dir, 'ran.txt');
    writeFileSync(out, '');
    const command = `echo "$SAMSA_TOPIC $SAMSA_PARTITION $SAMSA_OFFSET $(cat)" >> ${out}; [ "$SAMSA_PARTITION/$SAMSA_OFFSET" != 1/4 ]`;
    const child = new Child({
      name: 'exec',
      command: process.execPath,
      args: [CLI, '--bootstrap', cluster.bootstrap, 'consume', topic, '--group', groupId, '--exec', command, '--concurrency', '3'],
      logFile: join(dir, 'exec.log'),
    });
    child.start();
    try {
      await waitUntil(
        async () => {
          const c = await committed(groupId);
          return c.get(0) === 10 && c.get(2) === 10 && c.get(1) === 4;
        },
        120_000,
        'partitions 0 and 2 committed to their end, 1 up to its failed record',
      );
      child.signal('SIGTERM');
      // The CLI's exit code for a command ended by Ctrl-C/SIGTERM (after its clean shutdown).
      expect(await child.waitExit()).toBe(130);
    } finally {
      await child.stop(1_000);
    }
    const ran = readFileSync(out, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split(' '));
    for (const l of ran) expect(l).toEqual([topic, l[1], l[2], expect.stringMatching(new RegExp(`^${l[1]}-${l[2]}-x+$`))]);
    const offsets = (p: number): number[] => ran.filter((l) => l[1] === String(p)).map((l) => Number(l[2]));
    expect(offsets(0)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(offsets(2)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(offsets(1)).toEqual([0, 1, 2, 3, 4]);
    expect(readFileSync(child.logFile, 'utf8')).toMatch(new RegExp(`partition ${topic}/1 stopped at offset 4: .* exited with code 1`));
    expect((await committed(groupId)).get(1)).toBe(4);
  });
  it('--exec-per batch with --retries and --dead-letter-topic: a flaky batch is run again, a bad record is dead-lettered alone', async () => {
    const topic = uniqueName('exec-batch');
    await samsa.admin().createTopic({ name: topic, partitions: 2, replicationFactor: 1 });
    const producer = samsa.producer();
    const value = (p: number, i: number): string => (p === 1 && i === 4 ? 'bad' : p === 0 && i === 3 ? 'flaky' : `${p}-${i}`);
    for (let p = 0; p < 2; p++)
      await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ partition: p, value: value(p, i) })) });
    await producer.close();
    const dlt = uniqueName('exec-batch-dlt');
    await samsa.admin().createTopic({ name: dlt, partitions: 1, replicationFactor: 1 });
    const groupId = uniqueName('exec-batch');
    const dir = tempDir('exec-batch');
    const ran = join(dir, 'ran.txt');
    const marker = join(dir, 'flaky-once');
    writeFileSync(ran, '');
    // Per batch: JSON lines on stdin. "flaky" fails its batch the first time only; "bad" always.
    const command = [
      'input=$(cat)',
      `echo "$SAMSA_PARTITION $SAMSA_FIRST_OFFSET $SAMSA_LAST_OFFSET $SAMSA_COUNT" >> ${ran}`,
      `case "$input" in *'"value":"flaky"'*) [ -e ${marker} ] || { touch ${marker}; exit 4; };; esac`,
      `case "$input" in *'"value":"bad"'*) exit 3;; esac`,
    ].join('\n');
    const child = new Child({
      name: 'exec-batch',
      command: process.execPath,
      args: [
        CLI,
        '--bootstrap',
        cluster.bootstrap,
        'consume',
        topic,
        '--group',
        groupId,
        '--exec',
        command,
        '--exec-per',
        'batch',
        '--concurrency',
        '2',
        '--retries',
        '2',
        '--dead-letter-topic',
        dlt,
      ],
      logFile: join(dir, 'exec.log'),
    });
    child.start();
    try {
      await waitUntil(
        async () => {
          const c = await committed(groupId);
          return c.get(0) === 10 && c.get(1) === 10;
        },
        120_000,
        'both partitions committed to their end',
      );
      child.signal('SIGTERM');
      expect(await child.waitExit()).toBe(130);
    } finally {
      await child.stop(1_000);
    }
    const runs = readFileSync(ran, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split(' ').map(Number));
    // Partition 0: its batch failed once (flaky) and passed on the retry; never run one at a time.
    const zero = runs.filter((r) => r[0] === 0);
    expect(zero.length).toBe(2);
    expect(zero.every((r) => r[3] === 10)).toBe(true);
    // Partition 1: the batch 3 times (--retries 2), then one record at a time up to the bad one,
    // 3 times alone, then the rest as one batch.
    expect(runs.filter((r) => r[0] === 1).map((r) => `${r[1]}-${r[2]}`)).toEqual([
      '0-9',
      '0-9',
      '0-9',
      '0-0',
      '1-1',
      '2-2',
      '3-3',
      '4-4',
      '4-4',
      '4-4',
      '5-9',
    ]);
    const dead = [];
    for await (const m of samsa.consumer().partition({ topic: dlt, partition: 0, follow: false })) dead.push(m);
    expect(dead.map((m) => m.value?.toString())).toEqual(['bad']);
    const headers = Object.fromEntries((dead[0]?.headers ?? []).map((h) => [h.key, h.value.toString()]));
    expect(headers).toMatchObject({ 'samsa.dlt.original.partition': '1', 'samsa.dlt.original.offset': '4', 'samsa.dlt.attempts': '3' });
    expect(headers['samsa.dlt.error.message']).toMatch(/exited with code 3/);
  });
});
