/**
 * A group member's session (libs/group MemberSession) without a network: a real GroupCoordinator
 * over an in-memory offsets log, partitions read from in-memory logs, and the member's connection
 * as a recorder. Joining, delivery with flow control, commits of processed offsets, the hand-over
 * of a revoked partition only after what was sent is processed, leaving, and refusals.
 */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import {
  GroupCoordinator,
  DEFAULT_GROUP_LIMITS,
  MemberSession,
  type MemberConnection,
  type MemberRequest,
  type OffsetsLog,
  type OffsetsRecord,
  type RecordSource,
  type TopicPartition,
} from '../../../libs/group/index.js';

const logger = pino({ level: 'silent' });

class MemoryOffsetsLog implements OffsetsLog {
  private readonly records = new Map<number, OffsetsRecord[]>();
  async append(partition: number, records: readonly OffsetsRecord[]): Promise<number> {
    const log = this.records.get(partition) ?? [];
    this.records.set(partition, log);
    log.push(...records);
    return log.length - 1;
  }
  async replay(
    partition: number,
    from: number,
    apply: (k: Buffer | null, v: Buffer | null, h: { key: string; value: Buffer }[]) => void,
  ): Promise<number> {
    const log = this.records.get(partition) ?? [];
    for (let i = from; i < log.length; i++) {
      const r = log[i] as OffsetsRecord;
      apply(
        Buffer.from(r.key),
        r.value === null ? null : Buffer.from(r.value),
        r.fence === undefined ? [] : [{ key: 'fence', value: Buffer.from(String(r.fence)) }],
      );
    }
    return Math.max(from, log.length);
  }
}

interface Rec {
  offset: number;
}

/** Partitions of topic t as in-memory logs of `size` records each; counts what readers take. */
class MemoryPartitions implements RecordSource<Rec> {
  /** Chunks handed out, per partition. */
  readonly taken = new Map<number, number>();
  /** Where each reader started, per partition, in order. */
  readonly starts: { partition: number; from: unknown }[] = [];
  constructor(
    private readonly size: number,
    private readonly chunk: number,
  ) {}
  partition(options: { topic: string; partition: number; from: { offset: number } | 'earliest' | 'latest' }): {
    chunks(): AsyncIterable<Rec[]>;
    close(): void;
  } {
    let closed = false;
    let wake: (() => void) | undefined;
    const { partition } = options;
    this.starts.push({ partition, from: options.from });
    let next = options.from === 'latest' ? this.size : options.from === 'earliest' ? 0 : options.from.offset;
    const self = this;
    return {
      async *chunks() {
        while (!closed) {
          if (next >= self.size) {
            // At the end: wait (as a following stream does) until closed.
            await new Promise<void>((resolve) => (wake = resolve));
            continue;
          }
          const end = Math.min(self.size, next + self.chunk);
          const records = Array.from({ length: end - next }, (_, i) => ({ offset: next + i }));
          next = end;
          self.taken.set(partition, (self.taken.get(partition) ?? 0) + 1);
          yield records;
        }
      },
      close() {
        closed = true;
        wake?.();
      },
    };
  }
}

/** The member's side: records what it is sent; `hold` keeps record writes pending (a slow member). */
class RecordingConnection implements MemberConnection<Rec> {
  readonly assignments: {
    generation: number;
    partitions: readonly TopicPartition[];
    committed: readonly { tp: TopicPartition; offset: number }[];
  }[] = [];
  readonly records: { tp: TopicPartition; offsets: number[] }[] = [];
  readonly committed: { tp: TopicPartition; offset: number }[] = [];
  hold = false;
  private released: (() => void)[] = [];
  private listeners: (() => void)[] = [];
  async sendAssignment(a: {
    memberId: string;
    generation: number;
    partitions: readonly TopicPartition[];
    committed: readonly { tp: TopicPartition; offset: number }[];
  }): Promise<boolean> {
    this.assignments.push({ generation: a.generation, partitions: a.partitions, committed: a.committed });
    this.changed();
    return true;
  }
  async sendRecords(tp: TopicPartition, records: readonly Rec[]): Promise<boolean> {
    this.records.push({ tp, offsets: records.map((r) => r.offset) });
    this.changed();
    if (this.hold) await new Promise<void>((resolve) => this.released.push(resolve));
    return true;
  }
  async sendCommitted(offsets: readonly { tp: TopicPartition; offset: number }[]): Promise<boolean> {
    this.committed.push(...offsets.map((c) => ({ tp: c.tp, offset: c.offset })));
    this.changed();
    return true;
  }
  gone(): boolean {
    return false;
  }
  release(): void {
    this.hold = false;
    for (const r of this.released.splice(0)) r();
  }
  /** Resolves once `predicate` holds (checked on every send). */
  until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (!predicate()) return;
        this.listeners = this.listeners.filter((l) => l !== check);
        resolve();
      };
      this.listeners.push(check);
    });
  }
  private changed(): void {
    for (const l of [...this.listeners]) l();
  }
}

