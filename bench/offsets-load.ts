/**
 * A coordinator's load of __consumer_offsets before and after compaction, and the log cleaner's
 * throughput, in one process on the storage layer (no network): 1,000,000 commits (default) to
 * 1,000 groups x 4 partitions each, written as the coordinator writes them (libs/group
 * offsetRecord, one commit of one group's 4 offsets per batch, 4 MiB segments as the controller
 * creates the topic) into one PartitionLog; then the replay a coordinator does on takeover (read
 * every batch from the start, decode, apply to OffsetsState) is timed; then one cleaning pass
 * (unthrottled, 16 MiB map) is timed; then the replay again. The network hop of the real replay
 * (Consume stream from the leader) is not included, so absolute load times are lower bounds; the
 * ratio is the point. One log holds all 1,000 groups: the worst case of one partition.
 *
 *   npm run build && node dist/bench/offsets-load.js          # SAMSA_BENCH_COMMITS=200000 for less
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LOG_CONFIG, OffsetMap, PartitionLog, Throttler } from '../libs/log/index.js';
import { systemClock } from '../libs/runtime/index.js';
import { buildBatch, decodeRecordsFrom } from '../libs/record/index.js';
import { OffsetsState, offsetRecord } from '../libs/group/index.js';

const COMMITS = Number(process.env.SAMSA_BENCH_COMMITS ?? 1_000_000);
const GROUPS = 1_000;
const PARTITIONS_PER_GROUP = 4;

async function replay(log: PartitionLog): Promise<{ ms: number; records: number; groups: number; bytes: number }> {
  const started = performance.now();
  const state = new OffsetsState();
  let next = log.logStartOffset;
  let records = 0;
  let bytes = 0;
  while (next < log.logEndOffset) {
    const r = await log.read(next, 1 << 20);
    if (r.bytes.length === 0) break;
    bytes += r.bytes.length;
    for (const rec of decodeRecordsFrom(r.bytes, next)) {
      state.applyStored(rec.key, rec.value, rec.headers);
      records++;
    }
    next = r.nextOffset;
  }
  return { ms: performance.now() - started, records, groups: state.groupIds().length, bytes };
}

const dir = mkdtempSync(join(tmpdir(), 'samsa-offsets-bench-'));
try {
  const config = {
    ...DEFAULT_LOG_CONFIG,
    segmentBytes: 4 * 1024 * 1024,
    cleanupPolicy: { delete: false, compact: true },
    minCleanableDirtyRatio: 0,
    fsync: { mode: 'never' as const, intervalMs: 1000 },
  };
  const log = await PartitionLog.open(dir, config);
  const commitsPerBatch = PARTITIONS_PER_GROUP;
  const writeStarted = performance.now();
  for (let c = 0; c < COMMITS / commitsPerBatch; c++) {
    const group = `group-${c % GROUPS}`;
    const records = Array.from({ length: PARTITIONS_PER_GROUP }, (_, p) => {
      const r = offsetRecord(group, { topic: 'orders', partition: p }, { offset: c, metadata: '', commitTimestampMs: Date.now() }, 1);
      return { key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value) };
    });
    await log.appendAsLeader(buildBatch(records), 0);
  }
  const writeMs = performance.now() - writeStarted;
  const before = await replay(log);
  const map = new OffsetMap(16 * 1024 * 1024);
  const cleanStarted = performance.now();
  const cpuBefore = process.cpuUsage();
  const stats = await log.clean({
    map,
    throttler: new Throttler(Number.POSITIVE_INFINITY, systemClock),
    upperBoundOffset: log.logEndOffset,
  });
  const cpu = process.cpuUsage(cpuBefore);
  const cleanMs = performance.now() - cleanStarted;
  const after = await replay(log);
  const dirtyMb = (stats?.bytesRead ?? 0) / 2 / 1e6; // each dirty byte is read twice (map, then rewrite)
  console.log(JSON.stringify({ commits: COMMITS, groups: GROUPS, segments: log.segmentCount, writeMs: Math.round(writeMs) }));
  console.log(
    `before compaction: replay ${before.records} records (${(before.bytes / 1e6).toFixed(1)} MB) -> ${before.groups} groups in ${before.ms.toFixed(0)} ms`,
  );
  console.log(
    `cleaning: ${dirtyMb.toFixed(1)} MB of dirty log in ${cleanMs.toFixed(0)} ms = ${(dirtyMb / (cleanMs / 1000)).toFixed(1)} MB/s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s; kept ${stats?.recordsKept} of ${stats?.recordsRead}`,
  );
  console.log(
    `after compaction: replay ${after.records} records (${(after.bytes / 1e6).toFixed(1)} MB) -> ${after.groups} groups in ${after.ms.toFixed(0)} ms`,
  );
  await log.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
