/**
 * The SDK producer against a fake partition leader (no network): send() calls pipelined, requests
 * filled up to maxBatchBytes and so split across sends, answers delayed in any order, and faults per
 * call (refused before the write, written with the answer lost, refused for good). The leader keeps
 * a log per partition and the brokers' own idempotence table (libs/replica producer-state.ts).
 *
 * Checked: every record is in the log at most once and, per partition, in send order; a send that
 * resolved has every record in the log, and its results name exactly where (one entry per request
 * that carried its records); a send that rejected did so with the fault injected (or, with several
 * requests in flight, as out of order behind a request refused so), and without such a fault every
 * send resolves; a retried batch carries the same records as its first attempt; no request
 * is over maxBatchBytes unless it carries one record.
 */
import type * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Producer, type Acks, type RecordMetadata } from '../../../libs/client/producer/producer.js';
import type { Cluster } from '../../../libs/client/routing/cluster.js';
import { SamsaError } from '../../../libs/errors/index.js';
import { decodeBatch, readBatchHeader } from '../../../libs/record/index.js';
import { ProducerStateTable } from '../../../libs/replica/index.js';
import { loadSamsaProto, toGrpcStatus, type v1 } from '../../../libs/rpc/index.js';

type Fault = 'ok' | 'refuse' | 'lost' | 'fatal';
const FATAL = 'POLICY_VIOLATION';
const RETRY = { retries: 1_000, initialDelayMs: 0, maxDelayMs: 1, jitter: 0, maxElapsedMs: 30_000 };

function serviceError(err: SamsaError): grpc.ServiceError {
  const status = toGrpcStatus(err);
  return Object.assign(new Error(status.details), status) as grpc.ServiceError;
}

/** One leader for every partition of one topic; answers each call after its delay, with its fault. */
class FakeLeader {
  readonly logs = new Map<number, string[]>();
  readonly requests: { partition: number; values: string[] }[] = [];
  readonly violations: string[] = [];
  private readonly states = new Map<number, ProducerStateTable>();
  /** The records of each idempotent batch by partition, producer id and first sequence. */
  private readonly batches = new Map<string, string>();
  private calls = 0;
  private nextProducerId = 1;
  private readonly deserialize = loadSamsaProto().proto.samsa.v1.BrokerService.service.Produce.requestDeserialize as (
    bytes: Buffer,
  ) => v1.ProduceRequest__Output;

  constructor(
    private readonly partitions: number,
    private readonly maxBatchBytes: number,
    private readonly faults: readonly Fault[] = [],
    private readonly delays: readonly number[] = [0],
  ) {}

  cluster(): Cluster {
    const client = {
      makeUnaryRequest: (
        _path: string,
        _serialize: unknown,
        _deserialize: unknown,
        encoded: Buffer,
        _options: unknown,
        callback: (err: grpc.ServiceError | null, res?: v1.ProduceResponse__Output) => void,
      ): object => {
        const call = this.calls++;
        // grpc-js frames the request before the call returns; the producer may reuse the batch's buffer once answered.
        const bytes = Buffer.from(encoded);
        const delay = this.delays[call % this.delays.length] ?? 0;
        setTimeout(() => this.handle(bytes, this.faults[call] ?? 'ok', callback), delay);
        return {};
      },
    };
    const fake = {
      options: { retry: RETRY, requestTimeoutMs: 1_000 },
      pool: { broker: () => client },
      topic: () => Promise.resolve({ partitions: Array.from({ length: this.partitions }, (_, partition) => ({ partition })) }),
      withRetry: <T>(operation: () => Promise<T>): Promise<T> => operation(),
      leaderAddress: () => Promise.resolve('fake:9092'),
      invalidate: () => undefined,
      initProducerId: () => Promise.resolve({ producerId: this.nextProducerId++, producerEpoch: 0 }),
    };
    return fake as unknown as Cluster;
  }

