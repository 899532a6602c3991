/**
 * The summaries of a broker's replicas as its clean shutdown left them (ADR 0051): one file,
 * `<dataDir>/replica-summaries.json`, written after every log closed cleanly and before the
 * broker's clean-shutdown marker, read at the next start only when that marker is there, and
 * deleted at start either way (like the marker, it vouches only for the shutdown that wrote it).
 * A replica found in it, with the topic id of the topic assigned now, is hosted without opening
 * its files (lazy-log.ts).
 *
 *   {"version":1,"replicas":{"<topic>-<partition>":{"topicId":"..","logStartOffset":0,
 *     "logEndOffset":0,"sizeInBytes":0,"segmentCount":1,"activeSegmentBaseOffset":0,
 *     "epochs":[[epoch,startOffset],...]}, ...}}
 *
 * Anything unreadable or malformed is ignored as a whole or per entry: a replica without a usable
 * entry is opened (and recovered if need be) as before, which is always safe.
 */
import { readFile, rename, unlink, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReplicaSummary } from './lazy-log.js';

export const REPLICA_SUMMARIES_FILE = 'replica-summaries.json';

export interface StoredSummary extends ReplicaSummary {
  topicId: string;
}

interface FileEntry {
  topicId: string;
  logStartOffset: number;
  logEndOffset: number;
  sizeInBytes: number;
  segmentCount: number;
  activeSegmentBaseOffset: number;
  epochs: [number, number][];
  activeSegmentBytes?: number;
}

const isOffset = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** One entry of the file, or undefined when it is not well formed. */
export function parseEntry(raw: unknown): StoredSummary | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const e = raw as Partial<Record<keyof FileEntry, unknown>>;
  if (typeof e.topicId !== 'string' || !Array.isArray(e.epochs)) return undefined;
  const { logStartOffset, logEndOffset, sizeInBytes, segmentCount, activeSegmentBaseOffset } = e;
  if (!isOffset(logStartOffset) || !isOffset(logEndOffset) || !isOffset(sizeInBytes) || !isOffset(activeSegmentBaseOffset))
    return undefined;
  if (!isOffset(segmentCount) || segmentCount < 1 || logStartOffset > logEndOffset) return undefined;
  const epochs: { epoch: number; startOffset: number }[] = [];
  for (const pair of e.epochs as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2) return undefined;
    const [epoch, startOffset] = pair as unknown[];
    if (typeof epoch !== 'number' || !Number.isInteger(epoch) || !isOffset(startOffset)) return undefined;
    const last = epochs[epochs.length - 1];
    if (last && (epoch <= last.epoch || startOffset < last.startOffset)) return undefined;
    epochs.push({ epoch, startOffset });
  }
  const summary: StoredSummary = {
    topicId: e.topicId,
    logStartOffset,
    logEndOffset,
    sizeInBytes,
    segmentCount,
    activeSegmentBaseOffset,
    epochs,
  };
  if (e.activeSegmentBytes !== undefined) {
    if (!isOffset(e.activeSegmentBytes)) return undefined;
    summary.activeSegmentBytes = e.activeSegmentBytes;
  }
  return summary;
}

/** The file's text for these replicas (keyed by partition directory name). */
export function formatSummaries(replicas: ReadonlyMap<string, StoredSummary>): string {
  const out: Record<string, FileEntry> = {};
  for (const [key, s] of replicas) {
    out[key] = {
      topicId: s.topicId,
      logStartOffset: s.logStartOffset,
      logEndOffset: s.logEndOffset,
      sizeInBytes: s.sizeInBytes,
      segmentCount: s.segmentCount,
      activeSegmentBaseOffset: s.activeSegmentBaseOffset,
      epochs: s.epochs.map((x) => [x.epoch, x.startOffset]),
      ...(s.activeSegmentBytes !== undefined ? { activeSegmentBytes: s.activeSegmentBytes } : {}),
    };
  }
  return JSON.stringify({ version: 1, replicas: out });
}

/** The well-formed entries of the file's text; an unreadable file gives none. */
export function parseSummaries(text: string): Map<string, StoredSummary> {
  const result = new Map<string, StoredSummary>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return result;
  }
  if (typeof parsed !== 'object' || parsed === null) return result;
  const { version, replicas } = parsed as { version?: unknown; replicas?: unknown };
  if (version !== 1 || typeof replicas !== 'object' || replicas === null) return result;
  for (const [key, raw] of Object.entries(replicas as Record<string, unknown>)) {
    const entry = parseEntry(raw);
    if (entry) result.set(key, entry);
  }
  return result;
}

/**
 * Reads the summaries (only when `trusted`: the broker's clean-shutdown marker was there) and
 * deletes the file either way.
 */
export async function takeSummaries(dataDir: string, trusted: boolean): Promise<Map<string, StoredSummary>> {
  const path = join(dataDir, REPLICA_SUMMARIES_FILE);
  let text: string | undefined;
  if (trusted) text = await readFile(path, 'utf8').catch(() => undefined);
  await unlink(path).catch(() => undefined);
  return text === undefined ? new Map() : parseSummaries(text);
}

/** Writes the summaries durably (temp file, fsync, rename) before the clean-shutdown marker. */
export async function writeSummaries(dataDir: string, replicas: ReadonlyMap<string, StoredSummary>): Promise<void> {
  await writeDurably(dataDir, REPLICA_SUMMARIES_FILE, formatSummaries(replicas));
}

/**
 * Replaces `<dir>/<name>` by `text` so that a crash leaves the old file or the new one, whole:
 * temp file, fsync, rename, fsync of the directory (without that last one the rename itself may
 * not survive a power loss, and the old file would come back).
 */
export async function writeDurably(dir: string, name: string, text: string): Promise<void> {
  const path = join(dir, name);
  const tmp = `${path}.tmp`;
  await writeFile(tmp, text);
  await syncPath(tmp);
  await rename(tmp, path);
  await syncPath(dir);
}

/** fsyncs a file or a directory. */
export async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
