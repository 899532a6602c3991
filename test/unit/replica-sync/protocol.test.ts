/**
 * The replication protocol in one process, on real logs in temp dirs: three Partition replicas,
 * the leader's answer (checkPosition, readPosition) and the follower's apply (applyPartitionData)
 * of libs/replica-sync/exchange.ts, the same functions the Replicate stream runs for each
 * partition, without the network. The property test throws random histories of appends, partial
 * replication and leader changes at it and checks KIP-101's promise: every record that was ever
 * below the leader's high watermark stays at its offset, and once everyone has caught up the three
 * logs are byte-identical. The same histories run again over incremental fetch sessions
 * (fetch-session.ts: only changed positions sent, the leader answering from what it holds), with
 * streams kept across leader changes and broken at random, as LeaderFetcher runs them.
 */
import { describe, it, expect, afterEach } from 'vitest';
import fc from 'fast-check';
import { PartitionLog, DEFAULT_LOG_CONFIG } from '../../../libs/log/index.js';
import { buildBatch, decodeRecordsFrom, validatedBatch, type ValidatedBatch } from '../../../libs/record/index.js';
import { Partition, FollowerTracker } from '../../../libs/replica/index.js';
import { applyPartitionData, checkPosition, readPosition } from '../../../libs/replica-sync/exchange.js';
import { FollowerSession, LeaderSession, positionKey } from '../../../libs/replica-sync/fetch-session.js';
import type { v1 } from '../../../libs/rpc/index.js';
import { hasReason } from '../../../libs/errors/index.js';
import type { PartitionState } from '../../../libs/cluster/index.js';
import { silentLogger, tempDir } from '../replica/helpers.js';

const IDS = [1, 2, 3] as const;
/** Every broker of these tests runs as this incarnation, and every state names it for its leader. */
const INCARNATION = 7;