  private handle(encoded: Buffer, fault: Fault, callback: (err: grpc.ServiceError | null, res?: v1.ProduceResponse__Output) => void): void {
    const request = this.deserialize(encoded);
    const { partition, batch } = request.batches[0] as v1.PartitionBatch__Output;
    const header = readBatchHeader(batch);
    const values = decodeBatch(batch).map((r) => String(r.value));
    this.requests.push({ partition, values });
    const estimate = values.reduce((sum, v) => sum + 24 + v.length, 0);
    if (values.length > 1 && estimate > this.maxBatchBytes)
      this.violations.push(`a request of ${values.length} records, ~${estimate} bytes, over ${this.maxBatchBytes}`);
    if (header.producerId >= 0) {
      const key = `${partition}/${header.producerId}/${header.baseSequence}`;
      const first = this.batches.get(key);
      if (first === undefined) this.batches.set(key, values.join(','));
      else if (first !== values.join(',')) this.violations.push(`batch ${key} sent again with other records`);
    }
    if (fault === 'refuse') return callback(serviceError(new SamsaError('NOT_LEADER_OR_FOLLOWER', 'moved')));
    if (fault === 'fatal') return callback(serviceError(new SamsaError(FATAL, 'refused for good')));
    let state = this.states.get(partition);
    if (!state) this.states.set(partition, (state = new ProducerStateTable()));
    let log = this.logs.get(partition);
    if (!log) this.logs.set(partition, (log = []));
    let baseOffset: number;
    try {
      const check = state.check(header, `partition ${partition}`);
      if (check.kind === 'duplicate') baseOffset = check.firstOffset;
      else {
        baseOffset = log.length;
        log.push(...values);
        state.update(header, baseOffset);
      }
    } catch (err) {
      return callback(serviceError(err as SamsaError));
    }
    if (fault === 'lost') return callback(serviceError(new SamsaError('REQUEST_TIMED_OUT', 'the answer was lost')));
    const acksNone = request.acks === 'ACKS_NONE';
    callback(null, {
      results: [{ partition, baseOffset: acksNone ? -1 : baseOffset, recordCount: values.length, logAppendTimeMs: -1, recordIndexes: [] }],
      throttleTimeMs: 0,
    });
  }
}

interface SendSpec {
  acks: Acks | undefined;
  records: { partition: number; pad: number }[];
}

/** The value of record `index` of send `send`: its name, padded to vary its size. */
const value = (send: number, index: number, pad: number): string => `${send}.${index}.${'x'.repeat(pad)}`;
const nameOf = (v: string): [number, number] => v.split('.').slice(0, 2).map(Number) as [number, number];

const scenario = fc.boolean().chain((idempotent) =>
  fc.record({
    idempotent: fc.constant(idempotent),
    maxInFlight: idempotent ? fc.integer({ min: 1, max: 5 }) : fc.constant(1),
    maxBatchBytes: fc.integer({ min: 40, max: 1200 }),
    partitions: fc.integer({ min: 1, max: 3 }),
    sends: fc.array(
      fc.record({
        acks: idempotent ? fc.constant(undefined) : fc.constantFrom<Acks | undefined>(undefined, undefined, 1, 0, 'all'),
        records: fc.array(fc.record({ partition: fc.nat({ max: 2 }), pad: fc.nat({ max: 120 }) }), { minLength: 1, maxLength: 40 }),
      }),
      { minLength: 1, maxLength: 10 },
    ),
    // A non-idempotent producer writes again what it retries after a lost answer (at least once): no 'lost' there.
    faults: fc.array(
      fc.oneof(
        { weight: 8, arbitrary: fc.constant<Fault>('ok') },
        { weight: 2, arbitrary: fc.constant<Fault>('refuse') },
        { weight: idempotent ? 2 : 0, arbitrary: fc.constant<Fault>('lost') },
        { weight: 1, arbitrary: fc.constant<Fault>('fatal') },
      ),
      { maxLength: 40 },
    ),
    delays: fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 8 }),
  }),
);

