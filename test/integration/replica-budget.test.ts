/**
 * Issue 18, first part, through real processes: etcd, a controller and three brokers started
 * under `prlimit --nofile=256:256` (soft and hard: the broker cannot raise it), with the
 * controller's per-broker replica budget at 300.
 *
 * - More partitions than the budget is refused with POLICY_VIOLATION / FAILED_PRECONDITION, and
 *   nothing is created.
 * - Up to the budget (300 replicas on each broker: 3 x 300 segment files, far above 256
 *   descriptors, the old code's EMFILE) every partition is still served: one record produced with
 *   acks=all to each and read back from each; every broker stays registered, under its limit, and
 *   its log shows no EMFILE.
 * - Restarts, clean and kill -9, host the replicas without opening them where that is safe, and
 *   every partition is served throughout (automatic preferred-leader moves on).
 * - Replicas not used for SAMSA_REPLICA_IDLE_CLOSE_MS close their files again (ADR 0051) and
 *   serve as before when used.
 */
import { describe, expect, it, afterAll, vi } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Samsa } from '../../libs/client/index.js';
import { SamsaError } from '../../libs/errors/index.js';
import { startCluster, uniqueName } from '../harness/cluster.js';

const FD_LIMIT = 256;
const BUDGET = 300;
const IDLE_CLOSE_MS = 4_000;
const cluster = await startCluster({
  name: 'replica-budget',
  brokers: 3,
  controllers: 1,
  // Automatic preferred-leader moves stay on: the restart case writes right after broker 3 returns,
  // while leadership moves back to it under the writes (a run once saw a record written twice
  // then: a leader move during a follower's copy, fixed in 60cb75b). They were off for a while
  // (2724e45) for an EMFILE blamed on them; its cause was the shutdown's clean-shutdown markers,
  // written outside the log-file pool for all 300 logs at once (see the restart case).
  env: {
    SAMSA_MAX_REPLICAS_PER_BROKER: String(BUDGET),
    SAMSA_LOG_LEVEL: 'info',
    // Replicas not used for 4 s close their files again (the last case); in the cases before, the
    // restarts and writes meet replicas closed that way too.
    SAMSA_REPLICA_IDLE_CLOSE_MS: String(IDLE_CLOSE_MS),
  },
  // prlimit sets both limits and execs node in its place (same pid, signals and stdin).
  placement: (kind) =>
    kind === 'broker' ? { host: '127.0.0.1', wrapper: ['prlimit', `--nofile=${FD_LIMIT}:${FD_LIMIT}`, '--'] } : undefined,
});
const samsa = new Samsa({
  bootstrap: cluster.brokers.map((b) => b.address),
  retry: { retries: 30, initialDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 60_000 },
});
afterAll(async () => {
  await samsa.close();
});

/** The SamsaError a request was refused with, and the gRPC status code it arrived as. */
async function refusal(p: Promise<unknown>): Promise<{ reason: string; message: string; code: number | undefined }> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof SamsaError)) throw err;
    const cause: unknown = err.cause;
    const code = typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'number' ? cause.code : undefined;
    return { reason: err.reason, message: err.message, code };
  }
  throw new Error('expected the request to be refused');
}

function brokerLog(id: number): string {
  return readFileSync(join(cluster.dir, 'logs', `broker-${id}.log`), 'utf8');
}

/** Descriptors the process holds now, and its soft open-files limit, from /proc. */
function fdsOf(pid: number): { open: number; soft: number } {
  const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
  const soft = Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1]);
  return { open: readdirSync(`/proc/${pid}/fd`).length, soft };
}

/** What the brokers' log-file pool gets under FD_LIMIT (services/broker/fd-limit.ts: the limit less a reserve of 128). */
const LOG_FILE_POOL = FD_LIMIT - 128;
/** The topics the budget case created (the restart case reuses them and their records). */
let created: { many: string; small: string } | undefined;

/** Replicas a broker's log says it hosted without opening their files. */
function lazilyHosted(log: string): number {
  let n = 0;
  for (const line of log.split('\n'))
    if (line.includes('hosting replicas without opening their files')) n += Number(/"replicas":(\d+)/.exec(line)?.[1] ?? 0);
  return n;
}

/** Waits until broker `id`'s log, from character `from` on, says it hosted all BUDGET replicas lazily. */
async function waitHostedLazily(id: number, from: number): Promise<void> {
  await vi.waitFor(() => expect(lazilyHosted(brokerLog(id).slice(from))).toBe(BUDGET), { timeout: 60_000, interval: 200 });
}

