/**
 * The one place that builds and parses the names of a log's files. Base offsets are zero-padded
 * to 20 digits so that `ls` sorts segments numerically (as Kafka's LogFileUtils does).
 *
 *   00000000000000000000.log        batches, back to back
 *   00000000000000000000.index      sparse offset index (offset-index.ts)
 *   00000000000000000000.timeindex  sparse time index (time-index.ts)
 *   leader-epoch-checkpoint         epoch -> start offset (leader-epoch-cache.ts)
 *   .clean-shutdown                 present only after a clean close
 */
import { join } from 'node:path';

export type SegmentFileKind = 'log' | 'index' | 'timeindex';

export const CLEAN_SHUTDOWN_FILE = '.clean-shutdown';
export const EPOCH_CHECKPOINT_FILE = 'leader-epoch-checkpoint';

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
