/**
 * One read of a whole topic from its start, three ways, for the group rows of `npm run bench` and
 * for `npm run bench:groups` (issue 17's group-consume item, ADR 0048):
 * - direct: `samsa.consumer()` with every partition assigned (streaming Consume from the leaders);
 * - group, assign-only: an SDK group member with `delivery: 'direct'` (the default): the
 *   coordinator assigns and commits, the member reads from the leaders;
 * - group, relay: `delivery: 'relay'`: the coordinator reads and forwards every record.
 * Each group read uses a new group id, so it starts from the earliest offset.
 */
import type { Samsa } from '../libs/client/index.js';
import { cpuSecondsOf } from './stats.js';

export const READ_MODES = ['direct consume', 'group, assign-only', 'group, relay'] as const;
export type ReadMode = (typeof READ_MODES)[number];

/** One read of a whole topic, timed in its parts. */
export interface TopicRead {
  /** Bytes of the values read. */
  bytes: number;
  /**
   * From the call to the first chunk, in ms: a group member's join (find the coordinator, join,
   * sync, committed offsets), the direct consumer's offset lookup.
   */
  startMs: number;
  /**
   * Records/s from the first chunk to the last record: the steady read, without the start above
   * and without closing (a member leaves its group and commits on close). kafka-consumer-perf-test
   * reports its fetch rate the same way, the rebalance time apart.
   */
  rate: number;
  /** The whole read, start and close included, in seconds. */
  seconds: number;
}

/** Reads `records` records of `topic` (partitions 0..partitions-1) in `mode`. */
export async function readWholeTopic(
  samsa: Samsa,
  topic: string,
  partitions: number,
  records: number,
  mode: ReadMode,
  groupSuffix: string,
): Promise<TopicRead> {
  const t0 = performance.now();
  if (mode === 'direct consume') {
    const consumer = samsa.consumer({ reset: 'earliest' });
    consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
    return drain(t0, consumer.chunks(), records, () => consumer.close());
  }
  const relay = mode === 'group, relay';
  const member = samsa.groupConsumer({
    groupId: `bench-${relay ? 'relay' : 'direct'}-${groupSuffix}`,
    topics: [topic],
    delivery: relay ? 'relay' : 'direct',
  });
  return drain(t0, member.chunks(), records, () => member.close());
}

async function drain(
  t0: number,
  chunks: AsyncIterable<readonly { value: Uint8Array | null }[]>,
  records: number,
  close: () => Promise<void>,
): Promise<TopicRead> {
  let seen = 0;
  let bytes = 0;
  let first: { at: number; records: number } | undefined;
  let last = t0;
  try {
    for await (const chunk of chunks) {
      first ??= { at: performance.now(), records: chunk.length };
      seen += chunk.length;
      for (const m of chunk) bytes += m.value?.length ?? 0;
      if (seen >= records) break;
    }
    last = performance.now();
  } finally {
    await close();
  }
  if (!first || seen < records) throw new Error(`the read ended after ${seen} of ${records} records`);
  // The first chunk's records arrived at the clock's start, so they are not counted in the rate.
  const rate = last > first.at ? (seen - first.records) / ((last - first.at) / 1000) : 0;
  return { bytes, startMs: first.at - t0, rate, seconds: (performance.now() - t0) / 1000 };
}

/** One mode's figures over the alternated runs of {@link alternateReads}. */
export interface ModeRuns {
  mode: ReadMode;
  /** records/s of each run, from the first chunk to the last record ({@link TopicRead.rate}). */
  rates: number[];
  /** ms to the first chunk of each run ({@link TopicRead.startMs}). */
  startMs: number[];
  /** The coordinators' CPU-seconds per GB (10^9 bytes of values) read, each run. */
  coordinatorPerGb: number[];
}

/**
 * One unmeasured read per mode (page cache, connections, the coordinator's offsets partitions),
 * then `runs` rounds of every mode in turn, so load from others hits every mode alike.
 */
export async function alternateReads(
  samsa: Samsa,
  o: { topic: string; partitions: number; records: number; runs: number; coordinatorPids: (number | undefined)[]; tag: string },
  log: (line: string) => void,
): Promise<ModeRuns[]> {
  const read = (mode: ReadMode, run: string): Promise<TopicRead> =>
    readWholeTopic(samsa, o.topic, o.partitions, o.records, mode, `${o.tag}-${run}-${Date.now()}`);
  for (const mode of READ_MODES) await read(mode, 'warm');
  const out: ModeRuns[] = READ_MODES.map((mode) => ({ mode, rates: [], startMs: [], coordinatorPerGb: [] }));
  for (let run = 0; run < o.runs; run++) {
    for (const figures of out) {
      const cpu0 = await cpuSecondsOf(o.coordinatorPids);
      const r = await read(figures.mode, String(run));
      const perGb = ((await cpuSecondsOf(o.coordinatorPids)) - cpu0) / (r.bytes / 1e9);
      figures.rates.push(r.rate);
      figures.startMs.push(r.startMs);
      figures.coordinatorPerGb.push(perGb);
      log(
        `${figures.mode} ${o.tag} run ${run + 1}: ${Math.round(r.rate).toLocaleString('en-US')} records/s after ${r.startMs.toFixed(0)} ms to the first chunk (whole read ${Math.round(o.records / r.seconds).toLocaleString('en-US')} records/s), coordinator ${perGb.toFixed(2)} CPU-s/GB`,
      );
    }
  }
  return out;
}
