/**
 * Idempotent producer state: retries of any of the last five batches are recognised and answered
 * with the original offsets, gaps and stale epochs are refused, and the table a follower rebuilds
 * from the same batches decides exactly as the leader's.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ProducerStateTable, DEDUPE_WINDOW, type ProducerBatch } from '../../../libs/replica/index.js';
import { hasReason } from '../../../libs/errors/index.js';

const batch = (producerId: number, baseSequence: number, records: number, producerEpoch = 0): ProducerBatch => ({
  producerId,
  producerEpoch,
  baseSequence,
  lastOffsetDelta: records - 1,
});

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return hasReason(err, 'OUT_OF_ORDER_SEQUENCE')
      ? 'OUT_OF_ORDER_SEQUENCE'
      : hasReason(err, 'INVALID_PRODUCER_EPOCH')
        ? 'INVALID_PRODUCER_EPOCH'
        : String(err);
  }
}

describe('ProducerStateTable', () => {
  it('appends in-order batches and answers a retry with the original offsets', () => {
    const t = new ProducerStateTable();
    expect(t.check(batch(7, 0, 3), 't-0')).toEqual({ kind: 'append' });
    t.update(batch(7, 0, 3), 100);
    expect(t.check(batch(7, 3, 2), 't-0')).toEqual({ kind: 'append' });
    t.update(batch(7, 3, 2), 103);
    expect(t.check(batch(7, 0, 3), 't-0')).toEqual({ kind: 'duplicate', firstOffset: 100, lastOffset: 102 });
    expect(t.check(batch(7, 3, 2), 't-0')).toEqual({ kind: 'duplicate', firstOffset: 103, lastOffset: 104 });
  });

  it('refuses a gap and an older epoch; a new epoch starts at sequence 0', () => {
    const t = new ProducerStateTable();
    t.update(batch(7, 0, 3, 1), 0);
    expect(reasonOf(() => t.check(batch(7, 5, 1, 1), 't-0'))).toBe('OUT_OF_ORDER_SEQUENCE');
    expect(reasonOf(() => t.check(batch(7, 3, 1, 0), 't-0'))).toBe('INVALID_PRODUCER_EPOCH');
    expect(reasonOf(() => t.check(batch(7, 3, 1, 2), 't-0'))).toBe('OUT_OF_ORDER_SEQUENCE');
    expect(t.check(batch(7, 0, 1, 2), 't-0')).toEqual({ kind: 'append' });
  });

  it('treats batches without a producer id as plain appends and remembers nothing of them', () => {
    const t = new ProducerStateTable();
    const plain = { producerId: -1, producerEpoch: -1, baseSequence: -1, lastOffsetDelta: 4 };
    expect(t.check(plain, 't-0')).toEqual({ kind: 'append' });
    t.update(plain, 0);
    expect(t.size).toBe(0);
  });

  it('any retry within the window is a duplicate with its own offsets; older ones are refused, never rewritten', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 20 }), fc.nat(), (sizes, pick) => {
        const leader = new ProducerStateTable();
        const follower = new ProducerStateTable();
        const written: { seq: number; records: number; offset: number }[] = [];
        let seq = 0;
        let offset = 0;
        for (const records of sizes) {
          const b = batch(42, seq, records);
          expect(leader.check(b, 'p')).toEqual({ kind: 'append' });
          leader.update(b, offset);
          follower.update(b, offset);
          written.push({ seq, records, offset });
          seq += records;
          offset += records;
        }
        const i = pick % written.length;
        const w = written[i] as (typeof written)[number];
        const retry = batch(42, w.seq, w.records);
        const inWindow = i >= written.length - DEDUPE_WINDOW;
        for (const table of [leader, follower]) {
          if (inWindow)
            expect(table.check(retry, 'p')).toEqual({ kind: 'duplicate', firstOffset: w.offset, lastOffset: w.offset + w.records - 1 });
          else if (i === written.length - 1) expect(table.check(retry, 'p').kind).toBe('duplicate');
          else expect(reasonOf(() => table.check(retry, 'p'))).toBe('OUT_OF_ORDER_SEQUENCE');
        }
      }),
    );
  });
});
