/**
 * The coordinator core over an in-memory offsets log that applies the brokers' idempotent-producer
 * rules (the real ProducerStateTable) and in-memory claims that hand out writer epochs as etcd
 * does (only the current claim gets one, each above the last): commits are durable and fenced, a
 * new owner rebuilds offsets by replaying the partition and fences off the old owner, whose late
 * write is refused and who then steps down, and bad commits get the reasons the protocol promises.
 */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { SamsaError } from '../../../libs/errors/index.js';
import { ProducerStateTable } from '../../../libs/replica/index.js';
import {
  GroupCoordinator,
  DEFAULT_GROUP_LIMITS,
  type OffsetsClaims,
  type OffsetsLog,
  type OffsetsRecord,
  type OffsetsWriter,
  type MemberEvent,
} from '../../../libs/group/index.js';

/** __consumer_offsets in memory, checked as a broker checks an idempotent producer's batches. */
class MemoryLog implements OffsetsLog {
  readonly partitions = new Map<number, OffsetsRecord[]>();
  private readonly producers = new Map<number, ProducerStateTable>();
  /** Next sequence per writer, as the SDK producer keeps it. */
  private readonly sequences = new Map<string, number>();
  /** Fails the next append this way (a timeout whose outcome is unknown, say). */
  failNext: SamsaError | undefined;
  /** Replays started while this is set wait for it. */
  replayGate: Promise<void> | undefined;

  async append(partition: number, records: readonly OffsetsRecord[], writer: OffsetsWriter): Promise<number> {
    if (this.failNext) {
      const err = this.failNext;
      this.failNext = undefined;
      throw err;
    }
    const log = this.partitions.get(partition) ?? [];
    this.partitions.set(partition, log);
    const table = this.producers.get(partition) ?? new ProducerStateTable();
    this.producers.set(partition, table);
    const key = `${writer.producerId}/${writer.producerEpoch}`;
    const batch = { ...writer, baseSequence: this.sequences.get(key) ?? 0, lastOffsetDelta: records.length - 1 };
    table.check(batch, `__consumer_offsets/${partition}`);
    this.sequences.set(key, batch.baseSequence + records.length);
    table.update(batch, log.length);
    log.push(...records);
    return log.length - 1;
  }
  async replay(
    partition: number,
    from: number,
    apply: (k: Buffer | null, v: Buffer | null, h: { key: string; value: Buffer }[]) => void,
  ): Promise<number> {
    if (this.replayGate) await this.replayGate;
    const log = this.partitions.get(partition) ?? [];
    const end = log.length;
    for (let i = from; i < end; i++) {
      const r = log[i] as OffsetsRecord;
      apply(
        Buffer.from(r.key),
        r.value === null ? null : Buffer.from(r.value),
        r.fence === undefined ? [] : [{ key: 'fence', value: Buffer.from(String(r.fence)) }],
      );
    }
    return Math.max(from, end);
  }
}

/** Claims as etcd keeps them (ownership.ts): the claim of the moment and a version per partition. */
class MemoryClaims implements OffsetsClaims {
  readonly owner = new Map<number, number>();
  private readonly versions = new Map<number, number>();
  readonly resigned: [number, number][] = [];
  async nextWriterEpoch(partition: number, fence: number): Promise<number> {
    const owner = this.owner.get(partition);
    if (owner !== undefined && owner !== fence) throw new SamsaError('NOT_COORDINATOR', `fence ${fence} no longer claims ${partition}`);
    const v = (this.versions.get(partition) ?? 0) + 1;
    this.versions.set(partition, v);
    return v;
  }
  resign(partition: number, fence: number): void {
    this.resigned.push([partition, fence]);
  }
}

const logger = pino({ level: 'silent' });
const topics = new Map([['t', 4]]);

function coordinator(id: number, log: OffsetsLog, claims: OffsetsClaims = new MemoryClaims(), clock?: () => number): GroupCoordinator {
  let seq = 0;
  return new GroupCoordinator({
    ...(clock ? { clock: { nowMs: clock } } : {}),
    coordinatorId: id,
    offsetsPartitions: 1,
    log,
    claims,
    partitionCount: (t) => topics.get(t),
    ownerOf: () => ({ id: 9, host: 'h', port: 1 }),
    limits: DEFAULT_GROUP_LIMITS,
    logger,
    newMemberId: () => `c${id}-m${++seq}`,
  });
}

async function ready(c: GroupCoordinator): Promise<void> {
  for (let i = 0; i < 100 && !c.ready; i++) await new Promise((r) => setImmediate(r));
  expect(c.ready).toBe(true);
}

