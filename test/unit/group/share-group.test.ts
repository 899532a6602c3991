/**
 * One share group (libs/group ShareGroup) without a network: a record source that serves a fixed
 * log, members that answer in code, a dead-letter sink that can fail. Checks handing out in turns
 * within each member's limits, key order across members, leaving and dead-lettering.
 */
import { describe, expect, it } from 'vitest';
import { SamsaError } from '../../../libs/errors/index.js';
import { ShareGroup, tpKey, type ShareGroupConfig, type ShareSourceRecord, type StoredShareState } from '../../../libs/group/index.js';
import { pino } from 'pino';
import { systemClock } from '../../../libs/runtime/index.js';

interface Rec extends ShareSourceRecord {
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
}

/** A log of `n` records served in chunks of 100, then nothing more until closed. */
function source(n: number, key?: (i: number) => string) {
  const log: Rec[] = Array.from({ length: n }, (_, i) => ({
    offset: i,
    key: key ? Buffer.from(key(i)) : null,
    value: Buffer.from(`v${i}`.padEnd(100, '.')),
  }));
  return {
    partition(o: { from: { offset: number } | 'earliest' | 'latest' }) {
      let closed = false;
      let wake = (): void => undefined;
      return {
        async *chunks(): AsyncGenerator<readonly Rec[]> {
          let at = typeof o.from === 'object' ? o.from.offset : 0;
          while (at < log.length && !closed) {
            yield log.slice(at, at + 100);
            at += 100;
          }
          await new Promise<void>((resolve) => (wake = resolve));
        },
        close() {
          closed = true;
          wake();
        },
      };
    },
  };
}

const CONFIG: ShareGroupConfig = {
  leaseMs: 30_000,
  maxDeliveryAttempts: 3,
  keyOrdered: false,
  deadLetterTopic: 'g.dlq',
  reset: 'earliest',
};

/** What a coordinator would have stored for the group: per partition the last state written. */
type Store = Map<string, { offset: number; stored: StoredShareState }>;

function group(
  n: number,
  config: Partial<ShareGroupConfig> = {},
  key?: (i: number) => string,
  deadLetter?: () => Promise<void>,
  durable?: { store: Store; hold?: () => boolean },
) {
  const dead: { offset: number; reason: string; count: number }[] = [];
  // The owner's writer as share-groups.ts does it, one write in flight, into `store` (on a later turn).
  let writing = false;
  let again = false;
  const persist = (): void => {
    if (writing) {
      again = true;
      return;
    }
    if (durable?.hold?.()) return;
    const next = g.takeWrite();
    if (!next) return;
    writing = true;
    setImmediate(() => {
      for (const w of next.writes) durable?.store.set(tpKey(w.tp), { offset: w.startOffset, stored: w.state });
      writing = false;
      g.written(next.token);
      if (again) {
        again = false;
        persist();
      }
    });
  };
  const g = new ShareGroup<Rec>(
    'g',
    { ...CONFIG, ...config },
    {
      source: source(n, key),
      deadLetters: {
        send: async (_g, _t, _tp, record, reason, count) => {
          await deadLetter?.();
          dead.push({ offset: record.offset, reason, count });
        },
      },
      partitionCount: () => 1,
      startOffset: (tp) => durable?.store.get(tpKey(tp)),
      ...(durable ? { persist } : {}),
      clock: systemClock,
      logger: pino({ level: 'silent' }),
    },
  );
  return { g, dead, persist };
}

type Handler = (d: { offset: number; key: string; deliveryCount: number }, member: string) => 'accept' | 'release' | 'reject' | 'hold';

