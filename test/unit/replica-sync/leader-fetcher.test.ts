/**
 * The follower's fetch loop (LeaderFetcher) against a real leader (ReplicationService on a real
 * gRPC server in this process, over a ReplicaManager on real logs in temp dirs).
 *
 * The case: right after a leader change, the stream to the previous leader may still be
 * appending to a partition when the stream to the new leader sends its request with the old log
 * end. The new leader's answer is then about a position the log no longer has. It must be asked
 * again at once, not applied (that failed the append and set the partition aside for 300 ms,
 * while every acks=all write on the new leader waited for this follower: part of a controlled
 * shutdown's write gap, docs/benchmarks.md Failover).
 */
import { describe, it, expect, afterEach } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { PartitionLog, DEFAULT_LOG_CONFIG, ReadBufferPool } from '../../../libs/log/index.js';
import { buildBatch, validatedBatch, type ValidatedBatch } from '../../../libs/record/index.js';
import { ReplicaManager, type Partition } from '../../../libs/replica/index.js';
import { replicationHandlers } from '../../../services/broker/handlers/replicate.js';
import { LeaderFetcher } from '../../../libs/replica-sync/leader-fetcher.js';
import { ReassignmentThrottle } from '../../../libs/replica-sync/reassignment-throttle.js';
import { LeaderSession } from '../../../libs/replica-sync/fetch-session.js';
import { ManualClock } from '../../../libs/runtime/index.js';
import { createServer, bindServer, loadSamsaProto, DEFAULT_RPC_LIMITS, type v1 } from '../../../libs/rpc/index.js';
import { FakeView, partitionState, silentLogger, tempDir, topicRecord, TEST_INCARNATION } from '../replica/helpers.js';

const LEADER = 2;
const FOLLOWER = 1;
const batch = (v: string): ValidatedBatch => validatedBatch(buildBatch([{ value: Buffer.from(v) }], { nowMs: 1 }));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(what: string, condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (condition()) return;
    await sleep(5);
  }
  throw new Error(`never happened: ${what}`);
}

/** A replica manager of broker `id` hosting t-0 as `state` says, registered as TEST_INCARNATION. */
const dataDirs = new Map<number, string>();

async function broker(id: number, view: FakeView, clock?: ManualClock): Promise<ReplicaManager> {
  const tmp = tempDir(`fetcher-${id}`);
  dataDirs.set(id, tmp.dir);
  cleanups.push(() => tmp.remove());
  const manager = await ReplicaManager.start({
    brokerId: id,
    dataDir: tmp.dir,
    view,
    logger: silentLogger,
    retentionCheckMs: 0,
    ...(clock ? { clock } : {}),
  });
  manager.setIncarnation(TEST_INCARNATION);
  cleanups.push(() => manager.close());
  return manager;
}

async function hosted(manager: ReplicaManager): Promise<Partition> {
  const p = await manager.partition('t', 0);
  if (!p) throw new Error('t-0 not hosted');
  return p;
}

/**
 * The leader's ReplicationService on a real gRPC server; `seen` gets every request it receives.
 * `legacy`: it behaves as a leader built before incremental sessions (ADR 0058): it reads every
 * request as a full list (the fields it did not know are dropped) and never sets `session`.
 */
async function leaderServer(
  replicas: ReplicaManager,
  seen?: (request: v1.ReplicaFetchRequest__Output) => void,
  legacy = false,
): Promise<number> {
  const shutdown = new AbortController();
  const server = createServer();
  const handlers = replicationHandlers({
    brokerId: LEADER,
    replicas,
    logger: silentLogger,
    shutdown: shutdown.signal,
    maxMessageBytes: DEFAULT_RPC_LIMITS.maxMessageBytes,
    brokerEpochOf: () => TEST_INCARNATION,
    readBuffers: new ReadBufferPool(),
  });
  if (seen || legacy) {
    const serve = handlers.Replicate.bind(handlers);
    handlers.Replicate = (call) => {
      const iterator = call.iterator.bind(call);
      call.iterator = ((options?: { destroyOnReturn?: boolean }) =>
        (async function* () {
          for await (const request of iterator(options) as AsyncIterable<v1.ReplicaFetchRequest__Output>) {
            seen?.(request);
            yield legacy ? { ...request, incremental: false, forgotten: [] } : request;
          }
        })()) as typeof call.iterator;
      if (legacy) {
        const write = call.write.bind(call);
        call.write = ((response: v1.ReplicaFetchResponse, ...rest: unknown[]) =>
          (write as (...args: unknown[]) => boolean)({ partitions: response.partitions }, ...rest)) as typeof call.write;
      }
      return serve(call);
    };
  }
  server.addService(loadSamsaProto().proto.samsa.v1.ReplicationService.service, handlers);
  const port = await bindServer(server, '127.0.0.1', 0, grpc.ServerCredentials.createInsecure());
  cleanups.push(() => {
    shutdown.abort();
    server.forceShutdown();
  });
  return port;
}

