/**
 * The one place that builds and parses the names of a log's files. Base offsets are zero-padded
 * to 20 digits so that `ls` sorts segments numerically (as Kafka's LogFileUtils does).
 *
 *   00000000000000000000.log        batches, back to back
 *   00000000000000000000.index      sparse offset index (offset-index.ts)
 *   00000000000000000000.timeindex  sparse time index (time-index.ts)
 *   leader-epoch-checkpoint         epoch -> start offset (leader-epoch-cache.ts)
 *   cleaner-offset-checkpoint       where the log cleaner's dirty section starts (partition-log.ts)
 *   00000000000000000000.snapshot   idempotent producers' table as of that offset (producer-snapshots.ts)
 *   .clean-shutdown                 present only after a clean close
 *
 * The log cleaner's replacement of segments [base, end) by one cleaned segment (cleaner.ts):
 *
 *   <base>.<end>.cleaned            being written; deleted on open (the old segments are intact)
 *   <base>.<end>.swap               complete and fsynced; on open every segment with a base offset
 *                                   in [base, end) is deleted and the swap becomes <base>.log
 */
import { join } from 'node:path';

export type SegmentFileKind = 'log' | 'index' | 'timeindex';

export const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';
export const EPOCH_CHECKPOINT_FILE = 'leader-epoch-checkpoint';
export const CLEANER_CHECKPOINT_FILE = 'cleaner-offset-checkpoint';

export type ReplacementKind = 'cleaned' | 'swap';

/** The file holding the cleaned replacement of segments [baseOffset, endOffset), in stage `kind`. */
export function replacementPath(dir: string, baseOffset: number, endOffset: number, kind: ReplacementKind): string {
  return join(dir, `${String(baseOffset).padStart(20, '0')}.${String(endOffset).padStart(20, '0')}.${kind}`);
}

/** The range and stage of a replacement file name, or undefined for any other file. */
export function parseReplacementFileName(name: string): { baseOffset: number; endOffset: number; kind: ReplacementKind } | undefined {
  const m = /^(\d{20})\.(\d{20})\.(cleaned|swap)$/.exec(name);
  if (!m) return undefined;
  const baseOffset = Number(m[1]);
  const endOffset = Number(m[2]);
  if (!Number.isSafeInteger(baseOffset) || !Number.isSafeInteger(endOffset) || endOffset <= baseOffset) return undefined;
  return { baseOffset, endOffset, kind: m[3] as ReplacementKind };
}

export function segmentFileName(baseOffset: number, kind: SegmentFileKind): string {
  return `${String(baseOffset).padStart(20, '0')}.${kind}`;
}

export function segmentPath(dir: string, baseOffset: number, kind: SegmentFileKind): string {
  return join(dir, segmentFileName(baseOffset, kind));
}

/** The base offset and kind of a segment file name, or undefined for any other file. */
export function parseSegmentFileName(name: string): { baseOffset: number; kind: SegmentFileKind } | undefined {
  const m = /^(\d{20})\.(log|index|timeindex)$/.exec(name);
  if (!m) return undefined;
  const baseOffset = Number(m[1]);
  if (!Number.isSafeInteger(baseOffset)) return undefined;
  return { baseOffset, kind: m[2] as SegmentFileKind };
}
