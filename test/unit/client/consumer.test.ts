import { describe, expect, it } from 'vitest';
import { mergeStreams, type Closable } from '../../../libs/client/consumer/merge.js';
import { parseOffsetSpec, toWireOffsetSpec } from '../../../libs/client/consumer/offset-spec.js';

describe('parseOffsetSpec (--from)', () => {
  it('reads earliest, latest, offsets and @times', () => {
    expect(parseOffsetSpec('earliest')).toBe('earliest');
    expect(parseOffsetSpec('latest')).toBe('latest');
    expect(parseOffsetSpec('42')).toEqual({ offset: 42 });
    expect(parseOffsetSpec('@1700000000000')).toEqual({ timestampMs: 1700000000000 });
    expect(parseOffsetSpec('@2024-01-31T12:00:00Z')).toEqual({ timestampMs: Date.parse('2024-01-31T12:00:00Z') });
  });

  it('refuses what is none of those', () => {
    for (const bad of ['', 'first', '-1', '1.5', '@', '@tomorrow', '99999999999999999999']) {
      expect(() => parseOffsetSpec(bad), bad).toThrow();
    }
  });

  it('maps to the wire OffsetSpec oneof and checks offsets against 2^53', () => {
    expect(toWireOffsetSpec('earliest')).toEqual({ position: 'OFFSET_POSITION_EARLIEST' });
    expect(toWireOffsetSpec('latest')).toEqual({ position: 'OFFSET_POSITION_LATEST' });
    expect(toWireOffsetSpec({ offset: 7 })).toEqual({ offset: 7 });
    expect(toWireOffsetSpec({ timestampMs: 5 })).toEqual({ timestampMs: 5 });
    expect(() => toWireOffsetSpec({ offset: 2 ** 53 })).toThrow(/2\^53/);
  });
});

/** A source that yields `items` with a delay each, and records whether it was closed. */
function source<T>(items: T[], delayMs = 0): Closable<T> & { closed: boolean } {
  const s = {
    closed: false,
    close() {
      s.closed = true;
    },
    async *[Symbol.asyncIterator]() {
      for (const item of items) {
        if (s.closed) return;
        await new Promise((r) => setTimeout(r, delayMs));
        yield item;
      }
    },
  };
  return s;
}

describe('mergeStreams', () => {
  it('yields every item of every source, each source in its own order', async () => {
    const a = source([1, 2, 3], 1);
    const b = source([10, 20], 2);
    const c = source<number>([]);
    const out: number[] = [];
    for await (const x of mergeStreams([a, b, c])) out.push(x);
    expect([...out].sort((x, y) => x - y)).toEqual([1, 2, 3, 10, 20]);
    expect(out.filter((x) => x < 10)).toEqual([1, 2, 3]);
    expect(out.filter((x) => x >= 10)).toEqual([10, 20]);
    expect([a.closed, b.closed, c.closed]).toEqual([true, true, true]);
  });

  it('closes every source when the reader stops early', async () => {
    const a = source([1, 2, 3, 4]);
    const b = source([5, 6, 7, 8]);
    let n = 0;
    for await (const _ of mergeStreams([a, b])) if (++n === 2) break;
    expect(a.closed && b.closed).toBe(true);
  });

  it('fails with the first source error and closes the others', async () => {
    const ok = source([1, 2, 3], 5);
    const bad: Closable<number> & { closed: boolean } = {
      closed: false,
      close() {
        bad.closed = true;
      },
      async *[Symbol.asyncIterator]() {
        yield 100;
        throw new Error('partition gone');
      },
    };
    const out: number[] = [];
    await expect(
      (async () => {
        for await (const x of mergeStreams([ok, bad])) out.push(x);
      })(),
    ).rejects.toThrow('partition gone');
    expect(ok.closed).toBe(true);
  });
});
