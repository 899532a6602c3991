/**
 * The power-loss simulation of harness/tail-cutter.ts cuts where it says: at a batch boundary,
 * the last N batches of the active segment only, a torn tail with them, the active segment's
 * indexes deleted; and the log, opened afterwards as after a crash, ends exactly at the cut and
 * holds the bytes before it unchanged. It refuses a directory holding a clean-shutdown marker.
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CLEAN_SHUTDOWN_FILE as LOG_CLEAN_FILE, DEFAULT_LOG_CONFIG, PartitionLog } from '../../libs/log/index.js';
import { parseSegmentFileName, segmentPath } from '../../libs/log/index.js';
import { buildBatch } from '../../libs/record/index.js';
import { CLEAN_SHUTDOWN_FILE as BROKER_CLEAN_FILE, partitionDir } from '../../libs/replica/index.js';
import { cutLastBatches, loseUnflushedTail, scanBatches } from './harness/tail-cutter.js';

function tempDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'samsa-fault-tail-cutter-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

/** A log of `batches` batches of `perBatch` records each under `dir`, closed (so it holds the clean marker). */
async function writeLog(dir: string, batches: number, perBatch: number, config = DEFAULT_LOG_CONFIG): Promise<void> {
  const log = await PartitionLog.open(dir, config);
  for (let b = 0; b < batches; b++) {
    await log.appendAsLeader(
      buildBatch(
        Array.from({ length: perBatch }, (_, i) => ({ value: Buffer.from(`v-${b}-${i}`) })),
        { nowMs: 1 },
      ),
      0,
    );
  }
  await log.close();
}

async function readAllBytes(dir: string): Promise<{ end: number; bytes: Buffer }> {
  const log = await PartitionLog.open(dir, DEFAULT_LOG_CONFIG);
  try {
    const parts: Buffer[] = [];
    for (let offset = log.logStartOffset; offset < log.logEndOffset;) {
      const read = await log.read(offset, 1024 * 1024);
      if (read.bytes.length === 0) break;
      parts.push(Buffer.from(read.bytes));
      offset = read.nextOffset;
    }
    return { end: log.logEndOffset, bytes: Buffer.concat(parts) };
  } finally {
    await log.close();
  }
}

describe('scanBatches / cutLastBatches', () => {
  it('finds every batch by its length field and stops before a torn one', async () => {
    const dir = join(tempDir(), 't-0');
    await writeLog(dir, 5, 3);
    const file = segmentPath(dir, 0, 'log');
    const whole = readFileSync(file);
    const scan = scanBatches(whole);
    expect(scan.batches.map((b) => [b.baseOffset, b.lastOffset])).toEqual([
      [0, 2],
      [3, 5],
      [6, 8],
      [9, 11],
      [12, 14],
    ]);
    expect(scan.completeBytes).toBe(whole.length);
    // Half a batch appended: not a batch.
    appendFileSync(file, whole.subarray(0, 40));
    expect(scanBatches(readFileSync(file)).batches).toHaveLength(5);
    expect(scanBatches(readFileSync(file)).completeBytes).toBe(whole.length);

    // Cut two: the torn tail goes with them, and the cut is exactly at the end of batch 3.
    const cut = cutLastBatches(file, 2);
    expect(cut).toMatchObject({ batchesBefore: 5, batchesCut: 2, bytesBefore: whole.length + 40, endOffsetBefore: 15, endOffsetAfter: 9 });
    const third = scan.batches[2];
    expect(cut.bytesAfter).toBe((third?.position ?? 0) + (third?.size ?? 0));
    expect(readFileSync(file).equals(whole.subarray(0, cut.bytesAfter))).toBe(true);

    // More than there are: the file ends empty.
    expect(cutLastBatches(file, 40)).toMatchObject({ batchesBefore: 3, batchesCut: 3, bytesAfter: 0, endOffsetAfter: 0 });
    expect(readFileSync(file).length).toBe(0);
  });
});

describe('loseUnflushedTail', () => {
  it('cuts the last N batches of the active segment only, deletes its indexes, and the log reopens ending at the cut', async () => {
    const dataDir = tempDir();
    const dir = partitionDir(dataDir, 't', 0);
    // Small segments: several of them, so only the last may lose anything.
    const config = { ...DEFAULT_LOG_CONFIG, segmentBytes: 2_000 };
    await writeLog(dir, 60, 4, config);
    const before = await readAllBytes(dir);
    rmSync(join(dir, LOG_CLEAN_FILE), { force: true });
    const segmentsBefore = scanSegments(dir);
    expect(segmentsBefore.length, 'the log rolled segments').toBeGreaterThan(2);
    const activeBase = segmentsBefore[segmentsBefore.length - 1] as number;
    const activeBatches = scanBatches(readFileSync(segmentPath(dir, activeBase, 'log'))).batches.length;
    const n = Math.min(3, activeBatches);

    const [cut, ...others] = loseUnflushedTail(dataDir, 't', [0], n);
    expect(others).toEqual([]);
    expect(cut?.file).toBe(segmentPath(dir, activeBase, 'log'));
    expect(cut?.batchesCut).toBe(n);
    expect(cut?.endOffsetBefore).toBe(before.end);
    expect(existsSync(segmentPath(dir, activeBase, 'index'))).toBe(false);
    expect(existsSync(segmentPath(dir, activeBase, 'timeindex'))).toBe(false);
    // Older segments untouched, indexes and all.
    for (const base of segmentsBefore.slice(0, -1)) expect(existsSync(segmentPath(dir, base, 'index'))).toBe(true);

    // Reopened as after a crash (no clean marker): it ends at the cut and holds the same bytes before it.
    const after = await readAllBytes(dir);
    expect(after.end).toBe(cut?.endOffsetAfter);
    expect(after.end).toBe(before.end - n * 4);
    expect(before.bytes.subarray(0, after.bytes.length).equals(after.bytes)).toBe(true);
  });

  it('refuses a data dir or a log dir that holds a clean-shutdown marker (a kill -9 never leaves one)', async () => {
    const dataDir = tempDir();
    const dir = partitionDir(dataDir, 't', 0);
    await writeLog(dir, 3, 1);
    expect(() => loseUnflushedTail(dataDir, 't', [0], 1)).toThrow(LOG_CLEAN_FILE);
    rmSync(join(dir, LOG_CLEAN_FILE));
    writeFileSync(join(dataDir, BROKER_CLEAN_FILE), '');
    expect(() => loseUnflushedTail(dataDir, 't', [0], 1)).toThrow(BROKER_CLEAN_FILE);
    rmSync(join(dataDir, BROKER_CLEAN_FILE));
    mkdirSync(join(dataDir, 'other'), { recursive: true });
    expect(() => loseUnflushedTail(dataDir, 't', [1], 1)).toThrow('no replica dir');
    expect(loseUnflushedTail(dataDir, 't', [0], 1)[0]?.batchesCut).toBe(1);
  });
});

function scanSegments(dir: string): number[] {
  return readdirSync(dir)
    .map((name) => parseSegmentFileName(name))
    .filter((x) => x?.kind === 'log')
    .map((x) => x?.baseOffset as number)
    .sort((a, b) => a - b);
}
