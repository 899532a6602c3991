/**
 * What every fault scenario checks at its end, in this order:
 *
 * 1. converge(): the producer is stopped and has settled (one acks=all write per partition went
 *    through after the fault); wait until every partition's ISR is its full replica set again and
 *    its leader's high watermark stands still. With no writes and a full ISR, the high watermark
 *    is the leader's log end offset and every replica holds it.
 * 2. readBack() + verifyLog(): every partition read from its leader, from 0 to the high watermark,
 *    and held to the producer's record: every acknowledged record present at the offset it was
 *    acknowledged at, no record at two offsets, no record nobody sent, offsets gapless from 0.
 * 3. compareReplicas(): after the brokers stopped cleanly, every replica directory opened with
 *    PartitionLog: each must end at the high watermark and hold the same bytes below it.
 */
import { existsSync } from 'node:fs';
import { DEFAULT_LOG_CONFIG, PartitionLog } from '../../../libs/log/index.js';
import { decodeRecordsFrom } from '../../../libs/record/index.js';
import { partitionDir } from '../../../libs/replica/index.js';
import { waitUntil } from '../../../tools/launcher/index.js';
import { sameSet, type FaultCluster } from './fault-cluster.js';
import type { AckedPlace } from './load-producer.js';
import type { PartitionView } from './probe.js';

export interface PartitionEnd {
  partition: number;
  leaderId: number;
  replicas: number[];
  highWatermark: number;
}

export interface ReadRecord {
  partition: number;
  offset: number;
  value: string;
}

export interface LogVerdict {
  acked: number;
  readBack: number;
  /** Acknowledged values missing, or found elsewhere than where they were acknowledged. */
  lost: string[];
  /** Values found at more than one place. */
  duplicated: string[];
  /** Sent, never acknowledged, and in the log all the same (allowed: the answer was lost or late). */
  unackedPresent: number;
  /** Values in the log that this producer never sent. */
  unknown: string[];
  /** Holes or disorder in the offsets, one line each. */
  offsetErrors: string[];
}

export interface ReplicaVerdict {
  partition: number;
  highWatermark: number;
  /** Broker id -> its log end offset on disk. */
  logEnds: Record<number, number>;
  /** Broker ids whose bytes below the high watermark differ from the leader's, with where. */
  mismatches: string[];
}

/**
 * Waits until every partition has a leader serving it, an ISR equal to its replicas, and a high
 * watermark that stayed the same across two looks `stableMs` apart; returns each one's end.
 */
export async function converge(cluster: FaultCluster, topic: string, timeoutMs = 30_000, stableMs = 500): Promise<PartitionEnd[]> {
  let previous = '';
  let ends: PartitionEnd[] = [];
  await waitUntil(
    async () => {
      const views = await cluster.probe.describe(cluster.controllerAddresses(), topic);
      if (!views || !views.every((p) => p.leaderId >= 0 && sameSet(p.isr, p.replicas))) {
        previous = '';
        return false;
      }
      const now: PartitionEnd[] = [];
      for (const p of views) {
        const hw = await highWatermark(cluster, topic, p);
        if (hw === undefined) return false;
        now.push({ partition: p.partition, leaderId: p.leaderId, replicas: p.replicas, highWatermark: hw });
      }
      const key = JSON.stringify(now);
      const stable = key === previous;
      previous = key;
      ends = now;
      return stable;
    },
    timeoutMs,
    `topic ${topic} to converge (full ISR everywhere, high watermarks standing still); last: ${previous || 'not yet a full ISR'}`,
    stableMs,
  );
  return ends;
}

/**
 * Where each partition stands now, converged or not: partitions with a serving leader, with that
 * leader's high watermark. For the evidence a scenario prints when converge() never succeeded.
 */
export async function currentEnds(cluster: FaultCluster, topic: string): Promise<PartitionEnd[]> {
  const views = (await cluster.probe.describe(cluster.controllerAddresses(), topic)) ?? [];
  const ends: PartitionEnd[] = [];
  for (const p of views) {
    if (p.leaderId < 0) continue;
    const hw = await highWatermark(cluster, topic, p);
    if (hw !== undefined) ends.push({ partition: p.partition, leaderId: p.leaderId, replicas: p.replicas, highWatermark: hw });
  }
  return ends;
}