interface Replica {
  id: number;
  log: PartitionLog;
  partition: Partition;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Partition t-0 led by broker 1 (this incarnation) at epoch 0, replicas and ISR 1, 2, 3; `changes` on top. */
function stateOf(changes: Partial<PartitionState> = {}): PartitionState {
  return {
    topic: 't',
    partition: 0,
    leader: 1,
    leaderEpoch: 0,
    partitionEpoch: 0,
    replicas: [1, 2, 3],
    isr: [1, 2, 3],
    leaderBrokerEpoch: INCARNATION,
    ...changes,
  };
}

async function replicas(state: PartitionState): Promise<Replica[]> {
  const tmp = tempDir('protocol');
  cleanups.push(tmp.remove);
  const out: Replica[] = [];
  for (const id of IDS) {
    const log = await PartitionLog.open(
      `${tmp.dir}/r${id}`,
      { ...DEFAULT_LOG_CONFIG, fsync: { mode: 'never' } } as typeof DEFAULT_LOG_CONFIG,
      { logger: silentLogger },
    );
    const partition = new Partition({
      topic: 't',
      partition: 0,
      topicId: 'id',
      localBrokerId: id,
      localBrokerEpoch: INCARNATION,
      log,
      state,
    });
    out.push({ id, log, partition });
  }
  cleanups.push(async () => {
    for (const r of out) await r.log.close();
  });
  return out;
}

/**
 * The leader's answer to `position` (checkPosition, then readPosition when that left nothing to
 * answer), as the follower receives it: proto3 decoding fills what the leader left unset.
 */
async function leaderAnswer(
  leader: Partition,
  followerId: number,
  position: v1.ReplicaPartitionPosition__Output,
  maxBytes: number,
): Promise<v1.ReplicaPartitionData__Output> {
  const checked = checkPosition(leader.leaderId, leader, { id: followerId, brokerEpoch: INCARNATION }, position);
  let answer = checked.answer;
  if (!answer) {
    const read = await readPosition(leader, followerId, position, maxBytes);
    answer = read.ok ? read.data : read.refusal;
  }
  return { errorReason: '', errorMessage: '', batches: Buffer.alloc(0), traceContext: {}, ...answer } as v1.ReplicaPartitionData__Output;
}

/**
 * One round of the follower's loop against the leader, through the functions the Replicate stream
 * runs for each partition (libs/replica-sync/exchange.ts): the leader's check and read, the
 * follower's apply. Returns true when the follower is caught up (nothing to fetch, nothing to
 * truncate). A refusal fails the test: in these histories every fetch follows the current epoch.
 */
async function fetchOnce(leader: Partition, follower: Partition, followerId: number, maxBytes: number): Promise<boolean> {
  const epoch = follower.leaderEpoch;
  const position = {
    topic: follower.topic,
    partition: follower.partition,
    fetchOffset: follower.logEndOffset,
    lastFetchedEpoch: follower.latestEpoch,
    currentLeaderEpoch: epoch,
    maxBytes: 0,
  };
  const received = await leaderAnswer(leader, followerId, position, maxBytes);
  const outcome = await applyPartitionData(follower, received, epoch, leader.leaderId, silentLogger);
  if (outcome.kind === 'refused') throw new Error(`leader refused: ${outcome.reason} ${outcome.message}`);
  return outcome.kind === 'applied' && outcome.bytes === 0;
}

/** Both halves of one Replicate stream's session (follower -> leader broker), as the two ends hold them. */
interface Stream {
  follower: FollowerSession;
  leader: LeaderSession<Partition>;
}

/**
 * fetchOnce over a stream's incremental session: the follower sends only a changed position (the
 * first request of a stream: all), the leader checks and answers about what it holds, and the
 * follower applies the answer against the position the leader held, skipping it (as
 * LeaderFetcher.apply does) when its epoch or log moved since.
 */
async function fetchViaSession(
  streams: Map<string, Stream>,
  leader: Partition,
  follower: Partition,
  followerId: number,
  maxBytes: number,
): Promise<boolean> {
  const streamKey = `${followerId}->${leader.leaderId}`;
  let stream = streams.get(streamKey);
  if (!stream) streams.set(streamKey, (stream = { follower: new FollowerSession(), leader: new LeaderSession<Partition>() }));
  const key = positionKey(follower.topic, follower.partition);
  stream.follower.begin();
  stream.follower.want(key, follower.topic, follower.partition, follower.logEndOffset, follower.latestEpoch, follower.leaderEpoch, 0);
  const request = stream.follower.end();
  // proto3 decoding on the leader: every field set.
  stream.leader.apply({ ...request, forgotten: request.forgotten.map((f) => ({ topic: f.topic ?? '', partition: f.partition ?? 0 })) });
  const held = stream.leader.held();
  expect(held).toHaveLength(1);
  const position = (held[0] as { position: v1.ReplicaPartitionPosition__Output }).position;
  const received = await leaderAnswer(leader, followerId, position, maxBytes);
  const asked = stream.follower.position(key);
  if (!asked || asked.currentLeaderEpoch !== follower.leaderEpoch || asked.fetchOffset !== follower.logEndOffset) return false;
  const outcome = await applyPartitionData(follower, received, asked.currentLeaderEpoch, leader.leaderId, silentLogger);
  if (outcome.kind === 'refused') throw new Error(`leader refused: ${outcome.reason} ${outcome.message}`);
  return outcome.kind === 'applied' && outcome.bytes === 0;
}

async function catchUp(leader: Partition, follower: Replica): Promise<void> {
  for (let i = 0; i < 200; i++) if (await fetchOnce(leader, follower.partition, follower.id, 1 << 20)) return;
  throw new Error(`follower ${follower.id} never caught up`);
}

async function allBytes(log: PartitionLog): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const r = await log.read(offset, 1 << 20);
    if (r.bytes.length === 0) break;
    parts.push(r.bytes);
    offset = r.nextOffset;
  }
  return Buffer.concat(parts);
}

function batchOf(values: string[]): ValidatedBatch {
  return validatedBatch(buildBatch(values.map((v) => ({ value: Buffer.from(v), timestampMs: 1_700_000_000_000 }))));
}

type Step =
  | { kind: 'append'; records: number }
  | { kind: 'fetch'; follower: number; maxBytes: number }
  | { kind: 'failover'; to: number }
  | { kind: 'reconnect'; follower: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), records: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('fetch' as const), follower: fc.constantFrom(...IDS), maxBytes: fc.constantFrom(1, 200, 1 << 20) }),
  fc.record({ kind: fc.constant('failover' as const), to: fc.constantFrom(...IDS) }),
);

/** With incremental sessions: also a follower's streams breaking (both ends then start over). */
const sessionStepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: stepArb },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reconnect' as const), follower: fc.constantFrom(...IDS) }) },
);