async function run(s: {
  idempotent: boolean;
  maxInFlight: number;
  maxBatchBytes: number;
  partitions: number;
  sends: SendSpec[];
  faults: Fault[];
  delays: number[];
}): Promise<{ leader: FakeLeader; outcomes: PromiseSettledResult<RecordMetadata[]>[] }> {
  const leader = new FakeLeader(s.partitions, s.maxBatchBytes, s.faults, s.delays);
  const producer = new Producer(leader.cluster(), {
    acks: s.idempotent ? 'all' : 1,
    idempotent: s.idempotent,
    maxInFlightPerPartition: s.maxInFlight,
    maxBatchBytes: s.maxBatchBytes,
    traceHeaders: false,
    retry: RETRY,
  });
  const sends = s.sends.map((send, i) =>
    producer.send({
      topic: 't',
      messages: send.records.map((r, j) => ({ value: value(i, j, r.pad), partition: r.partition % s.partitions })),
      ...(send.acks !== undefined ? { acks: send.acks } : {}),
    }),
  );
  const outcomes = await Promise.allSettled(sends);
  await producer.close();
  return { leader, outcomes };
}

describe('Producer requests (fake leader)', () => {
  it('fills requests across sends: each up to maxBatchBytes, the rest of a send first in the next one', async () => {
    // 10 records of ~100 estimated bytes per send, 4 per request: the old producer sent 4, 4, 2 per send.
    const sends = [0, 1, 2].map(() => ({ acks: undefined, records: Array.from({ length: 10 }, () => ({ partition: 0, pad: 70 })) }));
    const { leader, outcomes } = await run({
      idempotent: true,
      maxInFlight: 1,
      maxBatchBytes: 420,
      partitions: 1,
      sends,
      faults: [],
      delays: [1],
    });
    expect(leader.requests.map((r) => r.values.length)).toEqual([4, 4, 4, 4, 4, 4, 4, 2]);
    const results = outcomes.map((o) => (o as PromiseFulfilledResult<RecordMetadata[]>).value.map((m) => [m.baseOffset, m.recordCount]));
    expect(results).toEqual([
      [
        [0, 4],
        [4, 4],
        [8, 2],
      ],
      [
        [10, 2],
        [12, 4],
        [16, 4],
      ],
      [
        [20, 4],
        [24, 4],
        [28, 2],
      ],
    ]);
    expect(leader.logs.get(0)?.map(nameOf)).toEqual(sends.flatMap((_, i) => Array.from({ length: 10 }, (_, j) => [i, j])));
  });

  it('every record at most once and in send order; a resolved send is written whole where its results say; failures are the injected ones', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { leader, outcomes } = await run(s);
        expect(leader.violations).toEqual([]);
        // Per partition: no record twice, sends in order, a send's records in order.
        const seen = new Set<string>();
        for (const log of leader.logs.values()) {
          let last: [number, number] = [-1, -1];
          for (const v of log) {
            const [send, index] = nameOf(v);
            expect(seen.has(`${send}.${index}`)).toBe(false);
            seen.add(`${send}.${index}`);
            expect(send > last[0] || (send === last[0] && index > last[1])).toBe(true);
            last = [send, index];
          }
        }
        const fatal = s.faults.includes('fatal');
        for (const [i, outcome] of outcomes.entries()) {
          const send = s.sends[i] as SendSpec;
          if (outcome.status === 'rejected') {
            expect(fatal).toBe(true);
            // A request out behind one refused for good is refused as out of order (its sequences follow a gap).
            const reasons = s.maxInFlight > 1 ? [FATAL, 'OUT_OF_ORDER_SEQUENCE'] : [FATAL];
            expect(reasons).toContain((outcome.reason as SamsaError).reason);
            continue;
          }
          const results = outcome.value;
          expect(results.reduce((n, m) => n + m.recordCount, 0)).toBe(send.records.length);
          for (let p = 0; p < s.partitions; p++) {
            const mine = send.records.flatMap((r, j) => (r.partition % s.partitions === p ? [j] : []));
            for (const j of mine) expect(seen.has(`${i}.${j}`)).toBe(true);
            const entries = results.filter((m) => m.partition === p);
            expect(entries.reduce((n, m) => n + m.recordCount, 0)).toBe(mine.length);
            if (entries.some((m) => m.baseOffset < 0)) continue; // acks 0: no offsets to check
            const log = leader.logs.get(p) ?? [];
            const written = entries.flatMap((m) => log.slice(m.baseOffset, m.baseOffset + m.recordCount).map(nameOf));
            expect(written).toEqual(mine.map((j) => [i, j]));
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
