/**
 * Power loss, simulated after a kill -9: with `SAMSA_FSYNC=interval` a machine that loses power
 * loses what the page cache had not written yet, i.e. the last appends of each log. kill -9 alone
 * loses nothing (the OS keeps the dirty pages), so after the kill the tests cut the tail off the
 * files themselves, at a batch boundary, as the disk would hold them:
 *
 * - the active segment (`<base>.log` with the highest base) of each partition dir named loses its
 *   last `batches` record batches (all of them when it has fewer);
 * - that segment's `.index` and `.timeindex` are deleted (they were no more durable than the log;
 *   the log rebuilds them on an unclean start);
 * - the leader-epoch checkpoint stays (it is written with fsync and rename, so it survives);
 * - neither clean-shutdown marker may be present: not the broker's `<dataDir>/clean-shutdown`
 *   (libs/replica/partition-dir.ts) nor the log's `.clean-shutdown` (libs/log/file-names.ts). A
 *   kill -9 leaves neither; finding one means the harness is not simulating what it says, and it
 *   throws.
 *
 * Batches are walked with the v2 batch layout only (base offset int64, batch length int32 at the
 * start of each: libs/record/batch-header.ts); nothing is decoded or CRC-checked. The walk stops
 * at a torn batch (its length runs past the end of the file), which is then cut as well.
 */
import { existsSync, readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, OFF_BATCH_LENGTH, OFF_LAST_OFFSET_DELTA, readSafeInt64 } from '../../../libs/record/index.js';
import { CLEAN_SHUTDOWN_FILE as LOG_CLEAN_FILE, parseSegmentFileName, segmentPath } from '../../../libs/log/index.js';
import { CLEAN_SHUTDOWN_FILE as BROKER_CLEAN_FILE, partitionDir } from '../../../libs/replica/index.js';

/** A complete batch found in a segment file. */
export interface BatchSpan {
  /** Byte position of its first byte in the file. */
  position: number;
  /** Total bytes, header included. */
  size: number;
  baseOffset: number;
  /** Offset of its last record. */
  lastOffset: number;
}

/**
 * The complete batches of a segment file's bytes, in order, and where the complete part ends:
 * a trailing torn batch (too short for a header, or a length running past the end) is not one.
 */
export function scanBatches(bytes: Buffer): { batches: BatchSpan[]; completeBytes: number } {
  const batches: BatchSpan[] = [];
  let position = 0;
  while (position + BATCH_HEADER_SIZE <= bytes.length) {
    const size = LOG_OVERHEAD + bytes.readInt32BE(position + OFF_BATCH_LENGTH);
    if (size < BATCH_HEADER_SIZE || position + size > bytes.length) break;
    const baseOffset = readSafeInt64(bytes, position);
    batches.push({ position, size, baseOffset, lastOffset: baseOffset + bytes.readInt32BE(position + OFF_LAST_OFFSET_DELTA) });
    position += size;
  }
  return { batches, completeBytes: position };
}

/** What one cut did to one segment file. */
export interface TailCut {
  file: string;
  batchesBefore: number;
  batchesCut: number;
  bytesBefore: number;
  bytesAfter: number;
  /** The offset after the file's last complete batch, before and after the cut (its base when empty). */
  endOffsetBefore: number;
  endOffsetAfter: number;
}

/**
 * Truncates the segment file at `file` so that its last `batches` complete batches (and any torn
 * tail) are gone, cutting exactly at a batch boundary. An empty file, or one with fewer batches,
 * ends empty.
 */
export function cutLastBatches(file: string, batches: number): TailCut {
  const bytes = readFileSync(file);
  const scan = scanBatches(bytes);
  const keep = Math.max(0, scan.batches.length - batches);
  const kept = scan.batches[keep - 1];
  const last = scan.batches[scan.batches.length - 1];
  const bytesAfter = kept ? kept.position + kept.size : 0;
  const segmentBase = parseSegmentFileName(basename(file))?.baseOffset ?? 0;
  truncateSync(file, bytesAfter);
  return {
    file,
    batchesBefore: scan.batches.length,
    batchesCut: scan.batches.length - keep,
    bytesBefore: bytes.length,
    bytesAfter,
    endOffsetBefore: last ? last.lastOffset + 1 : segmentBase,
    endOffsetAfter: kept ? kept.lastOffset + 1 : segmentBase,
  };
}

/** The base offset of a log directory's active segment (its highest), or undefined when it has none. */
export function activeSegmentBase(dir: string): number | undefined {
  let active: number | undefined;
  for (const name of readdirSync(dir)) {
    const parsed = parseSegmentFileName(name);
    if (parsed?.kind === 'log' && (active === undefined || parsed.baseOffset > active)) active = parsed.baseOffset;
  }
  return active;
}

/**
 * Power loss on a stopped (killed) broker: for each of `partitions` of `topic` under `dataDir`,
 * cuts the last `batches` batches of the active segment and deletes its indexes (see the module
 * comment). Throws when a clean-shutdown marker is present or a partition dir is missing.
 */
export function loseUnflushedTail(dataDir: string, topic: string, partitions: readonly number[], batches: number): TailCut[] {
  if (existsSync(join(dataDir, BROKER_CLEAN_FILE)))
    throw new Error(`${dataDir} holds ${BROKER_CLEAN_FILE} after a kill -9: the broker cannot have written it`);
  const cuts: TailCut[] = [];
  for (const partition of partitions) {
    const dir = partitionDir(dataDir, topic, partition);
    if (!existsSync(dir)) throw new Error(`no replica dir ${dir} to cut`);
    if (existsSync(join(dir, LOG_CLEAN_FILE)))
      throw new Error(`${dir} holds ${LOG_CLEAN_FILE} after a kill -9: the log cannot have written it`);
    const base = activeSegmentBase(dir);
    if (base === undefined) continue;
    cuts.push(cutLastBatches(segmentPath(dir, base, 'log'), batches));
    rmSync(segmentPath(dir, base, 'index'), { force: true });
    rmSync(segmentPath(dir, base, 'timeindex'), { force: true });
  }
  return cuts;
}
