import { describe, expect, it } from 'vitest';
import { partitionForKey } from '../../../libs/partitioner/index.js';
import { encodeMessage, partitionMessages } from '../../../libs/client/producer/messages.js';

describe('partitionMessages', () => {
  it('puts keyed messages on murmur2(key) % n, keyless ones on the sticky partition, explicit ones where asked', () => {
    const chunks = partitionMessages(
      [{ key: 'a', value: '1' }, { value: '2' }, { key: 'b', value: '3', partition: 4 }, { key: 'a', value: '4' }, { value: '5' }],
      6,
      3,
      1 << 20,
    );
    const where = new Map<string, number>();
    for (const c of chunks) for (const m of c.messages) where.set(String(m.value), c.partition);
    const a = partitionForKey(Buffer.from('a'), 6);
    expect(where.get('1')).toBe(a);
    expect(where.get('4')).toBe(a);
    expect(where.get('2')).toBe(3);
    expect(where.get('5')).toBe(3);
    expect(where.get('3')).toBe(4);
  });

  it('keeps the order of each partition and cuts chunks at maxBatchBytes', () => {
    const messages = Array.from({ length: 100 }, (_, i) => ({ value: Buffer.alloc(100, i) }));
    const chunks = partitionMessages(messages, 1, 0, 1000);
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks) expect(c.messages.reduce((n, m) => n + m.sizeEstimate, 0)).toBeLessThanOrEqual(1000);
    const order = chunks.flatMap((c) => c.messages.map((m) => m.value?.[0]));
    expect(order).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('gives a message larger than the limit a chunk of its own', () => {
    const chunks = partitionMessages([{ value: 'x' }, { value: Buffer.alloc(5000) }, { value: 'y' }], 1, 0, 1000);
    expect(chunks.map((c) => c.messages.length)).toEqual([1, 1, 1]);
  });

  it('refuses a partition the topic does not have', () => {
    expect(() => partitionMessages([{ value: 'x', partition: 6 }], 6, 0, 1000)).toThrow(/partition 6 does not exist/);
  });

  it('encodes strings as UTF-8 and headers as key/value pairs', () => {
    const m = encodeMessage({ key: 'k', value: 'é', headers: { trace: 'abc' }, timestampMs: 5 });
    expect(m.key?.toString()).toBe('k');
    expect(m.value).toEqual(Buffer.from('é'));
    expect(m.headers).toEqual([{ key: 'trace', value: Buffer.from('abc') }]);
    expect(m.timestampMs).toBe(5);
    expect(encodeMessage({ key: null, value: null }).value).toBeNull();
  });

  it('a custom partitioner picks the partition of every message without an explicit one, and is checked', () => {
    const seen: string[] = [];
    const byFirstLetter = {
      topic: 'users',
      partitioner: (m: { topic: string; key: Buffer | null; value: Buffer | null; partitionCount: number }) => {
        seen.push(`${m.topic}:${m.partitionCount}`);
        return (m.key ?? m.value ?? Buffer.from('a')).toString().charCodeAt(0) % m.partitionCount;
      },
    };
    const chunks = partitionMessages(
      [{ key: 'a', value: 'x' }, { value: 'b' }, { key: 'c', value: 'y', partition: 0 }],
      3,
      0,
      1000,
      byFirstLetter,
    );
    expect(chunks.map((c) => [c.partition, c.messages.map((m) => m.value?.toString())])).toEqual([
      [0, ['y']],
      [1, ['x']],
      [2, ['b']],
    ]);
    expect(seen).toEqual(['users:3', 'users:3']);
    expect(() => partitionMessages([{ value: 'x' }], 3, 0, 1000, { topic: 'users', partitioner: () => 3 })).toThrow(
      /custom partitioner returned 3/,
    );
  });
});
