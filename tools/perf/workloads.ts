/**
 * The workloads of `samsa perf` and `npm run bench`, on the SDK: produce as fast as allowed,
 * consume as fast as the cluster serves, and end-to-end latency (produce -> consumer receipt) at
 * a fixed rate. Each run is bounded by a record count and a duration (whichever comes first) and
 * by an AbortSignal (Ctrl-C); it ends every producer, stream and timer it made before it returns.
 *
 * Latency samples are in microseconds:
 * - produce: the time of each send() (all records of one send share it, as in Kafka's
 *   producer-perf-test where every record of a batch completes with its batch);
 * - consume: how long each streamed chunk was waited for;
 * - e2e: from a record's *scheduled* send time to its receipt by the consumer, so a stall that
 *   delays sending counts against the system (no coordinated omission). Producer and consumer run
 *   in this one process, on one clock.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Acks, OffsetSpec, PartitionStream, ProducerMessage, Samsa } from '../../libs/client/index.js';
import type { CompressionCodec } from '../../libs/record/index.js';
import { Meter, type PerfReport, type ProgressListener } from './meter.js';

export interface RunHooks {
  onProgress?: ProgressListener;
  /** Aborting ends the run early; it still reports what it did. */
  signal?: AbortSignal;
}

export interface ProduceWorkload {
  topic: string;
  recordBytes: number;
  /** Stop after this many records (Infinity: only the duration bounds the run). */
  records: number;
  /** Stop after this long, in ms (Infinity: only the count bounds the run). */
  durationMs: number;
  acks: Acks;
  /** Records per send() call; the SDK cuts a send into batches of at most its maxBatchBytes. */
  batchRecords: number;
  /** send() calls outstanding at once. */
  maxInFlight: number;
  /** The producer's maxInFlightPerPartition (default 1). */
  requestsPerPartition?: number;
  /** Records/s to aim at; undefined: as fast as possible. */
  throughput?: number;
  /** Seed of the payload bytes. */
  seed?: number;
  /** The producer's compression codec. Default 'none'. */
  compression?: CompressionCodec;
  /** 'letters' (default): random capital letters; 'json': JSON-like text, compressible like real events. */
  payload?: PayloadKind;
}

export type PayloadKind = 'letters' | 'json';

export interface ConsumeWorkload {
  topic: string;
  records: number;
  durationMs: number;
  from: OffsetSpec;
  /** false: stop at the end of each partition as it was at the start. */
  follow: boolean;
}

export interface E2eWorkload {
  topic: string;
  /** At least 8: the first 8 bytes carry the scheduled send time. */
  recordBytes: number;
  records: number;
  durationMs: number;
  acks: Acks;
  /** Records/s, spread evenly in time. */
  throughput: number;
  maxInFlight: number;
  /** The producer's maxInFlightPerPartition (default 1). */
  requestsPerPartition?: number;
  seed?: number;
  /** After the last send, how long to wait for the consumer to see every record, in ms. Default 10000. */
  drainMs?: number;
}

/** `bytes` pseudo-random capital letters from a fixed seed (printable, not compressible to nothing). */
export function payload(bytes: number, seed = 42): Buffer {
  const out = Buffer.alloc(bytes);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = 65 + ((s >>> 16) % 26);
  }
  return out;
}

/**
 * `bytes` of JSON-like text from a fixed seed: an event object with repeated field names, ids,
 * enum-like strings and numbers, padded or cut to exactly `bytes` (for compression benchmarks).
 */
export function jsonPayload(bytes: number, seed = 42): Buffer {
  let s = seed >>> 0 || 1;
  const next = (n: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 16) % n;
  };
  const kinds = ['page_view', 'click', 'purchase', 'signup', 'logout'];
  const events: string[] = [];
  let length = 2;
  while (length < bytes) {
    const e = JSON.stringify({
      event: kinds[next(kinds.length)],
      user_id: `u-${next(100_000)}`,
      session: next(0x7fffffff).toString(16),
      ts: 1_700_000_000_000 + next(1_000_000),
      amount: next(100_000) / 100,
      country: ['DE', 'US', 'FR', 'JP', 'BR'][next(5)],
      ok: next(2) === 0,
    });
    events.push(e);
    length += e.length + 1;
  }
  const text = `[${events.join(',')}]`;
  return Buffer.from(text.length >= bytes ? text.slice(0, bytes) : text.padEnd(bytes, ' '));
}

