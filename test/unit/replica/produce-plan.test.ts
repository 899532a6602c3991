import { describe, it, expect } from 'vitest';
import { buildBatch, decodeBatch, readBatchHeader, type ValidatedBatch } from '../../../libs/record/index.js';
import { partitionForKey } from '../../../libs/partitioner/index.js';
import { SamsaError } from '../../../libs/errors/index.js';
import { planProduce, type ProduceInput, type PlanContext } from '../../../libs/replica/index.js';
import { topicRecord } from './helpers.js';

function ctx(partitions: number, maxMessageBytes = 1024 * 1024, start = 0): PlanContext {
  let next = start;
  return { topic: topicRecord('orders', partitions, { maxMessageBytes }), nowMs: 5_000, keyless: { next: (n) => next++ % n } };
}

function failure(input: ProduceInput, context: PlanContext): SamsaError {
  try {
    planProduce(input, context);
  } catch (err) {
    if (err instanceof SamsaError) return err;
    throw err;
  }
  throw new Error('expected planProduce to throw');
}

const rec = (value: string, key?: string) => ({ value: Buffer.from(value), ...(key !== undefined ? { key: Buffer.from(key) } : {}) });

describe('planProduce: structured records', () => {
  it('groups keyed records by murmur2(key) % partitions, one batch per partition, with record_indexes in order', () => {
    const keys = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'alice'];
    const records = keys.map((k, i) => rec(`v${i}`, k));
    const writes = planProduce({ records, batches: [] }, ctx(4));
    const seen: number[] = [];
    for (const w of writes) {
      expect(w.batches).toHaveLength(1);
      for (const i of w.recordIndexes) expect(partitionForKey(Buffer.from(keys[i] as string), 4)).toBe(w.partition);
      expect([...w.recordIndexes].sort((a, b) => a - b)).toEqual(w.recordIndexes);
      const decoded = decodeBatch((w.batches[0] as ValidatedBatch).bytes);
      expect(decoded.map((r) => r.value?.toString())).toEqual(w.recordIndexes.map((i) => `v${i}`));
      seen.push(...w.recordIndexes);
    }
    expect(seen.sort((a, b) => a - b)).toEqual(keys.map((_, i) => i));
    // Equal keys land together.
    const alice = writes.find((w) => w.recordIndexes.includes(0));
    expect(alice?.recordIndexes).toContain(7);
  });

  it('an explicit partition takes every record; keyless records of one request share one partition, round-robin across requests', () => {
    const explicit = planProduce({ records: [rec('a', 'k1'), rec('b')], partition: 2, batches: [] }, ctx(3));
    expect(explicit).toHaveLength(1);
    expect(explicit[0]?.partition).toBe(2);
    const c = ctx(3);
    const first = planProduce({ records: [rec('a'), rec('b'), rec('c')], batches: [] }, c);
    const second = planProduce({ records: [rec('d')], batches: [] }, c);
    expect(first.map((w) => w.partition)).toEqual([0]);
    expect(first[0]?.recordIndexes).toEqual([0, 1, 2]);
    expect(second.map((w) => w.partition)).toEqual([1]);
  });

  it('keeps keys, headers and explicit timestamps, and stamps 0 timestamps with the broker clock', () => {
    const [w] = planProduce(
      {
        records: [
          { key: Buffer.from('k'), value: Buffer.from('v'), headers: [{ key: 'h', value: Buffer.from('x') }], timestampMs: 42 },
          { value: Buffer.from('w'), timestampMs: 0 },
        ],
        partition: 0,
        batches: [],
      },
      ctx(1),
    );
    const decoded = decodeBatch((w?.batches[0] as ValidatedBatch).bytes);
    expect(decoded[0]).toMatchObject({ timestampMs: 42 });
    expect(decoded[0]?.key?.toString()).toBe('k');
    expect(decoded[0]?.headers.map((h) => [h.key, h.value.toString()])).toEqual([['h', 'x']]);
    expect(decoded[1]?.timestampMs).toBe(5_000);
    expect(decoded[1]?.key).toBeNull();
  });

  it('splits a partition group that exceeds max.message.bytes into batches that each fit, keeping order', () => {
    const records = Array.from({ length: 50 }, (_, i) => rec(`${i}:`.padEnd(200, 'x')));
    const [w] = planProduce({ records, partition: 0, batches: [] }, ctx(1, 2_000));
    expect(w?.batches.length).toBeGreaterThan(5);
    const values: string[] = [];
    for (const b of w?.batches ?? []) {
      expect(b.bytes.length).toBeLessThanOrEqual(2_000);
      expect(b.header).toEqual(readBatchHeader(b.bytes, 0));
      values.push(...decodeBatch(b.bytes).map((r) => r.value?.toString() ?? ''));
    }
    expect(values).toEqual(records.map((r) => r.value.toString()));
    expect(w?.recordCounts.reduce((a, b) => a + b, 0)).toBe(50);
    expect(w?.recordIndexes).toEqual(records.map((_, i) => i));
  });

  it('a single record larger than max.message.bytes is RECORD_TOO_LARGE, naming the limit and the size', () => {
    const err = failure({ records: [rec('small'), rec('x'.repeat(5_000))], partition: 0, batches: [] }, ctx(1, 2_000));
    expect(err.reason).toBe('RECORD_TOO_LARGE');
    expect(err.message).toContain('2000');
    expect(err.message).toMatch(/50\d\d bytes/);
  });

  it('an empty request is EMPTY_PRODUCE; both forms at once is INVALID_REQUEST; a bad partition is UNKNOWN_TOPIC_OR_PARTITION', () => {
    expect(failure({ records: [], batches: [] }, ctx(1)).reason).toBe('EMPTY_PRODUCE');
    const batch = buildBatch([{ value: Buffer.from('a') }], {});
    expect(failure({ records: [rec('a')], batches: [{ partition: 0, batch }] }, ctx(1)).reason).toBe('INVALID_REQUEST');
    expect(failure({ records: [rec('a')], partition: 3, batches: [] }, ctx(3)).reason).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(failure({ records: [], batches: [{ partition: -1, batch }] }, ctx(3)).reason).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });
});