/**
 * Two partitions t-0 and u-0 led by broker 2, both in sync with broker 1, nothing written; a
 * LeaderFetcher on broker 1 follows both through a leader server (`legacy`: see leaderServer) with
 * short parks, so idle exchanges come fast. `sent` gets the partition count of every request.
 */
async function idlePair(options: { leaderClock?: ManualClock; legacy?: boolean } = {}) {
  const leaderView = new FakeView();
  const followerView = new FakeView();
  for (const view of [leaderView, followerView]) {
    for (const t of ['t', 'u']) {
      view.setTopic(topicRecord(t, 1));
      view.setPartition(partitionState(t, 0, LEADER, [LEADER, FOLLOWER], 0, [LEADER, FOLLOWER]));
    }
  }
  const leaderReplicas = await broker(LEADER, leaderView, options.leaderClock);
  const followerReplicas = await broker(FOLLOWER, followerView);
  const leaderT = await hosted(leaderReplicas);
  const followerT = await hosted(followerReplicas);
  const followerU = await followerReplicas.partition('u', 0);
  if (!followerU) throw new Error('u-0 not hosted');
  const sent: number[] = [];
  const port = await leaderServer(leaderReplicas, (request) => sent.push(request.partitions.length), options.legacy);
  const fetcher = new LeaderFetcher(LEADER, {
    brokerId: FOLLOWER,
    maxBytes: 1 << 20,
    // Short parks: many idle exchanges.
    maxWaitMs: 20,
    limits: DEFAULT_RPC_LIMITS,
    logger: silentLogger,
    addressOf: () => `127.0.0.1:${port}`,
    brokerEpochOf: () => TEST_INCARNATION,
  });
  cleanups.push(() => fetcher.close());
  fetcher.setPartitions([followerT, followerU]);
  return { leaderReplicas, leaderT, followerT, followerU, sent };
}