function producerFor(
  samsa: Samsa,
  acks: Acks,
  requestsPerPartition = 1,
  compression: CompressionCodec = 'none',
): ReturnType<Samsa['producer']> {
  // The SDK's idempotent producer needs acks=all; with 1 or 0 it is off.
  return samsa.producer({ acks, idempotent: acks === 'all', maxInFlightPerPartition: requestsPerPartition, compression });
}

async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return;
  await sleep(ms, undefined, signal ? { signal } : {}).catch(() => undefined);
}

/** One producer sending `batchRecords`-record sends, up to `maxInFlight` at once. */
export async function runProduce(samsa: Samsa, w: ProduceWorkload, hooks: RunHooks = {}): Promise<PerfReport> {
  const producer = producerFor(samsa, w.acks, w.requestsPerPartition, w.compression);
  // JSON values differ record to record (1,024 distinct, more than a batch holds at 1 KiB), so a
  // codec cannot simply find the previous record again; the letters payload is one value, as before.
  const seed = w.seed ?? 42;
  const values =
    w.payload === 'json' ? Array.from({ length: 1024 }, (_, i) => jsonPayload(w.recordBytes, seed + i)) : [payload(w.recordBytes, seed)];
  const full: ProducerMessage[] = Array.from({ length: w.batchRecords }, (_, i) => ({ value: values[i % values.length] as Buffer }));
  const meter = new Meter('send', hooks.onProgress);
  const inflight = new Set<Promise<void>>();
  let sent = 0;
  let failure: unknown;
  meter.start();
  const started = performance.now();
  const deadline = started + w.durationMs;
  try {
    while (sent < w.records && performance.now() < deadline && failure === undefined && !hooks.signal?.aborted) {
      if (w.throughput !== undefined) await pause(started + (sent / w.throughput) * 1000 - performance.now(), hooks.signal);
      const n = Math.min(w.batchRecords, w.records - sent);
      const messages = n === full.length ? full : full.slice(0, n);
      sent += n;
      const t0 = performance.now();
      const p = producer.send({ topic: w.topic, messages }).then(
        () => {
          meter.add(n, n * w.recordBytes);
          meter.sample((performance.now() - t0) * 1000, n);
        },
        (err: unknown) => {
          failure ??= err;
        },
      );
      inflight.add(p);
      void p.then(() => inflight.delete(p));
      while (inflight.size >= w.maxInFlight) await Promise.race(inflight);
    }
    await Promise.all(inflight);
  } finally {
    meter.stop();
    await producer.close();
  }
  if (failure !== undefined) throw failure;
  return meter.stop();
}

/** One consumer reading every partition of the topic as streamed chunks. */
export async function runConsume(samsa: Samsa, w: ConsumeWorkload, hooks: RunHooks = {}): Promise<PerfReport> {
  const consumer = samsa.consumer();
  const meter = new Meter('chunk wait', hooks.onProgress);
  // No groupId: close() cannot fail, it only cancels streams.
  const stop = (): void => void consumer.close();
  hooks.signal?.addEventListener('abort', stop, { once: true });
  const timer = Number.isFinite(w.durationMs) ? setTimeout(stop, w.durationMs) : undefined;
  meter.start();
  try {
    let waitFrom = performance.now();
    for await (const chunk of consumer.topicChunks({ topic: w.topic, from: w.from, follow: w.follow })) {
      meter.sample((performance.now() - waitFrom) * 1000);
      let bytes = 0;
      const take = Math.min(chunk.length, w.records - meter.recordCount);
      for (let i = 0; i < take; i++) bytes += chunk[i]?.value?.length ?? 0;
      meter.add(take, bytes);
      if (meter.recordCount >= w.records) break;
      waitFrom = performance.now();
    }
  } finally {
    meter.stop();
    if (timer) clearTimeout(timer);
    hooks.signal?.removeEventListener('abort', stop);
    await consumer.close();
  }
  return meter.stop();
}