function pidOf(id: number): number {
  const pid = cluster.broker(id).pid;
  if (pid === undefined) throw new Error(`broker ${id} has no pid`);
  return pid;
}

async function waitFullIsr(topics: string[]): Promise<void> {
  await vi.waitFor(
    async () => {
      for (const t of await samsa.admin().describeTopics(topics))
        for (const p of t.partitions) expect(p.isr.length, `${t.name}-${p.partition}`).toBe(3);
    },
    { timeout: 120_000, interval: 500 },
  );
}

/**
 * One record (acks=all) to every partition of the budget's topics, then every partition read back
 * from the start: `round` + 1 records each, in order.
 */
async function produceOneToEach(round: number): Promise<void> {
  if (!created) throw new Error('the budget case did not create its topics');
  const { many, small } = created;
  const targets = [
    ...Array.from({ length: BUDGET - 10 }, (_, p) => ({ topic: many, partition: p })),
    ...Array.from({ length: 10 }, (_, p) => ({ topic: small, partition: p })),
  ];
  const value = (topic: string, partition: number, r: number): string => `${topic}/${partition}/${r}`;
  const producer = samsa.producer({ acks: 'all' });
  try {
    // 16 partitions at a time: enough to make the brokers open and evict files concurrently.
    for (let i = 0; i < targets.length; i += 16) {
      await Promise.all(
        targets.slice(i, i + 16).map(async ({ topic, partition }) => {
          const [meta] = await producer.send({ topic, messages: [{ value: value(topic, partition, round), partition }] });
          expect(meta?.baseOffset).toBe(round);
        }),
      );
    }
  } finally {
    await producer.close();
  }
  for (let i = 0; i < targets.length; i += 16) {
    await Promise.all(
      targets.slice(i, i + 16).map(async ({ topic, partition }) => {
        const values: string[] = [];
        for await (const m of samsa.consumer().partition({ topic, partition, from: 'earliest', follow: false }))
          values.push(Buffer.from(m.value ?? Buffer.alloc(0)).toString());
        expect(values).toEqual(Array.from({ length: round + 1 }, (_, r) => value(topic, partition, r)));
      }),
    );
  }
}