async function highWatermark(cluster: FaultCluster, topic: string, p: PartitionView): Promise<number | undefined> {
  try {
    return (await cluster.probe.listOffsets(cluster.broker(p.leaderId).address, topic, p.partition)).highWatermark;
  } catch {
    return undefined;
  }
}

/**
 * Every record of every partition below its high watermark, read from its leader with Fetch. A
 * leader may move while it reads (preferred-leader rebalancing): a refused or empty read is asked
 * again of whoever leads then, for up to `timeoutMs` per partition.
 */
export async function readBack(
  cluster: FaultCluster,
  topic: string,
  ends: readonly PartitionEnd[],
  timeoutMs = 15_000,
): Promise<ReadRecord[][]> {
  const out: ReadRecord[][] = [];
  for (const end of ends) {
    const records: ReadRecord[] = [];
    const deadline = Date.now() + timeoutMs;
    let leaderId = end.leaderId;
    let offset = 0;
    let trouble = '';
    while (offset < end.highWatermark) {
      const decoded = await cluster.probe
        .fetch(cluster.broker(leaderId).address, {
          topic,
          partition: end.partition,
          offset,
          maxBytes: 1024 * 1024,
          minBytes: 0,
          maxWaitMs: 0,
          format: 'RECORD_FORMAT_BATCHES',
        })
        .then(
          (res) => decodeRecordsFrom(res.batches, offset),
          (err: unknown) => {
            trouble = err instanceof Error ? err.message : String(err);
            return [];
          },
        );
      if (decoded.length === 0) {
        if (Date.now() > deadline)
          throw new Error(
            `partition ${end.partition}: no records at ${offset} below the high watermark ${end.highWatermark} from leader ${leaderId} for ${timeoutMs} ms (${trouble || 'empty reads'})`,
          );
        await new Promise((r) => setTimeout(r, 200));
        const now = await cluster.partition(topic, end.partition).catch(() => undefined);
        if (now && now.leaderId >= 0) leaderId = now.leaderId;
        continue;
      }
      for (const r of decoded) {
        if (r.offset >= end.highWatermark) break;
        records.push({ partition: end.partition, offset: r.offset, value: r.value?.toString() ?? '<null>' });
      }
      offset = (decoded[decoded.length - 1] as { offset: number }).offset + 1;
    }
    out.push(records);
  }
  return out;
}

/** What a producer put on the wire and what was acknowledged where (LoadProducer has both). */
export interface ProducedRecords {
  sent: ReadonlySet<string>;
  acked: ReadonlyMap<string, AckedPlace>;
}

/** Holds what was read to what the producer sent and was acknowledged; see LogVerdict. */
export function verifyLog(load: ProducedRecords, partitions: readonly ReadRecord[][]): LogVerdict {
  const verdict: LogVerdict = {
    acked: load.acked.size,
    readBack: 0,
    lost: [],
    duplicated: [],
    unackedPresent: 0,
    unknown: [],
    offsetErrors: [],
  };
  const places = new Map<string, ReadRecord[]>();
  for (const records of partitions) {
    records.forEach((r, i) => {
      if (r.offset !== i) verdict.offsetErrors.push(`partition ${r.partition}: record #${i} has offset ${r.offset}`);
      const seen = places.get(r.value);
      if (seen) seen.push(r);
      else places.set(r.value, [r]);
    });
    verdict.readBack += records.length;
  }
  for (const [value, seen] of places) {
    if (seen.length > 1) verdict.duplicated.push(`${value} at ${seen.map((r) => `${r.partition}/${r.offset}`).join(', ')}`);
    if (!load.sent.has(value)) verdict.unknown.push(`${value} at ${seen[0]?.partition}/${seen[0]?.offset}`);
    else if (!load.acked.has(value)) verdict.unackedPresent++;
  }
  for (const [value, place] of load.acked) {
    const seen = places.get(value) ?? [];
    if (!seen.some((r) => r.partition === place.partition && r.offset === place.offset)) {
      verdict.lost.push(
        `${value} acked at ${place.partition}/${place.offset}, found at [${seen.map((r) => `${r.partition}/${r.offset}`).join(', ')}]`,
      );
    }
  }
  return verdict;
}