describe('replication protocol (in process, real logs)', () => {
  it('acks=all completes once both followers fetched past the batch; the HW follows the slowest ISR member', async () => {
    const state = stateOf();
    const [l, f2, f3] = (await replicas(state)) as [Replica, Replica, Replica];
    let acked = false;
    const append = l.partition
      .append(batchOf(['a', 'b', 'c']), { acks: 'all', minInsyncReplicas: 2, timeoutMs: 10_000 })
      .then(() => (acked = true));
    expect(await l.partition.waitForAppend(2)).toBe('advanced');
    await catchUp(l.partition, f2);
    // f2 has the data but the leader learns that from f2's *next* fetch position.
    await fetchOnce(l.partition, f2.partition, 2, 1 << 20);
    expect(l.partition.highWatermark).toBe(0);
    expect(acked).toBe(false);
    await catchUp(l.partition, f3);
    await fetchOnce(l.partition, f3.partition, 3, 1 << 20);
    await append;
    expect(l.partition.highWatermark).toBe(3);
    // Followers learn the HW on their next fetch.
    await fetchOnce(l.partition, f2.partition, 2, 1 << 20);
    expect(f2.partition.highWatermark).toBe(3);
  });

  it('fences a follower that follows an older epoch, and refuses a newer one it has not seen', async () => {
    const state = stateOf({ leaderEpoch: 3 });
    const [l] = (await replicas(state)) as [Replica];
    expect(() =>
      l.partition.checkFollowerFetch({
        followerBrokerEpoch: INCARNATION,
        followerId: 2,
        fetchOffset: 0,
        lastFetchedEpoch: -1,
        currentLeaderEpoch: 2,
      }),
    ).toThrow(/epoch 2/);
    try {
      l.partition.checkFollowerFetch({
        followerBrokerEpoch: INCARNATION,
        followerId: 2,
        fetchOffset: 0,
        lastFetchedEpoch: -1,
        currentLeaderEpoch: 4,
      });
      expect.unreachable();
    } catch (err) {
      expect(hasReason(err, 'NOT_LEADER_OR_FOLLOWER')).toBe(true);
    }
    expect(() =>
      l.partition.checkFollowerFetch({
        followerBrokerEpoch: INCARNATION,
        followerId: 9,
        fetchOffset: 0,
        lastFetchedEpoch: -1,
        currentLeaderEpoch: 3,
      }),
    ).toThrow(/not a replica/);
  });

  it("truncates a deposed leader's unreplicated tail to the new leader's log (KIP-101)", async () => {
    let state = stateOf();
    const [a, b, c] = (await replicas(state)) as [Replica, Replica, Replica];
    await a.partition.append(batchOf(['x0', 'x1']), { acks: 'leader', minInsyncReplicas: 1 });
    await catchUp(a.partition, b);
    await catchUp(a.partition, c);
    // a writes more that nobody copies, then loses leadership to b.
    await a.partition.append(batchOf(['lost0', 'lost1', 'lost2']), { acks: 'leader', minInsyncReplicas: 1 });
    state = { ...state, leader: 2, leaderEpoch: 1, partitionEpoch: 1 };
    for (const r of [a, b, c]) r.partition.applyState(state);
    await b.partition.append(batchOf(['y0']), { acks: 'leader', minInsyncReplicas: 1 });
    await catchUp(b.partition, a);
    await catchUp(b.partition, c);
    const values = decodeRecordsFrom(await allBytes(a.log), 0).map((r) => r.value?.toString());
    expect(values).toEqual(['x0', 'x1', 'y0']);
    expect((await allBytes(a.log)).equals(await allBytes(b.log))).toBe(true);
    expect((await allBytes(c.log)).equals(await allBytes(b.log))).toBe(true);
  });

  it('random histories of appends, partial fetches and leader changes: committed records never move, replicas converge', async () => {
    await randomHistories(stepArb, (leader, follower, id, maxBytes) => fetchOnce(leader, follower, id, maxBytes));
  });

  it('the same over incremental fetch sessions, streams kept across leader changes and broken at random', async () => {
    const streams = new Map<string, Stream>();
    await randomHistories(
      sessionStepArb,
      (leader, follower, id, maxBytes) => fetchViaSession(streams, leader, follower, id, maxBytes),
      (follower) => {
        for (const key of [...streams.keys()]) if (key.startsWith(`${follower}->`)) streams.delete(key);
      },
      () => streams.clear(),
    );
  });
});

/**
 * KIP-101's promise over random histories: every record ever below the leader's HW stays at its
 * offset, and once every follower has caught up (through `fetch`) the logs are byte-identical.
 */
