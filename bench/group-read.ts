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

/** Reads `records` records of `topic` (partitions 0..partitions-1) in `mode`; returns the bytes of their values. */
export async function readWholeTopic(
  samsa: Samsa,
  topic: string,
  partitions: number,
  records: number,
  mode: ReadMode,
  groupSuffix: string,
): Promise<number> {
  if (mode === 'direct consume') {
    const consumer = samsa.consumer({ reset: 'earliest' });
    consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
    return drain(consumer.chunks(), records, () => consumer.close());
  }
  const relay = mode === 'group, relay';
  const member = samsa.groupConsumer({
    groupId: `bench-${relay ? 'relay' : 'direct'}-${groupSuffix}`,
    topics: [topic],
    delivery: relay ? 'relay' : 'direct',
  });
  return drain(member.chunks(), records, () => member.close());
}

async function drain(
  chunks: AsyncIterable<readonly { value: Uint8Array | null }[]>,
  records: number,
  close: () => Promise<void>,
): Promise<number> {
  let seen = 0;
  let bytes = 0;
  try {
    for await (const chunk of chunks) {
      seen += chunk.length;
      for (const m of chunk) bytes += m.value?.length ?? 0;
      if (seen >= records) break;
    }
  } finally {
    await close();
  }
  return bytes;
}

/** One mode's figures over the alternated runs of {@link alternateReads}. */
export interface ModeRuns {
  mode: ReadMode;
  /** records/s of each run. */
  rates: number[];
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
  const read = (mode: ReadMode, run: string): Promise<number> =>
    readWholeTopic(samsa, o.topic, o.partitions, o.records, mode, `${o.tag}-${run}-${Date.now()}`);
  for (const mode of READ_MODES) await read(mode, 'warm');
  const out: ModeRuns[] = READ_MODES.map((mode) => ({ mode, rates: [], coordinatorPerGb: [] }));
  for (let run = 0; run < o.runs; run++) {
    for (const figures of out) {
      const cpu0 = await cpuSecondsOf(o.coordinatorPids);
      const t0 = performance.now();
      const bytes = await read(figures.mode, String(run));
      const rate = o.records / ((performance.now() - t0) / 1000);
      const perGb = ((await cpuSecondsOf(o.coordinatorPids)) - cpu0) / (bytes / 1e9);
      figures.rates.push(rate);
      figures.coordinatorPerGb.push(perGb);
      log(
        `${figures.mode} ${o.tag} run ${run + 1}: ${Math.round(rate).toLocaleString('en-US')} records/s, coordinator ${perGb.toFixed(2)} CPU-s/GB`,
      );
    }
  }
  return out;
}
