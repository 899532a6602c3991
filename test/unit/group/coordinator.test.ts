/**
 * The coordinator core over an in-memory offsets log: commits are durable and fenced, a new owner
 * rebuilds offsets by replaying the partition and fences off the old owner, and bad commits get
 * the reasons the protocol promises.
 */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import {
  GroupCoordinator,
  DEFAULT_GROUP_LIMITS,
  type OffsetsLog,
  type OffsetsRecord,
  type MemberEvent,
} from '../../../libs/group/index.js';

class MemoryLog implements OffsetsLog {
  readonly partitions = new Map<number, OffsetsRecord[]>();
  async append(partition: number, records: readonly OffsetsRecord[]): Promise<number> {
    const log = this.partitions.get(partition) ?? [];
    this.partitions.set(partition, log);
    log.push(...records);
    return log.length - 1;
  }
  async replay(
    partition: number,
    from: number,
    apply: (k: Buffer | null, v: Buffer | null, h: { key: string; value: Buffer }[]) => void,
  ): Promise<number> {
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

const logger = pino({ level: 'silent' });
const topics = new Map([['t', 4]]);

function coordinator(id: number, log: OffsetsLog, clock?: () => number): GroupCoordinator {
  let seq = 0;
  return new GroupCoordinator({
    ...(clock ? { clock: { nowMs: clock } } : {}),
    coordinatorId: id,
    offsetsPartitions: 1,
    log,
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

  it('a new owner rebuilds committed offsets from the log and fences the old owner off', async () => {
    const log = new MemoryLog();
    const a = coordinator(1, log);
    a.acquired(0, 10);
    await ready(a);
    await a.commit('g', '', -1, [{ topic: 't', partition: 1, offset: 42, metadata: 'x' }]);
    const b = coordinator(2, log);
    b.acquired(0, 20);
    await ready(b);
    expect(b.fetchOffsets('g')).toEqual([
      { tp: { topic: 't', partition: 1 }, committed: expect.objectContaining({ offset: 42, metadata: 'x' }) },
    ]);
    // The old owner does not know yet and writes again: that write lands after b's fence.
    await a.commit('g', '', -1, [{ topic: 't', partition: 1, offset: 99, metadata: '' }]);
    await b.commit('g', '', -1, [{ topic: 't', partition: 2, offset: 7, metadata: '' }]);
    const c = coordinator(3, log);
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
    const c = coordinator(1, new MemoryLog(), () => now);
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
    const c = coordinator(1, new MemoryLog(), () => now);
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
    const a = coordinator(1, log, () => now);
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
    const b = coordinator(2, log, () => now);
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