async function randomHistories(
  steps: fc.Arbitrary<Step>,
  fetch: (leader: Partition, follower: Partition, followerId: number, maxBytes: number) => Promise<boolean>,
  reconnect: (follower: number) => void = () => undefined,
  newHistory: () => void = () => undefined,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(steps, { minLength: 1, maxLength: 40 }), async (history) => {
      newHistory();
      let state = stateOf();
      const rs = await replicas(state);
      const byId = (id: number): Replica => rs.find((r) => r.id === id) as Replica;
      /** offset -> value of every record ever below the leader's HW. */
      const committed = new Map<number, string>();
      const noteCommitted = async (): Promise<void> => {
        const leader = byId(state.leader).partition;
        const records = decodeRecordsFrom(await allBytes(byId(state.leader).log), 0).filter((r) => r.offset < leader.highWatermark);
        for (const r of records) {
          const v = r.value?.toString() ?? '';
          const before = committed.get(r.offset);
          if (before !== undefined) expect(v, `committed offset ${r.offset} changed`).toBe(before);
          committed.set(r.offset, v);
        }
      };
      let n = 0;
      for (const step of history) {
        const leader = byId(state.leader);
        if (step.kind === 'append') {
          await leader.partition.append(batchOf(Array.from({ length: step.records }, () => `v${n++}`)), {
            acks: 'leader',
            minInsyncReplicas: 1,
          });
        } else if (step.kind === 'fetch') {
          if (step.follower !== state.leader) await fetch(leader.partition, byId(step.follower).partition, step.follower, step.maxBytes);
        } else if (step.kind === 'reconnect') {
          reconnect(step.follower);
        } else if (step.to !== state.leader) {
          // Clean election only: the new leader must hold everything committed. With the ISR
          // fixed at all three, that is a replica whose log reaches the HW.
          const hw = leader.partition.highWatermark;
          if (byId(step.to).partition.logEndOffset < hw) continue;
          state = { ...state, leader: step.to, leaderEpoch: state.leaderEpoch + 1, partitionEpoch: state.partitionEpoch + 1 };
          for (const r of rs) r.partition.applyState(state);
        }
        await noteCommitted();
      }
      const leader = byId(state.leader);
      for (const r of rs) {
        if (r.id === state.leader) continue;
        let caughtUp = false;
        for (let i = 0; i < 200 && !caughtUp; i++) caughtUp = await fetch(leader.partition, r.partition, r.id, 1 << 20);
        if (!caughtUp) throw new Error(`follower ${r.id} never caught up`);
      }
      for (const r of rs) if (r.id !== state.leader) await fetch(leader.partition, r.partition, r.id, 1 << 20);
      await noteCommitted();
      const reference = await allBytes(leader.log);
      for (const r of rs)
        expect((await allBytes(r.log)).equals(reference), `replica ${r.id} differs from leader ${state.leader}`).toBe(true);
      const final = decodeRecordsFrom(reference, 0);
      for (const [offset, value] of committed) expect(final.find((r) => r.offset === offset)?.value?.toString()).toBe(value);
      for (const c of cleanups.splice(0).reverse()) await c();
    }),
    { numRuns: 60 },
  );
}