describe('LeaderFetcher', () => {
  it("asks again at once when its log moved while the request was out (the previous leader's late append)", async () => {
    // Epoch 0: broker 2 leads alone and writes offset 0; broker 1 copies it.
    const epoch0 = partitionState('t', 0, LEADER, [LEADER], 0, [LEADER, FOLLOWER]);
    const leaderView = new FakeView();
    const followerView = new FakeView();
    for (const view of [leaderView, followerView]) {
      view.setPartition(epoch0);
      view.setTopic(topicRecord('t', 1));
    }
    const leaderReplicas = await broker(LEADER, leaderView);
    const leader = await hosted(leaderReplicas);
    const follower = await hosted(await broker(FOLLOWER, followerView));
    await leader.append(batch('a'), { acks: 'leader', minInsyncReplicas: 1 });
    const offset0 = (await leader.readForFollower(0, 1 << 20)).bytes;
    await follower.appendAsFollower(offset0, 0, 0);

    // What the stream to the previous leader still had in flight: a batch at offset 1 of epoch 0
    // that broker 2 never got (made in a scratch log, as that leader would have written it).
    const scratch = tempDir('fetcher-old-leader');
    cleanups.push(() => scratch.remove());
    const oldLeaderLog = await PartitionLog.open(
      scratch.dir,
      { ...DEFAULT_LOG_CONFIG, fsync: { mode: 'never' } } as typeof DEFAULT_LOG_CONFIG,
      {
        logger: silentLogger,
      },
    );
    cleanups.push(() => oldLeaderLog.close());
    await oldLeaderLog.appendAsFollower(offset0);
    await oldLeaderLog.appendAsLeader(batch('late'), 0);
    const late = (await oldLeaderLog.read(1, 1 << 20)).bytes;

    // Epoch 1: broker 2 leads again with broker 1 in its ISR.
    const epoch1 = partitionState('t', 0, LEADER, [LEADER, FOLLOWER], 1, [LEADER, FOLLOWER]);
    leaderView.setPartition(epoch1);
    followerView.setPartition(epoch1);

    const port = await leaderServer(leaderReplicas);

    const lines: { msg?: string; level?: number }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as { msg?: string; level?: number });
        done();
      },
    });
    const fetcher = new LeaderFetcher(LEADER, {
      brokerId: FOLLOWER,
      maxBytes: 1 << 20,
      maxWaitMs: 5_000,
      limits: DEFAULT_RPC_LIMITS,
      logger: pino({ level: 'debug' }, sink),
      addressOf: () => `127.0.0.1:${port}`,
      brokerEpochOf: () => TEST_INCARNATION,
    });
    cleanups.push(() => fetcher.close());
    fetcher.setPartitions([follower]);

    // The follower is caught up, knows the HW, and its next request is parked at the leader.
    await until('the follower caught up and parked', () => follower.highWatermark === 1 && leader.waiterCount > 0);
    // The late append lands; then the leader takes a write, which answers the parked request
    // with data from offset 1, where the follower's log no longer ends.
    await follower.appendAsFollower(late, 1, 1);
    expect(follower.logEndOffset).toBe(2);
    await leader.append(batch('b'), { acks: 'leader', minInsyncReplicas: 1 });

    // The follower drops the late batch (it diverges from the new leader's epoch 1: KIP-101)
    // and ends up with the leader's log, byte for byte.
    const segment = (id: number): Buffer => readFileSync(join(dataDirs.get(id) as string, 't-0', '00000000000000000000.log'));
    await until('the follower converged', () => follower.highWatermark === 2 && segment(FOLLOWER).equals(segment(LEADER)));
    expect(lines.filter((l) => l.msg === 'applying replicated data failed; retrying shortly')).toEqual([]);
    expect(lines.some((l) => l.msg === 'log moved while the fetch was out; asking again')).toBe(true);
  });
  it('a throttled copy is not held back by an idle partition on the same stream: no request parks past the moment the throttle lets it ask again', async () => {
    // t-0 is being added here (broker 1) at 100 KB/s and has 30 batches of 10 KB to copy; u-0 is
    // in sync and idle. While t-0 waits for its bucket, requests carry u-0 alone, and the leader
    // parks those (nothing new) for up to their max wait: 5 s here. They must not wait past the
    // moment t-0 may ask again (a deficit of at most one batch at 100 KB/s: ~100 ms).
    const rate = 100_000;
    const adding = {
      ...partitionState('t', 0, LEADER, [LEADER], 0, [LEADER, FOLLOWER]),
      reassignment: { target: [LEADER, FOLLOWER], original: [LEADER], throttleBytesPerSecond: rate, startedAtMs: 0 },
    };
    const idle = partitionState('u', 0, LEADER, [LEADER, FOLLOWER], 0, [LEADER, FOLLOWER]);
    const leaderView = new FakeView();
    const followerView = new FakeView();
    for (const view of [leaderView, followerView]) {
      view.setTopic(topicRecord('t', 1));
      view.setTopic(topicRecord('u', 1));
      view.setPartition(adding);
      view.setPartition(idle);
    }
    const leaderReplicas = await broker(LEADER, leaderView);
    const followerReplicas = await broker(FOLLOWER, followerView);
    const leaderT = await leaderReplicas.partition('t', 0);
    const followerT = await followerReplicas.partition('t', 0);
    const followerU = await followerReplicas.partition('u', 0);
    if (!leaderT || !followerT || !followerU) throw new Error('t-0 and u-0 not hosted');
    const batchBytes = 10_000;
    for (let i = 0; i < 30; i++) {
      await leaderT.append(validatedBatch(buildBatch([{ value: Buffer.alloc(batchBytes, 'x') }], { nowMs: 1 })), {
        acks: 'leader',
        minInsyncReplicas: 1,
      });
    }

    // Every request the leader receives, with the partitions it asks about: what the leader's
    // session holds after it (an incremental request lists only changes).
    const requests: { partitions: string[]; maxWaitMs: number; tCopied: number }[] = [];
    const session = new LeaderSession<never>();
    // The follower's time (its fetcher's and its bucket's) moves 20 ms per exchange, not with the
    // wall clock: on a loaded machine an exchange can outlast the bucket's refill of a batch
    // (100 ms), and then no request would ever find the bucket empty.
    const followerClock = new ManualClock(1_000_000);
    const port = await leaderServer(leaderReplicas, (request) => {
      followerClock.advance(20);
      session.apply(request);
      requests.push({
        partitions: [...session.positions().values()].map((p) => `${p.topic}-${p.partition}`),
        maxWaitMs: request.maxWaitMs,
        tCopied: followerT.logEndOffset,
      });
    });
    const fetcher = new LeaderFetcher(LEADER, {
      brokerId: FOLLOWER,
      maxBytes: 1 << 20,
      maxWaitMs: 5_000,
      limits: DEFAULT_RPC_LIMITS,
      logger: silentLogger,
      addressOf: () => `127.0.0.1:${port}`,
      brokerEpochOf: () => TEST_INCARNATION,
      throttle: new ReassignmentThrottle(followerClock),
      clock: followerClock,
    });
    cleanups.push(() => fetcher.close());
    fetcher.setPartitions([followerT, followerU]);

    await until('t-0 copied', () => followerT.logEndOffset === 30);
    const withoutT = requests.filter((r) => r.tCopied < 30 && !r.partitions.includes('t-0'));
    expect(withoutT.length, 'requests sent while t-0 waited for its bucket').toBeGreaterThan(0);
    // The bucket's deficit after a fetch is at most one batch (plus the byte it asked for).
    const bound = Math.ceil(((batchBytes + 200) / rate) * 1000) + 1;
    expect(withoutT.filter((r) => r.maxWaitMs > bound)).toEqual([]);
    // And t-0 was never left out while its bucket held bytes: it rides every other request.
    expect(requests.filter((r) => r.tCopied < 30 && r.partitions.includes('t-0')).length).toBeGreaterThan(5);
  });

  it('an idle stream sends no positions after its first request, yet the leader keeps every follower in sync and new data flows', async () => {
    // The leader's follower-lag clock moves only when told.
    const clock = new ManualClock(1_000_000);
    const { leaderReplicas, leaderT, followerT, followerU, sent } = await idlePair({ leaderClock: clock });

    await until('20 exchanges', () => sent.length >= 20);
    // The first request lists both; every later one nothing (nothing changed).
    expect(sent[0]).toBe(2);
    expect(sent.slice(1, 20)).toEqual(Array.from({ length: 19 }, () => 0));
    // The leader still counts the follower caught up on both: the unchanged position it holds is
    // a fetch at the log end, every exchange. 10 s pass on the leader's clock, then two more
    // exchanges (the second one's request is read only after the first was answered).
    const isrCheck = { lagTimeMaxMs: 5_000, admittedEpochOf: () => TEST_INCARNATION };
    clock.advance(10_000);
    const after = sent.length;
    await until('two more exchanges', () => sent.length >= after + 2);
    expect(leaderT.proposeIsr(isrCheck)).toBeUndefined();
    expect((await leaderReplicas.partition('u', 0))?.proposeIsr(isrCheck)).toBeUndefined();
    // New data flows, and acks=all completes: the follower's changed position reaches the leader.
    await leaderT.append(batch('a'), { acks: 'all', minInsyncReplicas: 2, timeoutMs: 10_000 });
    await until('the follower has the record and the HW', () => followerT.logEndOffset === 1 && followerT.highWatermark === 1);
    expect(followerU.logEndOffset).toBe(0);
  });
  it('with a leader that predates sessions (a rolling upgrade), every request lists every position and an unchanged partition still gets its data', async () => {
    const { leaderT, followerT, followerU, sent } = await idlePair({ legacy: true });

    await until('10 exchanges', () => sent.length >= 10);
    // Full lists throughout: the old leader holds only what each request names.
    expect(sent.slice(0, 10)).toEqual(Array.from({ length: 10 }, () => 2));
    // t's follower position has not changed since the first request; its new data must still come.
    await leaderT.append(batch('a'), { acks: 'all', minInsyncReplicas: 2, timeoutMs: 10_000 });
    await until('the follower has the record and the HW', () => followerT.logEndOffset === 1 && followerT.highWatermark === 1);
    expect(followerU.logEndOffset).toBe(0);
  });
});