describe('GroupCoordinator', () => {
  it('refuses groups it does not own with NOT_COORDINATOR naming the owner', () => {
    const c = coordinator(1, new MemoryLog());
    expect(() => c.join('g', { topics: ['t'], sessionTimeoutMs: 0 }, () => undefined)).toThrowError(
      expect.objectContaining({ reason: 'NOT_COORDINATOR', details: { 'coordinator-id': '9', 'coordinator-address': 'h:1' } }),
    );
  });

  it("a new owner rebuilds committed offsets from the log; the old owner's late write is refused and it steps down", async () => {
    const log = new MemoryLog();
    const claims = new MemoryClaims();
    const a = coordinator(1, log, claims);
    claims.owner.set(0, 10);
    a.acquired(0, 10);
    await ready(a);
    await a.commit('g', '', -1, [{ topic: 't', partition: 1, offset: 42, metadata: 'x' }]);
    const b = coordinator(2, log, claims);
    claims.owner.set(0, 20);
    b.acquired(0, 20);
    await ready(b);
    expect(b.fetchOffsets('g')).toEqual([
      { tp: { topic: 't', partition: 1 }, committed: expect.objectContaining({ offset: 42, metadata: 'x' }) },
    ]);
    // The old owner does not know yet and writes again: refused, as the brokers refuse it, and it gives the partition up.
    const before = log.partitions.get(0)?.length;
    await expect(a.commit('g', '', -1, [{ topic: 't', partition: 1, offset: 99, metadata: '' }])).rejects.toMatchObject({
      reason: 'NOT_COORDINATOR',
    });
    expect(log.partitions.get(0)?.length).toBe(before);
    expect(claims.resigned).toEqual([[0, 10]]);
    expect(a.ownedPartitions()).toEqual([]);
    await b.commit('g', '', -1, [{ topic: 't', partition: 2, offset: 7, metadata: '' }]);
    const c = coordinator(3, log, claims);
    claims.owner.set(0, 30);
    c.acquired(0, 30);
    await ready(c);
    expect(c.fetchOffsets('g').map((o) => [o.tp.partition, o.committed?.offset])).toEqual([
      [1, 42],
      [2, 7],
    ]);
    a.close();
    b.close();
    c.close();
  });

  it('an owner deposed while it loads is refused at its fence record and steps down', async () => {
    const log = new MemoryLog();
    const claims = new MemoryClaims();
    claims.owner.set(0, 10);
    const a = coordinator(1, log, claims);
    // a takes its epoch and is deposed while it replays: b claims, loads and fences meanwhile.
    let open = (): void => undefined;
    log.replayGate = new Promise((resolve) => (open = resolve));
    a.acquired(0, 10);
    await new Promise((r) => setImmediate(r));
    log.replayGate = undefined;
    claims.owner.set(0, 20);
    const b = coordinator(2, log, claims);
    b.acquired(0, 20);
    await ready(b);
    open();
    for (let i = 0; i < 100 && claims.resigned.length === 0; i++) await new Promise((r) => setImmediate(r));
    expect(a.ownedPartitions()).toEqual([]);
    expect(claims.resigned).toEqual([[0, 10]]);
    await b.commit('g', '', -1, [{ topic: 't', partition: 0, offset: 5, metadata: '' }]);
    expect(b.fetchOffsets('g').map((o) => o.committed?.offset)).toEqual([5]);
    b.close();
  });

  it('an append that fails with an unknown outcome loads the partition again with a new epoch', async () => {
    const log = new MemoryLog();
    const claims = new MemoryClaims();
    claims.owner.set(0, 10);
    const c = coordinator(1, log, claims);
    c.acquired(0, 10);
    await ready(c);
    await c.commit('g', '', -1, [{ topic: 't', partition: 0, offset: 1, metadata: '' }]);
    log.failNext = new SamsaError('REQUEST_TIMED_OUT', 'no answer in time');
    let open = (): void => undefined;
    log.replayGate = new Promise((resolve) => (open = resolve));
    await expect(c.commit('g', '', -1, [{ topic: 't', partition: 0, offset: 2, metadata: '' }])).rejects.toMatchObject({
      reason: 'REQUEST_TIMED_OUT',
    });
    expect(() => c.fetchOffsets('g')).toThrowError(expect.objectContaining({ reason: 'NOT_READY' }));
    log.replayGate = undefined;
    open();
    await ready(c);
    await c.commit('g', '', -1, [{ topic: 't', partition: 0, offset: 3, metadata: '' }]);
    expect(c.fetchOffsets('g').map((o) => o.committed?.offset)).toEqual([3]);
    // Two fence records: the first load's and the reload's, each the first batch of its epoch.
    expect(log.partitions.get(0)?.filter((r) => r.key.startsWith('fence')).length).toBe(2);
    expect(claims.resigned).toEqual([]);
    c.close();
  });

  it('members get disjoint assignments; commits are fenced by member, generation and ownership', async () => {
    const c = coordinator(1, new MemoryLog());
    c.acquired(0, 1);
    await ready(c);
    const events: MemberEvent[] = [];
    const m1 = c.join('g', { topics: ['t'], sessionTimeoutMs: 6_000 }, (e) => events.push(e));
    const gen1 = (events.at(-1) as Extract<MemberEvent, { kind: 'assignment' }>).generation;
    const m2 = c.join('g', { topics: ['t'], sessionTimeoutMs: 6_000 }, (e) => events.push(e));
    const revoke = events.find((e): e is Extract<MemberEvent, { kind: 'revoke' }> => e.kind === 'revoke' && e.memberId === m1);
    expect(revoke?.partitions).toHaveLength(2);
    c.revoked('g', m1, revoke?.partitions ?? []);
    const last = (id: string) =>
      events.filter((e): e is Extract<MemberEvent, { kind: 'assignment' }> => e.kind === 'assignment' && e.memberId === id).at(-1);
    const p1 = last(m1)?.partitions ?? [];
    const p2 = last(m2)?.partitions ?? [];
    expect([...p1, ...p2].map((tp) => tp.partition).sort()).toEqual([0, 1, 2, 3]);
    const gen = last(m2)?.generation as number;
    await c.commit(
      'g',
      m2,
      gen,
      p2.map((tp) => ({ ...tp, offset: 5, metadata: '' })),
    );
    await expect(
      c.commit(
        'g',
        m1,
        gen1,
        p1.map((tp) => ({ ...tp, offset: 5, metadata: '' })),
      ),
    ).rejects.toMatchObject({ reason: 'ILLEGAL_GENERATION' });
    await expect(
      c.commit(
        'g',
        m1,
        gen,
        p2.map((tp) => ({ ...tp, offset: 5, metadata: '' })),
      ),
    ).rejects.toMatchObject({ reason: 'PARTITION_NOT_ASSIGNED' });
    await expect(
      c.commit('g', m1, gen, [{ ...(p1[0] as { topic: string; partition: number }), offset: -1, metadata: '' }]),
    ).rejects.toMatchObject({ reason: 'INVALID_REQUEST' });
    await expect(c.commit('g', 'nobody', gen, [])).rejects.toMatchObject({ reason: 'UNKNOWN_MEMBER_ID' });
    await expect(c.commit('g', m1, gen, [{ topic: 'nope', partition: 0, offset: 1, metadata: '' }])).rejects.toMatchObject({
      reason: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
    await expect(c.deleteGroup('g')).rejects.toMatchObject({ reason: 'GROUP_NOT_EMPTY' });
    expect(() => c.describe('unknown')).toThrowError(expect.objectContaining({ reason: 'GROUP_ID_NOT_FOUND' }));
    c.leave('g', m1);
    c.leave('g', m2);
    expect(c.listGroups()).toEqual([{ groupId: 'g', state: 'Empty', members: 0 }]);
    await c.deleteGroup('g');
    expect(c.listGroups()).toEqual([]);
    c.close();
  });

  it('losing the partition tells every member NOT_COORDINATOR', async () => {
    const c = coordinator(1, new MemoryLog());
    c.acquired(0, 1);
    await ready(c);
    const events: MemberEvent[] = [];
    c.join('g', { topics: ['t'], sessionTimeoutMs: 6_000 }, (e) => events.push(e));
    c.released(0);
    expect(events.at(-1)).toMatchObject({ kind: 'removed', reason: expect.objectContaining({ reason: 'NOT_COORDINATOR' }) });
  });
});

describe('groups held by Kafka-protocol members (docs/adr/0050)', () => {
  const join = (c: GroupCoordinator): string => c.join('g', { topics: ['t'], sessionTimeoutMs: 6_000 }, () => undefined);

  it('a held group refuses GroupConsume joins naming the group and its holder; released or lapsed, it takes them', async () => {
    let now = 1_000_000;
    const c = coordinator(1, new MemoryLog(), new MemoryClaims(), () => now);
    c.acquired(0, 1);
    await ready(c);
    await c.holdForKafka('g', 'kafka-gateway-1', 30_000);
    expect(() => join(c)).toThrowError(
      expect.objectContaining({
        reason: 'INCONSISTENT_GROUP_PROTOCOL',
        message: expect.stringMatching(/group "g" is held by Kafka-protocol members .*kafka-gateway-1/),
        details: { 'held-by': 'kafka-gateway-1' },
      }),
    );
    // The holder commits for its members; a commit from outside, a reset or a delete is refused as for members.
    await c.commit('g', 'kafka-gateway-1', -1, [{ topic: 't', partition: 0, offset: 3, metadata: '' }]);
    await expect(c.commit('g', '', -1, [{ topic: 't', partition: 0, offset: 4, metadata: '' }])).rejects.toMatchObject({
      reason: 'GROUP_NOT_EMPTY',
      message: expect.stringContaining('held by Kafka-protocol members through kafka-gateway-1'),
    });
    await expect(c.commit('g', 'kafka-gateway-2', -1, [])).rejects.toMatchObject({ reason: 'UNKNOWN_MEMBER_ID' });
    expect(c.committedOffset('g', { topic: 't', partition: 0 })?.offset).toBe(3);
    await expect(c.resetOffsets('g', [{ topic: 't', partition: 0, offset: 0, metadata: '' }])).rejects.toMatchObject({
      reason: 'GROUP_NOT_EMPTY',
    });
    await expect(c.deleteGroup('g')).rejects.toMatchObject({ reason: 'GROUP_NOT_EMPTY' });
    await c.releaseKafkaHold('g', 'kafka-gateway-1');
    const m = join(c);
    c.leave('g', m);
    await c.holdForKafka('g', 'kafka-gateway-1', 30_000);
    now += 30_000;
    expect(c.kafkaHold('g')).toBeUndefined();
    expect(join(c)).toMatch(/^c1-m/);
    c.close();
  });

  it('a group with GroupConsume members cannot be held; a live hold is not taken by another holder, a lapsed one is', async () => {
    let now = 1_000_000;
    const c = coordinator(1, new MemoryLog(), new MemoryClaims(), () => now);
    c.acquired(0, 1);
    await ready(c);
    const m = join(c);
    await expect(c.holdForKafka('g', 'kafka-gateway-1', 30_000)).rejects.toMatchObject({
      reason: 'INCONSISTENT_GROUP_PROTOCOL',
      message: expect.stringContaining('1 Samsa GroupConsume member'),
    });
    c.leave('g', m);
    await c.holdForKafka('g', 'kafka-gateway-1', 30_000);
    await expect(c.holdForKafka('g', 'kafka-gateway-2', 30_000)).rejects.toMatchObject({
      reason: 'INCONSISTENT_GROUP_PROTOCOL',
      details: { 'held-by': 'kafka-gateway-1' },
    });
    // Someone else's release leaves the hold alone.
    await c.releaseKafkaHold('g', 'kafka-gateway-2');
    expect(c.kafkaHold('g')?.holder).toBe('kafka-gateway-1');
    now += 30_001;
    await c.holdForKafka('g', 'kafka-gateway-2', 30_000);
    expect(c.kafkaHold('g')).toEqual({ holder: 'kafka-gateway-2', expiresAtMs: now + 30_000 });
    c.close();
  });

  it('renewals are written only when the written expiry is less than half a TTL away; a new owner replays holds and releases', async () => {
    let now = 1_000_000;
    const log = new MemoryLog();
    const claims = new MemoryClaims();
    const a = coordinator(1, log, claims, () => now);
    a.acquired(0, 10);
    await ready(a);
    const holds = (): number => (log.partitions.get(0) ?? []).filter((r) => r.key.startsWith('kafka-hold\0')).length;
    await a.holdForKafka('g', 'kafka-gateway-1', 20_000);
    await a.holdForKafka('h', 'kafka-gateway-1', 20_000);
    expect(holds()).toBe(2);
    now += 9_000;
    await a.holdForKafka('g', 'kafka-gateway-1', 20_000);
    expect(holds()).toBe(2);
    now += 2_000;
    await a.holdForKafka('g', 'kafka-gateway-1', 20_000);
    expect(holds()).toBe(3);
    await a.releaseKafkaHold('h', 'kafka-gateway-1');
    // Another coordinator takes the partition over: g is still held, until the written expiry; h is not.
    const b = coordinator(2, log, claims, () => now);
    b.acquired(0, 20);
    await ready(b);
    expect(b.kafkaHold('g')).toEqual({ holder: 'kafka-gateway-1', expiresAtMs: now + 20_000 });
    expect(b.kafkaHold('h')).toBeUndefined();
    expect(() => join(b)).toThrowError(expect.objectContaining({ reason: 'INCONSISTENT_GROUP_PROTOCOL' }));
    now += 20_000;
    expect(() => join(b)).not.toThrow();
    a.close();
    b.close();
  });
});