export interface ObservedVerdict {
  /** Records the live consumer read during the run. */
  read: number;
  /** Records read during the run that the end state holds elsewhere or not at all, one line each. */
  moved: string[];
}

/**
 * Holds what a consumer read while the scenario ran (committed records: it reads below the high
 * watermark) to the final read-back: each must still be at the offset it was read at.
 */
export function verifyObserved(observed: readonly ReadRecord[][], final: readonly ReadRecord[][]): ObservedVerdict {
  const verdict: ObservedVerdict = { read: 0, moved: [] };
  const at = new Map<string, string>();
  const where = new Map<string, string[]>();
  const ends = new Map<number, number>();
  for (const records of final) {
    for (const r of records) {
      at.set(`${r.partition}/${r.offset}`, r.value);
      const w = where.get(r.value);
      if (w) w.push(`${r.partition}/${r.offset}`);
      else where.set(r.value, [`${r.partition}/${r.offset}`]);
      ends.set(r.partition, Math.max(ends.get(r.partition) ?? 0, r.offset + 1));
    }
  }
  for (const records of observed) {
    for (const r of records) {
      verdict.read++;
      const place = `${r.partition}/${r.offset}`;
      const now = at.get(place);
      if (now === r.value) continue;
      const found = `found at [${(where.get(r.value) ?? []).join(', ')}]`;
      verdict.moved.push(
        now === undefined
          ? `${r.value} read at ${place} during the run; the final log of partition ${r.partition} ends at ${ends.get(r.partition) ?? 0}; ${found}`
          : `${r.value} read at ${place} during the run; ${place} now holds ${now}; ${found}`,
      );
    }
  }
  return verdict;
}

/**
 * Reads every replica of every partition from disk, broker `id`'s under `dataDirOf(id)` (the
 * brokers must be stopped), and compares it with the leader's replica below the high watermark.
 */
export async function compareReplicas(
  dataDirOf: (brokerId: number) => string,
  topic: string,
  ends: readonly PartitionEnd[],
): Promise<ReplicaVerdict[]> {
  const out: ReplicaVerdict[] = [];
  for (const end of ends) {
    const verdict: ReplicaVerdict = { partition: end.partition, highWatermark: end.highWatermark, logEnds: {}, mismatches: [] };
    const bytes = new Map<number, Buffer>();
    for (const id of end.replicas) {
      const dir = partitionDir(dataDirOf(id), topic, end.partition);
      if (!existsSync(dir)) {
        verdict.mismatches.push(`broker ${id} has no replica dir ${dir}`);
        continue;
      }
      const log = await PartitionLog.open(dir, DEFAULT_LOG_CONFIG);
      try {
        verdict.logEnds[id] = log.logEndOffset;
        bytes.set(id, await readAll(log, end.highWatermark));
      } finally {
        await log.close();
      }
    }
    const reference = bytes.get(end.leaderId);
    for (const [id, b] of bytes) {
      if (verdict.logEnds[id] !== end.highWatermark)
        verdict.mismatches.push(`broker ${id} ends at ${verdict.logEnds[id]}, not at the high watermark ${end.highWatermark}`);
      if (reference && id !== end.leaderId && !b.equals(reference))
        verdict.mismatches.push(`broker ${id}: ${firstDifference(reference, b)} (leader ${end.leaderId})`);
    }
    out.push(verdict);
  }
  return out;
}

/** The log's batches from offset 0 up to (not including) `end`, concatenated. */
async function readAll(log: PartitionLog, end: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = log.logStartOffset;
  const limit = Math.min(end, log.logEndOffset);
  while (offset < limit) {
    const read = await log.read(offset, 1024 * 1024, limit);
    if (read.bytes.length === 0) break;
    parts.push(Buffer.from(read.bytes));
    offset = read.nextOffset;
  }
  return Buffer.concat(parts);
}

function firstDifference(a: Buffer, b: Buffer): string {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return `bytes differ from byte ${i} (of ${a.length} vs ${b.length})`;
  return `one is a prefix of the other (${a.length} vs ${b.length} bytes)`;
}
