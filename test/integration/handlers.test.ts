/**
 * Handler-style consumption (run()) of both consumers against real processes (etcd, a controller,
 * two brokers, one group coordinator): partitions handled concurrently with their order kept, a
 * slow partition holding back only itself, handler failures stopping, retrying or dead-lettering
 * only their partition with nothing committed past the failed record, and handlers in worker
 * threads. Concurrency is asserted as the overlap the handlers observe, never as elapsed time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Samsa, type EachMessagePayload, type GroupConsumer, type Consumer, type RunOptions } from '../../libs/client/index.js';
import { Child, waitUntil } from '../../tools/launcher/index.js';
import { startCluster, tempDir, uniqueName } from '../harness/cluster.js';

const cluster = await startCluster({ name: 'handlers', brokers: 2, coordinators: 1 });
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
      if (kind === 'assigned') {
        // Fetched for partition 0: the chunk in hand, one queued, one pulled before the hold: a few
        // 4 KiB chunks (~30 records each), not the 400 records the others went through.
        const position = (consumer as Consumer).position({ topic, partition: 0 }) ?? 0;
        expect(position).toBeLessThan(200);
      }
      unblock();
      await waitUntil(() => (seen.offsets.get(0)?.length ?? 0) === 400, 120_000, 'partition 0 handled once released');
      seen.inOrder(0, 400);
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
        args: [EXAMPLE, cluster.bootstrap, topic, groupId, '2'],
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
});