describe('planProduce: pre-encoded batches', () => {
  const good = (...values: string[]): Buffer =>
    buildBatch(
      values.map((v) => ({ value: Buffer.from(v) })),
      { nowMs: 1 },
    );

  it('accepts valid batches as they are, grouped per partition in request order', () => {
    const a = good('a', 'b');
    const b = good('c');
    const c = good('d');
    const writes = planProduce(
      {
        records: [],
        batches: [
          { partition: 1, batch: a },
          { partition: 0, batch: b },
          { partition: 1, batch: c },
        ],
      },
      ctx(2),
    );
    // The bytes as they came (the same buffers), each with its header parsed once, here.
    expect(writes.map((w) => ({ ...w, batches: w.batches.map((v) => v.bytes) }))).toEqual([
      { partition: 1, batches: [a, c], recordCounts: [2, 1], recordIndexes: [] },
      { partition: 0, batches: [b], recordCounts: [1], recordIndexes: [] },
    ]);
    expect(writes[0]?.batches[0]?.bytes).toBe(a);
    expect(writes[0]?.batches.map((v) => v.header)).toEqual([readBatchHeader(a, 0), readBatchHeader(c, 0)]);
  });

  it('a flipped byte is CORRUPT_MESSAGE (CRC) and nothing of the request is planned', () => {
    const bad = Buffer.from(good('hello'));
    bad[bad.length - 2] = (bad[bad.length - 2] ?? 0) ^ 0xff;
    const err = failure(
      {
        records: [],
        batches: [
          { partition: 0, batch: good('ok') },
          { partition: 0, batch: bad },
        ],
      },
      ctx(1),
    );
    expect(err.reason).toBe('CORRUPT_MESSAGE');
    expect(err.message).toContain('batches[1]');
    expect(err.message).toContain('CRC');
  });

  it('a wrong length field or a truncated batch is CORRUPT_MESSAGE', () => {
    const full = good('hello');
    expect(failure({ records: [], batches: [{ partition: 0, batch: full.subarray(0, full.length - 1) }] }, ctx(1)).reason).toBe(
      'CORRUPT_MESSAGE',
    );
    expect(failure({ records: [], batches: [{ partition: 0, batch: Buffer.alloc(10) }] }, ctx(1)).reason).toBe('CORRUPT_MESSAGE');
  });

  it('a batch over max.message.bytes is RECORD_TOO_LARGE with the limit and the size', () => {
    const big = good('x'.repeat(3_000));
    const err = failure({ records: [], batches: [{ partition: 0, batch: big }] }, ctx(1, 1_000));
    expect(err.reason).toBe('RECORD_TOO_LARGE');
    expect(err.message).toContain(`${big.length} bytes`);
    expect(err.message).toContain('max.message.bytes=1000');
  });
});
