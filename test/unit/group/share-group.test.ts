/**
 * One share group (libs/group ShareGroup) without a network: a record source that serves a fixed
 * log, members that answer in code, a dead-letter sink that can fail. Checks handing out in turns
 * within each member's limits, key order across members, leaving and dead-lettering.
 */
import { describe, expect, it } from 'vitest';
import { SamsaError } from '../../../libs/errors/index.js';
import { ShareGroup, type ShareGroupConfig, type ShareSourceRecord } from '../../../libs/group/index.js';
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

function group(n: number, config: Partial<ShareGroupConfig> = {}, key?: (i: number) => string, deadLetter?: () => Promise<void>) {
  const dead: { offset: number; reason: string; count: number }[] = [];
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
      startOffset: () => undefined,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
    },
  );
  return { g, dead };
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
});