/** Requests the test pushes, as the session's async iterator; end() half-closes. */
class Requests implements AsyncIterator<MemberRequest> {
  private readonly queue: MemberRequest[] = [];
  private waiting: ((r: IteratorResult<MemberRequest>) => void) | undefined;
  private ended = false;
  push(r: MemberRequest): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: r, done: false });
    } else this.queue.push(r);
  }
  end(): void {
    this.ended = true;
    this.waiting?.({ value: undefined, done: true });
  }
  next(): Promise<IteratorResult<MemberRequest>> {
    const r = this.queue.shift();
    if (r) return Promise.resolve({ value: r, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }
}

async function coordinator(): Promise<GroupCoordinator> {
  let seq = 0;
  const c = new GroupCoordinator({
    coordinatorId: 1,
    offsetsPartitions: 1,
    log: new MemoryOffsetsLog(),
    claims: { nextWriterEpoch: async () => 1, resign: () => undefined },
    partitionCount: (t) => (t === 't' ? 4 : undefined),
    ownerOf: () => ({ id: 1, host: 'h', port: 1 }),
    limits: DEFAULT_GROUP_LIMITS,
    logger,
    newMemberId: () => `m${++seq}`,
  });
  c.acquired(0, 1);
  for (let i = 0; i < 100 && !c.ready; i++) await new Promise((r) => setImmediate(r));
  return c;
}

const join = { groupId: 'g', topics: ['t'], sessionTimeoutMs: 10_000, reset: 'earliest' as const };
const sentUpTo = (conn: RecordingConnection, partition: number): number =>
  Math.max(-1, ...conn.records.filter((r) => r.tp.partition === partition).flatMap((r) => r.offsets));

describe('MemberSession', () => {
  it('joins, is assigned every partition, gets records from each, and commits what it reports processed', async () => {
    const c = await coordinator();
    const source = new MemoryPartitions(5, 5);
    const conn = new RecordingConnection();
    const requests = new Requests();
    const session = new MemberSession({ coordinator: c, records: source, logger, shutdown: new AbortController().signal }, conn);
    const running = session.run(join, requests);
    await conn.until(() => [0, 1, 2, 3].every((p) => sentUpTo(conn, p) === 4));
    expect(conn.assignments.at(-1)?.partitions.map((tp) => tp.partition)).toEqual([0, 1, 2, 3]);
    requests.push({ kind: 'processed', tp: { topic: 't', partition: 2 }, offset: 3 });
    requests.end();
    await running;
    expect(c.committedOffset('g', { topic: 't', partition: 2 })?.offset).toBe(3);
    expect(c.committedOffset('g', { topic: 't', partition: 1 })).toBeUndefined();
    // A dynamic member whose connection half-closed has left the group.
    expect(c.listGroups()).toEqual([{ groupId: 'g', state: 'Empty', members: 0 }]);
    c.close();
  });

  it('a slow member holds back its readers: at most one chunk per partition is taken before the member takes it', async () => {
    const c = await coordinator();
    const source = new MemoryPartitions(100, 10);
    const conn = new RecordingConnection();
    conn.hold = true;
    const requests = new Requests();
    const running = new MemberSession({ coordinator: c, records: source, logger, shutdown: new AbortController().signal }, conn).run(
      join,
      requests,
    );
    await conn.until(() => conn.records.length === 4);
    // Give the readers every chance to run ahead: they must not.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect([...source.taken.values()]).toEqual([1, 1, 1, 1]);
    conn.release();
    await conn.until(() => [0, 1, 2, 3].every((p) => sentUpTo(conn, p) === 99));
    requests.end();
    await running;
    c.close();
  });

  it('a paused partition sends nothing more until resumed, while the others go on', async () => {
    const c = await coordinator();
    const source = new MemoryPartitions(30, 10);
    const conn = new RecordingConnection();
    conn.hold = true;
    const requests = new Requests();
    const running = new MemberSession({ coordinator: c, records: source, logger, shutdown: new AbortController().signal }, conn).run(
      join,
      requests,
    );
    await conn.until(() => conn.records.length === 4);
    requests.push({ kind: 'pause', partitions: [{ topic: 't', partition: 0 }] });
    // The pause is read before the held writes are let go.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    conn.release();
    await conn.until(() => [1, 2, 3].every((p) => sentUpTo(conn, p) === 29));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(sentUpTo(conn, 0)).toBe(9);
    requests.push({ kind: 'resume', partitions: [{ topic: 't', partition: 0 }] });
    await conn.until(() => sentUpTo(conn, 0) === 29);
    requests.end();
    await running;
    c.close();
  });

  it('with maxChunksAhead, sends no more chunks of a partition than the member has credit for, whatever the stream accepts', async () => {
    const c = await coordinator();
    const source = new MemoryPartitions(50, 10);
    const conn = new RecordingConnection();
    const requests = new Requests();
    const running = new MemberSession({ coordinator: c, records: source, logger, shutdown: new AbortController().signal }, conn).run(
      { ...join, maxChunksAhead: 1 },
      requests,
    );
    // The connection takes every write at once (no stream back-pressure): only the credit holds the readers.
    await conn.until(() => conn.records.length === 4);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(conn.records).toHaveLength(4);
    requests.push({ kind: 'taken', partitions: [{ topic: 't', partition: 2 }] });
    await conn.until(() => sentUpTo(conn, 2) === 19);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect([0, 1, 2, 3].map((p) => sentUpTo(conn, p))).toEqual([9, 9, 19, 9]);
    // The member takes each chunk after it came (a credit is one chunk it received and took).
    for (let n = 2; n <= 5; n++) {
      requests.push({ kind: 'taken', partitions: [0, 1, 2, 3].map((partition) => ({ topic: 't', partition })) });
      await conn.until(() => [0, 1, 3].every((p) => sentUpTo(conn, p) === n * 10 - 1));
    }
    expect(sentUpTo(conn, 2)).toBe(49);
    requests.end();
    await running;
    c.close();
  });

  it('acknowledges each commit once it is written, with the offsets it made durable', async () => {
    const c = await coordinator();
    const source = new MemoryPartitions(5, 5);
    const conn = new RecordingConnection();
    const requests = new Requests();
    const running = new MemberSession({ coordinator: c, records: source, logger, shutdown: new AbortController().signal }, conn).run(
      join,
      requests,
    );
    await conn.until(() => [0, 1, 2, 3].every((p) => sentUpTo(conn, p) === 4));
    expect(conn.committed).toEqual([]);
    requests.push({ kind: 'processed', tp: { topic: 't', partition: 1 }, offset: 2 });
    await conn.until(() => conn.committed.length > 0);
    expect(conn.committed).toEqual([{ tp: { topic: 't', partition: 1 }, offset: 2 }]);
    // Acknowledged only after the write: the coordinator has it as committed by then.
    expect(c.committedOffset('g', { topic: 't', partition: 1 })?.offset).toBe(2);
    requests.end();
    await running;
    c.close();
  });

  it('hands a revoked partition over only after the member processed what it was sent, and the next owner starts after it', async () => {
    const c = await coordinator();
    const source = new MemoryPartitions(6, 6);
    const first = new RecordingConnection();
    const firstRequests = new Requests();
    const deps = { coordinator: c, records: source, logger, shutdown: new AbortController().signal };
    const firstRun = new MemberSession(deps, first).run(join, firstRequests);
    await first.until(() => [0, 1, 2, 3].every((p) => sentUpTo(first, p) === 5));
    const second = new RecordingConnection();
    const secondRequests = new Requests();
    const secondRun = new MemberSession(deps, second).run(join, secondRequests);
    // The first member is told its new (smaller) assignment; the second gets nothing until the hand-over.
    await first.until(() => first.assignments.length === 2);
    const kept = (first.assignments.at(-1)?.partitions ?? []).map((tp) => tp.partition);
    const moving = [0, 1, 2, 3].filter((p) => !kept.includes(p));
    expect(moving).toHaveLength(2);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(second.assignments.every((a) => a.partitions.length === 0)).toBe(true);
    // The member reports what it processed of the moving partitions: the hand-over happens.
    for (const p of moving) firstRequests.push({ kind: 'processed', tp: { topic: 't', partition: p }, offset: 4 });
    await second.until(() => (second.assignments.at(-1)?.partitions.length ?? 0) === 2);
    expect(second.assignments.at(-1)?.partitions.map((tp) => tp.partition)).toEqual(moving);
    for (const p of moving) expect(c.committedOffset('g', { topic: 't', partition: p })?.offset).toBe(4);
    // The next owner reads from the committed offset, not from the start.
    const startsOfMoving: unknown[] = source.starts.filter((s) => moving.includes(s.partition)).map((s) => s.from);
    expect(startsOfMoving).toEqual(['earliest', 'earliest', { offset: 4 }, { offset: 4 }]);
    firstRequests.end();
    secondRequests.end();
    await Promise.all([firstRun, secondRun]);
    c.close();
  });

  it('assign-only: reads nothing, sends committed offsets with the assignment, and hands a partition over only after the member says revoked', async () => {
    const c = await coordinator();
    const source = new MemoryPartitions(6, 6);
    const deps = { coordinator: c, records: source, logger, shutdown: new AbortController().signal };
    await c.commit('g', '', -1, [{ topic: 't', partition: 1, offset: 3, metadata: '' }]);
    const assignOnly = { ...join, assignOnly: true };
    const first = new RecordingConnection();
    const firstRequests = new Requests();
    const firstRun = new MemberSession(deps, first).run(assignOnly, firstRequests);
    await first.until(() => first.assignments.length === 1);
    expect(first.assignments[0]?.partitions.map((tp) => tp.partition)).toEqual([0, 1, 2, 3]);
    expect(first.assignments[0]?.committed).toEqual([{ tp: { topic: 't', partition: 1 }, offset: 3 }]);
    const second = new RecordingConnection();
    const secondRequests = new Requests();
    const secondRun = new MemberSession(deps, second).run(assignOnly, secondRequests);
    await first.until(() => first.assignments.length === 2);
    const kept = (first.assignments.at(-1)?.partitions ?? []).map((tp) => tp.partition);
    const moving = [0, 1, 2, 3].filter((p) => !kept.includes(p));
    // Processed offsets of a partition being taken away are committed and acknowledged, but the
    // partition stays the first member's until it says `revoked`.
    for (const p of moving) firstRequests.push({ kind: 'processed', tp: { topic: 't', partition: p }, offset: 5 });
    await first.until(() => moving.every((p) => first.committed.some((x) => x.tp.partition === p && x.offset === 5)));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(second.assignments.every((a) => a.partitions.length === 0)).toBe(true);
    // A word about a partition not being taken away changes nothing.
    firstRequests.push({ kind: 'revoked', partitions: kept.map((partition) => ({ topic: 't', partition })) });
    firstRequests.push({ kind: 'revoked', partitions: moving.map((partition) => ({ topic: 't', partition })) });
    await second.until(() => (second.assignments.at(-1)?.partitions.length ?? 0) === 2);
    expect(second.assignments.at(-1)?.partitions.map((tp) => tp.partition)).toEqual(moving);
    expect(second.assignments.at(-1)?.committed).toEqual(moving.map((partition) => ({ tp: { topic: 't', partition }, offset: 5 })));
    expect(c.describe('g').members.find((m) => m.partitions.length === 2 && m.revoking.length === 0)).toBeDefined();
    // Nothing was read or sent for either member.
    expect(source.starts).toEqual([]);
    expect([...first.records, ...second.records]).toEqual([]);
    firstRequests.end();
    secondRequests.end();
    await Promise.all([firstRun, secondRun]);
    c.close();
  });

  it('ends with INVALID_REQUEST on a second join, and with NOT_READY when the coordinator shuts down', async () => {
    const c = await coordinator();
    const source = new MemoryPartitions(1, 1);
    const requests = new Requests();
    const conn = new RecordingConnection();
    const running = new MemberSession({ coordinator: c, records: source, logger, shutdown: new AbortController().signal }, conn).run(
      join,
      requests,
    );
    await conn.until(() => conn.assignments.length > 0);
    requests.push({ kind: 'join' });
    await expect(running).rejects.toMatchObject({ reason: 'INVALID_REQUEST' });
    const shutdown = new AbortController();
    const other = new RecordingConnection();
    const second = new MemberSession({ coordinator: c, records: source, logger, shutdown: shutdown.signal }, other).run(
      join,
      new Requests(),
    );
    await other.until(() => other.assignments.length > 0);
    shutdown.abort();
    await expect(second).rejects.toMatchObject({ reason: 'NOT_READY' });
    expect(c.listGroups().reduce((n, g) => n + g.members, 0)).toBe(0);
    c.close();
  });
});