/** A member answering each delivery (on a later turn of the event loop) as `handle` says. */
function join(g: ShareGroup<Rec>, id: string, handle: Handler, limits = { records: 10, bytes: 1 << 20 }) {
  const got: { offset: number; deliveryCount: number }[] = [];
  g.join(id, ['t'], limits, 60_000, {
    send: (tp, records) => {
      for (const r of records) {
        got.push({ offset: r.record.offset, deliveryCount: r.deliveryCount });
        const answer = handle({ offset: r.record.offset, key: r.record.key?.toString() ?? '', deliveryCount: r.deliveryCount }, id);
        if (answer === 'hold') continue;
        setImmediate(() =>
          g.answer(id, [
            answer === 'release'
              ? { type: 'release', tp, from: r.record.offset, to: r.record.offset, delayMs: 0 }
              : { type: answer, tp, from: r.record.offset, to: r.record.offset },
          ]),
        );
      }
    },
    committed: () => undefined,
    removed: () => undefined,
  });
  return got;
}

async function until(f: () => boolean): Promise<void> {
  while (!f()) await new Promise((r) => setTimeout(r, 5));
}

describe('ShareGroup', () => {
  it('key-ordered: 2,000 records over 4 members, one key at one member at a time, each key in offset order', async () => {
    const { g } = group(2_000, { keyOrdered: true }, (i) => `k${i % 20}`);
    const holder = new Map<string, string>();
    const last = new Map<string, number>();
    const bad: string[] = [];
    const handle: Handler = (d, member) => {
      const h = holder.get(d.key);
      if (h !== undefined && h !== member) bad.push(`${d.key}@${d.offset}`);
      if ((last.get(d.key) ?? -1) >= d.offset) bad.push(`order ${d.key}@${d.offset}`);
      holder.set(d.key, member);
      last.set(d.key, d.offset);
      setImmediate(() => holder.delete(d.key));
      return 'accept';
    };
    const got = ['a', 'b', 'c', 'd'].map((m) => join(g, m, handle));
    await until(() => g.counts().acked === 2_000);
    g.close(new SamsaError('NOT_READY', 'test over'));
    expect(bad).toEqual([]);
    for (const m of got) expect(m.length).toBeGreaterThan(0);
    expect(got.flat().length).toBe(2_000);
  });

  it('hands out in turns within each member’s limits; a member at its limit gets nothing more', async () => {
    const { g } = group(100);
    const slow = join(g, 'slow', () => 'hold', { records: 5, bytes: 1 << 20 });
    const small = join(g, 'small', () => 'hold', { records: 100, bytes: 250 });
    const fast = join(g, 'fast', () => 'accept', { records: 10, bytes: 1 << 20 });
    await until(() => g.counts().acked === 93);
    expect(slow.length).toBe(5);
    expect(small.length).toBe(2);
    expect(fast.length).toBe(93);
    // The slow member leaves: what it held goes to the others.
    g.leave('slow');
    await until(() => g.counts().acked === 98);
    expect(fast.length).toBe(98);
    g.close(new SamsaError('NOT_READY', 'test over'));
  });

  it('dead-letters a rejected record and one past its attempts once, and only after the sink took it', async () => {
    let failures = 1;
    const { g, dead } = group(10, { maxDeliveryAttempts: 2 }, undefined, async () => {
      if (failures-- > 0) throw new SamsaError('NOT_ENOUGH_REPLICAS', 'try again');
    });
    const got = join(g, 'a', (d) => (d.offset === 3 ? 'reject' : d.offset === 7 ? 'release' : 'accept'));
    await until(() => g.counts().deadLettered === 2 && g.counts().acked === 8);
    g.close(new SamsaError('NOT_READY', 'test over'));
    expect(dead.sort((x, y) => x.offset - y.offset)).toEqual([
      { offset: 3, reason: 'rejected', count: 1 },
      { offset: 7, reason: 'max-delivery-attempts', count: 2 },
    ]);
    expect(got.filter((d) => d.offset === 7).map((d) => d.deliveryCount)).toEqual([1, 2]);
    expect(g.startOffsets()).toEqual([{ tp: { topic: 't', partition: 0 }, offset: 10 }]);
  });

  it('durable: records go out only after their delivery counts are written, answers are confirmed after theirs', async () => {
    const store: Store = new Map();
    let hold = true;
    const { g, persist } = group(10, {}, undefined, undefined, { store, hold: () => hold });
    const confirmed: number[] = [];
    const got: number[] = [];
    g.join('a', ['t'], { records: 4, bytes: 1 << 20 }, 60_000, {
      send: (_tp, records) => got.push(...records.map((r) => r.record.offset)),
      committed: (sequence) => confirmed.push(sequence),
      removed: () => undefined,
    });
    await until(() => g.counts().inFlight === 4);
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual([]);
    hold = false;
    persist();
    await until(() => got.length === 4);
    expect(store.get('t\u00000')?.stored).toEqual({ runs: [[0, 3, 'd', 1]], acked: 0, deadLettered: 0 });
    g.answer('a', [{ type: 'accept', tp: { topic: 't', partition: 0 }, from: 0, to: 1 }], 7);
    expect(confirmed).toEqual([]);
    await until(() => confirmed.length === 1);
    expect(confirmed).toEqual([7]);
    expect(store.get('t\u00000')?.offset).toBe(2);
    g.close(new SamsaError('NOT_READY', 'test over'));
  });

  it('after a failover a new owner never delivers a confirmed ack again, delivery counts go on, and a pending dead letter is sent', async () => {
    const store: Store = new Map();
    const tp = { topic: 't', partition: 0 };
    const first = group(20, { maxDeliveryAttempts: 3 }, undefined, () => new Promise<void>(() => undefined), { store });
    const confirmed: number[] = [];
    const counts = new Map<number, number>();
    // Offsets 0-9 come out first: 1, 3, 5 acked, 2 rejected (its dead letter never completes here),
    // 4 released twice (delivery count 3 at the next delivery: its last attempt), the rest held.
    let sequence = 0;
    const answer = (a: Parameters<ShareGroup<Rec>['answer']>[1][number]): void => first.g.answer('a', [a], ++sequence);
    first.g.join('a', ['t'], { records: 10, bytes: 1 << 20 }, 60_000, {
      send: (_tp, records) => {
        for (const r of records) {
          const o = r.record.offset;
          counts.set(o, r.deliveryCount);
          setImmediate(() => {
            if (o === 1 || o === 3 || o === 5) answer({ type: 'accept', tp, from: o, to: o });
            else if (o === 2) answer({ type: 'reject', tp, from: o, to: o });
            else if (o === 4 && r.deliveryCount < 2) answer({ type: 'release', tp, from: o, to: o, delayMs: 0 });
          });
        }
      },
      committed: (s) => confirmed.push(s),
      removed: () => undefined,
    });
    await until(() => counts.get(4) === 2 && confirmed.length === sequence && sequence >= 5);
    first.g.close(new SamsaError('NOT_COORDINATOR', 'failover'));

    const second = group(20, { maxDeliveryAttempts: 3 }, undefined, undefined, { store });
    const again: { offset: number; deliveryCount: number }[] = [];
    second.g.join('b', ['t'], { records: 100, bytes: 1 << 20 }, 60_000, {
      send: (_tp, records) => {
        for (const r of records) {
          again.push({ offset: r.record.offset, deliveryCount: r.deliveryCount });
          setImmediate(() => second.g.answer('b', [{ type: 'accept', tp, from: r.record.offset, to: r.record.offset }]));
        }
      },
      committed: () => undefined,
      removed: () => undefined,
    });
    await until(() => second.g.counts().acked + second.g.counts().deadLettered === 20);
    second.g.close(new SamsaError('NOT_READY', 'test over'));
    const offsets = again.map((d) => d.offset).sort((x, y) => x - y);
    expect(offsets).toEqual([0, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(again.find((d) => d.offset === 4)?.deliveryCount).toBe(3);
    expect(again.find((d) => d.offset === 0)?.deliveryCount).toBe(2);
    expect(second.dead).toEqual([{ offset: 2, reason: 'rejected', count: 1 }]);
    // Totals go on from what the first owner wrote: 3 acked there, 16 here; 1 dead letter.
    expect(second.g.counts()).toMatchObject({ acked: 19, deadLettered: 1, inFlight: 0 });
  });
});
