/**
 * Benchmark of the storage layer alone (no network): append and sequential read throughput of
 * 100-byte records in 1,000-record batches, for each fsync policy. Batches are built before the
 * clock starts, so the figures are the log's, not the codec's.
 *
 *   npm run bench:log                      # defaults: 300 MB per policy ('always': 60 MB)
 *   SAMSA_BENCH_MB=100 npm run bench:log
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { buildBatch } from '../libs/record/index.js';
import { DEFAULT_LOG_CONFIG, PartitionLog, type LogConfig } from '../libs/log/index.js';

const RECORD_BYTES = 100;
const RECORDS_PER_BATCH = 1000;
const totalMb = Number(process.env.SAMSA_BENCH_MB ?? '300');

function makeBatches(count: number): Buffer[] {
  // A fixed pseudo-random fill (seeded) so runs are comparable and values are not all zeros.
  let seed = 42;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  const value = Buffer.alloc(RECORD_BYTES);
  for (let i = 0; i < RECORD_BYTES; i++) value[i] = rnd();
  return Array.from({ length: count }, () =>
    buildBatch(
      Array.from({ length: RECORDS_PER_BATCH }, () => ({ value })),
      { nowMs: Date.now() },
    ),
  );
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
const rate = (n: number, s: number): string => Math.round(n / s).toLocaleString('en-US');

async function run(label: string, fsync: LogConfig['fsync'], megabytes: number, pool: Buffer[], print = true): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-log-bench-'));
  try {
    const log = await PartitionLog.open(dir, { ...DEFAULT_LOG_CONFIG, segmentBytes: 128 * 1024 * 1024, fsync });
    const batchBytes = (pool[0] as Buffer).length;
    const batches = Math.ceil((megabytes * 1e6) / batchBytes);
    const t0 = process.hrtime.bigint();
    let lastReport = Date.now();
    for (let i = 0; i < batches; i++) {
      await log.appendAsLeader(pool[i % pool.length] as Buffer, 0);
      if (Date.now() - lastReport > 2000) {
        lastReport = Date.now();
        process.stderr.write(`  ${label}: ${Math.round((100 * i) / batches)}%\r`);
      }
    }
    await log.flush();
    const appendS = Number(process.hrtime.bigint() - t0) / 1e9;
    const records = batches * RECORDS_PER_BATCH;
    const bytes = batches * batchBytes;
    const t1 = process.hrtime.bigint();
    let offset = 0;
    let readBytes = 0;
    while (offset < log.logEndOffset) {
      const r = await log.read(offset, 1024 * 1024);
      readBytes += r.bytes.length;
      offset = r.nextOffset;
    }
    const readS = Number(process.hrtime.bigint() - t1) / 1e9;
    const rss = process.memoryUsage().rss;
    if (print)
      console.log(
        `| ${label} | ${rate(records, appendS)} | ${mb(bytes / appendS)} | ${rate(records, readS)} | ${mb(readBytes / readS)} | ${mb(bytes)} | ${(rss / 1048576).toFixed(0)} |`,
      );
    await log.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `Samsa log benchmark: ${RECORD_BYTES}-byte records, ${RECORDS_PER_BATCH} per batch; ${cpus().length} cores; node ${process.version}; ${new Date().toISOString()}`,
);
console.log('| fsync policy | append records/s | append MB/s | read records/s | read MB/s | MB written | RSS MiB |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
const pool = makeBatches(64);
// Warm-up (JIT, allocator, file system): not reported.
await run('warm-up', { mode: 'never', intervalMs: 1000 }, Math.min(100, totalMb), pool, false);
await run('never', { mode: 'never', intervalMs: 1000 }, totalMb, pool);
await run('interval 1000 ms (default)', { mode: 'interval', intervalMs: 1000 }, totalMb, pool);
await run('always (every batch)', { mode: 'always', intervalMs: 1000 }, Math.max(10, Math.round(totalMb / 5)), pool);