describe('FollowerTracker (ISR rules)', () => {
  const base = {
    self: 1,
    replicas: [1, 2, 3],
    highWatermark: 10,
    epochStartOffset: 5,
    lagTimeMaxMs: 1000,
    admittedEpochOf: (): number | undefined => INCARNATION,
  };

  it('keeps followers that fetch up to the log end, drops one silent for longer than the lag time', () => {
    const t = new FollowerTracker();
    t.reset([2, 3], 0);
    t.onFetch(2, INCARNATION, 10, 10, 900);
    expect(t.proposeIsr({ ...base, isr: [1, 2, 3], nowMs: 1000 })).toBeUndefined();
    expect(t.proposeIsr({ ...base, isr: [1, 2, 3], nowMs: 1500 })).toEqual([1, 2]);
  });

  it('counts a follower that reached the previous log end as caught up as of that fetch', () => {
    const t = new FollowerTracker();
    t.reset([2], 0);
    t.onFetch(2, INCARNATION, 10, 10, 100); // caught up at 100
    t.onFetch(2, INCARNATION, 10, 20, 800); // behind now, but at the LEO of the previous fetch: caught up as of 100
    t.onFetch(2, INCARNATION, 20, 30, 1500); // reached the previous fetch's LEO (20): caught up as of 800
    expect(t.progress(2)?.lastCaughtUpMs).toBe(800);
    expect(t.proposeIsr({ ...base, replicas: [1, 2], isr: [1, 2], nowMs: 1700 })).toBeUndefined();
    expect(t.proposeIsr({ ...base, replicas: [1, 2], isr: [1, 2], nowMs: 1900 })).toEqual([1]);
  });

  it('takes a replica back once it reaches the HW and the epoch start, and only while its broker is alive', () => {
    const t = new FollowerTracker();
    t.reset([2, 3], 0);
    t.onFetch(2, INCARNATION, 10, 10, 10);
    t.onFetch(3, INCARNATION, 9, 10, 10);
    expect(t.proposeIsr({ ...base, isr: [1], nowMs: 20 })).toEqual([1, 2]);
    expect(
      t.proposeIsr({ ...base, isr: [1], nowMs: 20, admittedEpochOf: (id: number) => (id !== 2 ? INCARNATION : undefined) }),
    ).toBeUndefined();
    expect(t.proposeIsr({ ...base, isr: [1], epochStartOffset: 11, nowMs: 20 })).toBeUndefined();
  });

  it('does not take back a follower that stopped fetching, however close its last position was (a network cut)', () => {
    const t = new FollowerTracker();
    t.reset([2], 0);
    t.onFetch(2, INCARNATION, 10, 10, 100); // caught up, then cut off: no more fetches
    expect(t.proposeIsr({ ...base, replicas: [1, 2], isr: [1, 2], nowMs: 1200 })).toEqual([1]);
    // The idle leader's end never moved, so its last position still equals the HW: not enough.
    for (const now of [1300, 2000, 5000]) expect(t.proposeIsr({ ...base, replicas: [1, 2], isr: [1], nowMs: now })).toBeUndefined();
    // It fetches again, up to the leader's end: back in.
    t.onFetch(2, INCARNATION, 10, 10, 5100);
    expect(t.proposeIsr({ ...base, replicas: [1, 2], isr: [1], nowMs: 5100 })).toEqual([1, 2]);
  });

  it("a new incarnation of a follower starts from nothing: its predecessor's position does not bring it back", () => {
    const t = new FollowerTracker();
    t.reset([2], 0);
    t.onFetch(2, INCARNATION, 10, 10, 100);
    const admittedNext = (id: number): number | undefined => (id === 2 ? INCARNATION + 1 : undefined);
    // The restarted process is admitted, but has not fetched: the old process's position is not its own.
    expect(t.proposeIsr({ ...base, replicas: [1, 2], isr: [1], nowMs: 200, admittedEpochOf: admittedNext })).toBeUndefined();
    // Its first fetch shows the tail it lost (below the HW): still out.
    t.onFetch(2, INCARNATION + 1, 4, 10, 300);
    expect(t.progress(2)?.logEndOffset).toBe(4);
    expect(t.proposeIsr({ ...base, replicas: [1, 2], isr: [1], nowMs: 300, admittedEpochOf: admittedNext })).toBeUndefined();
    t.onFetch(2, INCARNATION + 1, 10, 10, 400);
    expect(t.proposeIsr({ ...base, replicas: [1, 2], isr: [1], nowMs: 400, admittedEpochOf: admittedNext })).toEqual([1, 2]);
  });

  it('never proposes an ISR without the leader or with non-replicas', () => {
    fc.assert(
      fc.property(
        fc.subarray([2, 3, 4]),
        fc.array(fc.record({ id: fc.constantFrom(2, 3, 4), offset: fc.nat(30), at: fc.nat(3000) })),
        fc.nat(5000),
        (isrFollowers, fetches, now) => {
          const t = new FollowerTracker();
          t.reset([2, 3, 4], 0);
          for (const f of [...fetches].sort((a, b) => a.at - b.at)) t.onFetch(f.id, INCARNATION, f.offset, 20, f.at);
          const isr = [1, ...isrFollowers];
          const next = t.proposeIsr({ ...base, replicas: [1, 2, 3, 4], isr, nowMs: Math.max(now, 3000) }) ?? isr;
          expect(next).toContain(1);
          for (const id of next) expect([1, 2, 3, 4]).toContain(id);
          expect(new Set(next).size).toBe(next.length);
        },
      ),
    );
  });
});