/**
 * A consumer tailing every partition from the end, and a producer sending `throughput` records/s
 * whose values carry their scheduled send time; the latency is receipt minus that time.
 */
export async function runE2e(samsa: Samsa, w: E2eWorkload, hooks: RunHooks = {}): Promise<PerfReport> {
  if (w.recordBytes < 8) throw new RangeError('e2e records need at least 8 bytes (the send time)');
  const topic = await samsa.admin().describeTopics([w.topic]);
  const partitions = topic[0]?.partitions.map((p) => p.partition) ?? [];
  const consumer = samsa.consumer();
  const producer = producerFor(samsa, w.acks, w.requestsPerPartition);
  const meter = new Meter('produce to receipt', hooks.onProgress);
  const template = payload(w.recordBytes, w.seed);
  let sent = 0;
  let allSent = false;
  let failure: unknown;
  let doneWaiting: (() => void) | undefined;
  const streams: PartitionStream[] = partitions.map((partition) =>
    consumer.partition({ topic: w.topic, partition, from: 'latest', follow: true }),
  );
  const onAbort = (): void => void consumer.close();
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  const reading = Promise.all(
    streams.map(async (stream) => {
      for await (const chunk of stream.chunks()) {
        const now = performance.now();
        for (const m of chunk) {
          if (!m.value || m.value.length < 8) continue;
          meter.sample((now - m.value.readDoubleLE(0)) * 1000);
          meter.add(1, m.value.length);
        }
        if (allSent && meter.recordCount >= sent) doneWaiting?.();
      }
    }),
  ).catch((err: unknown) => {
    failure ??= err;
    doneWaiting?.();
  });
  const inflight = new Set<Promise<void>>();
  try {
    // The streams must stand at the end before the first record goes out, or it would be missed.
    const ready = performance.now() + 30_000;
    while (streams.some((s) => s.nextOffset === undefined) && failure === undefined && !hooks.signal?.aborted) {
      if (performance.now() > ready) throw new Error(`the consumer of ${w.topic} did not start within 30 s`);
      await pause(10, hooks.signal);
    }
    meter.start();
    const started = performance.now();
    const deadline = started + w.durationMs;
    const interval = 1000 / w.throughput;
    while (sent < w.records && failure === undefined && !hooks.signal?.aborted) {
      const now = performance.now();
      if (now >= deadline) break;
      const due = Math.min(w.records, Math.floor((now - started) / interval) + 1);
      if (due > sent && inflight.size < w.maxInFlight) {
        const messages: ProducerMessage[] = [];
        for (let i = sent; i < due; i++) {
          const value = Buffer.allocUnsafe(w.recordBytes);
          template.copy(value);
          value.writeDoubleLE(started + i * interval, 0);
          messages.push({ value });
        }
        sent = due;
        const p = producer.send({ topic: w.topic, messages }).then(
          () => undefined,
          (err: unknown) => {
            failure ??= err;
          },
        );
        inflight.add(p);
        void p.then(() => inflight.delete(p));
      }
      await pause(Math.max(0, started + sent * interval - performance.now()), hooks.signal);
      if (inflight.size >= w.maxInFlight) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    allSent = true;
    if (meter.recordCount < sent && failure === undefined && !hooks.signal?.aborted) {
      const drained = new Promise<void>((resolve) => (doneWaiting = resolve));
      const timeout = new AbortController();
      await Promise.race([drained, sleep(w.drainMs ?? 10_000, undefined, { signal: timeout.signal }).catch(() => undefined)]);
      timeout.abort();
    }
  } finally {
    meter.stop();
    hooks.signal?.removeEventListener('abort', onAbort);
    await consumer.close();
    await reading;
    await producer.close();
  }
  if (failure !== undefined) throw failure;
  const report = meter.stop();
  if (report.records < sent && !hooks.signal?.aborted) {
    throw new Error(`the consumer received ${report.records} of ${sent} records within ${w.drainMs ?? 10_000} ms after the last send`);
  }
  return report;
}