describe('per-broker replica budget under a low descriptor limit', () => {
  it('refuses a topic that would put more replicas on a broker than the budget, with a clear FAILED_PRECONDITION', async () => {
    const name = uniqueName('over');
    const err = await refusal(samsa.admin().createTopic({ name, partitions: BUDGET + 1, replicationFactor: 3 }));
    expect(err.reason).toBe('POLICY_VIOLATION');
    expect(err.message).toMatch(
      new RegExp(`would put ${BUDGET + 1} partition replicas on broker \\d .*at most ${BUDGET} \\(SAMSA_MAX_REPLICAS_PER_BROKER`),
    );
    expect(err.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(await samsa.admin().listTopics()).not.toContain(name);
  });

  it('serves every partition of topics created up to the budget, and refuses one more', async () => {
    const many = uniqueName('many');
    const small = uniqueName('small');
    await samsa.admin().createTopic({ name: many, partitions: BUDGET - 10, replicationFactor: 3, config: { 'min.insync.replicas': '2' } });
    await samsa.admin().createTopic({ name: small, partitions: 10, replicationFactor: 3, config: { 'min.insync.replicas': '2' } });
    created = { many, small };
    // Every replica hosted without opening a file: nothing was written yet (ADR 0051).
    for (const b of cluster.brokers) await waitHostedLazily(b.spec.id, 0);
    await waitFullIsr([many, small]);
    for (const b of cluster.brokers) expect(fdsOf(pidOf(b.spec.id)).open).toBeLessThan(LOG_FILE_POOL);
    // The budget counts what brokers already host: one more partition anywhere is refused.
    const more = await refusal(samsa.admin().createPartitions(small, 11));
    expect(more.reason).toBe('POLICY_VIOLATION');
    expect(more.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(more.message).toMatch(/\(it hosts 300 now\)/);

    await produceOneToEach(0);

    const md = await samsa.admin().describeCluster();
    expect(md.brokers.map((b) => b.id).sort((a, b) => a - b)).toEqual([1, 2, 3]);
    for (const b of cluster.brokers) {
      const pid = b.pid;
      if (pid === undefined) throw new Error(`broker ${b.spec.id} has no pid`);
      const { open, soft } = fdsOf(pid);
      expect(soft).toBe(FD_LIMIT);
      expect(open).toBeLessThan(FD_LIMIT);
      const log = brokerLog(b.spec.id);
      expect(log).not.toMatch(/EMFILE/);
      expect(log).toMatch(/open-files limit/);
      expect(log).not.toMatch(/recovered log after unclean shutdown/);
    }
  });

  // Two restarts and two rounds of 300 acknowledged writes and reads: 45-55 s here at load ~10, over the
  // project's 120 s at load 16 (one run, 2026-12-03, beside a full CI): a bound, not a measure.
  it('a broker restarted cleanly hosts its replicas from its shutdown summaries without opening them; after kill -9 it recovers them or hosts them from its recovery checkpoint; every partition is served throughout', async () => {
    if (!created) throw new Error('the budget case did not create its topics');
    const topics = [created.many, created.small];
    const broker = cluster.broker(3);
    const logLength = brokerLog(3).length;
    await broker.restart();
    await waitHostedLazily(3, logLength);
    await waitFullIsr(topics);
    const afterClean = brokerLog(3).slice(logLength);
    expect(afterClean).toMatch(/"cleanStart":true/);
    expect(afterClean).not.toMatch(/partition replica open/);
    expect(fdsOf(pidOf(3)).open).toBeLessThan(LOG_FILE_POOL);
    await produceOneToEach(1);

    const beforeCrash = brokerLog(3).length;
    // Every log was closed cleanly (its marker written inside the descriptor budget), so none is
    // recovered when first used after the clean restart. The markers used to be written outside the
    // pool, all 300 at once: most failed with EMFILE, silently, and those logs were recovered here
    // (193 of 300 in one run), and a periodic fsync beside them failed (the CI's EMFILE).
    const cleanRun = brokerLog(3).slice(logLength, beforeCrash);
    expect(cleanRun).not.toMatch(/recovered log after unclean shutdown/);
    expect(cleanRun).not.toMatch(/could not close the log cleanly/);
    await broker.kill9();
    await broker.start();
    await waitFullIsr(topics);
    const afterCrash = brokerLog(3).slice(beforeCrash);
    // No shutdown summaries after a crash: a replica is hosted without opening its files only when the
    // recovery checkpoint vouches for it (ADR 0054: written every 5 s for replicas fsynced as summarized,
    // so whether it covers the last writes depends on when the kill comes); every other replica with files
    // is opened, its tail checked, before it is hosted. Every replica is hosted one way or the other.
    const opened = afterCrash.match(/partition replica open/g)?.length ?? 0;
    expect(
      lazilyHosted(afterCrash) + opened,
      'replicas hosted from the recovery checkpoint + replicas opened and recovered',
    ).toBeGreaterThanOrEqual(BUDGET);
    await produceOneToEach(2);
    for (const b of cluster.brokers) expect(brokerLog(b.spec.id)).not.toMatch(/EMFILE/);
  }, 300_000);

  it('replicas not used for SAMSA_REPLICA_IDLE_CLOSE_MS close their files again, and serve as before when used', async () => {
    // Where each broker's log stands after the writes and reads of the cases before.
    const from = new Map(cluster.brokers.map((b) => [b.spec.id, brokerLog(b.spec.id).length]));
    /** The replicas with open logs a broker last reported after closing idle ones (since `from`). */
    const stillOpen = (id: number): number | undefined => {
      const lines = brokerLog(id)
        .slice(from.get(id))
        .split('\n')
        .filter((l) => l.includes('closed the files of replicas not used lately'));
      const last = lines.at(-1);
      return last === undefined ? undefined : Number(/"stillOpen":(\d+)/.exec(last)?.[1]);
    };
    // Every partition was written and read in the last case: every replica's log was open on every broker.
    for (const b of cluster.brokers) await vi.waitFor(() => expect(stillOpen(b.spec.id)).toBe(0), { timeout: 60_000, interval: 500 });
    await produceOneToEach(3);
    for (const b of cluster.brokers) {
      const log = brokerLog(b.spec.id).slice(from.get(b.spec.id));
      expect(log).not.toMatch(/EMFILE|recovered log after unclean shutdown|could not close the log cleanly/);
      expect(log, 'reopened from the summary they closed with').not.toMatch(/the files hold .* not the .* this replica was hosted with/);
    }
  }, 240_000);
});
