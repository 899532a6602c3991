/**
 * The broker's recovery checkpoint (ADR 0054): `<dataDir>/recovery-checkpoint.json`, in the format
 * of replica-summaries.ts, holding the summary of every hosted replica whose files are known to be
 * on disk as summarized (every change fsynced, directory included), with its active segment's
 * size. After a crash (no clean-shutdown marker) a replica found in it is hosted without opening
 * its files (lazy-log.ts) when its active segment file still has exactly that size; every other
 * replica with files is opened and recovered first, as ADR 0051 does after any crash.
 *
 * Why an entry can be trusted after a crash (the rule; ADR 0054 has the argument):
 * 1. it is written only for a state that was fsynced before the file was written, and the file
 *    is replaced durably (temp file, fsync, rename, fsync of the directory): a crash leaves the
 *    old file or the new one, each true when written;
 * 2. appends to the active segment after the file was written either survive, and then the
 *    segment is longer than the entry says (the size check fails: the replica is recovered), or
 *    are lost, and then the files are again exactly what the entry says;
 * 3. every other change to the files (a roll, a truncation, retention, a cleaner swap, deletion)
 *    first waits (`forget`) until a file without the replica is on disk, so no file that survives
 *    a crash vouches for a state such a change may have left half done or replaced.
 *
 * Writes are one at a time; a periodic write is skipped when the text is what is on disk.
 * `forget` costs nothing for a replica the file on disk (or the one being written) does not hold.
 */
import { join } from 'node:path';
import { readFile, stat, unlink } from 'node:fs/promises';
import { segmentPath } from '../log/index.js';
import { SerialQueue } from '../runtime/index.js';
import type { Logger } from '../telemetry/index.js';
import { formatSummaries, parseSummaries, syncPath, writeDurably, type StoredSummary } from './replica-summaries.js';

export const RECOVERY_CHECKPOINT_FILE = 'recovery-checkpoint.json';

/** Stats run at once while checking the entries at start. */
const STAT_CONCURRENCY = 64;

/** The entries of the checkpoint on disk (none when it is missing or unreadable). */
export async function readRecoveryCheckpoint(dataDir: string): Promise<Map<string, StoredSummary>> {
  const text = await readFile(join(dataDir, RECOVERY_CHECKPOINT_FILE), 'utf8').catch(() => undefined);
  return text === undefined ? new Map() : parseSummaries(text);
}

/** Replaces the checkpoint durably by one of `entries`. */
export async function writeRecoveryCheckpoint(dataDir: string, entries: ReadonlyMap<string, StoredSummary>): Promise<void> {
  await writeDurably(dataDir, RECOVERY_CHECKPOINT_FILE, formatSummaries(entries));
}

/** Removes the checkpoint durably (a clean start: the clean shutdown's summaries supersede it). */
export async function removeRecoveryCheckpoint(dataDir: string): Promise<void> {
  await unlink(join(dataDir, RECOVERY_CHECKPOINT_FILE)).catch(() => undefined);
  await syncPath(dataDir);
}

/**
 * Whether `entry`'s files may be trusted after a crash: it records its active segment's size, and
 * `<dir>/<active base>.log` has exactly that size now (see the module comment, rule 2). Any error
 * (the file or directory is gone) is a no.
 */
export async function activeSegmentMatches(dir: string, entry: StoredSummary): Promise<boolean> {
  if (entry.activeSegmentBytes === undefined) return false;
  try {
    return (await stat(segmentPath(dir, entry.activeSegmentBaseOffset, 'log'))).size === entry.activeSegmentBytes;
  } catch {
    return false;
  }
}

/** The entries of `candidates` (key -> partition directory) whose active segment matches, checked a few at a time. */
export async function verifiedEntries(
  candidates: ReadonlyMap<string, { dir: string; entry: StoredSummary }>,
): Promise<Map<string, StoredSummary>> {
  const out = new Map<string, StoredSummary>();
  const list = [...candidates];
  for (let i = 0; i < list.length; i += STAT_CONCURRENCY) {
    const chunk = list.slice(i, i + STAT_CONCURRENCY);
    const ok = await Promise.all(chunk.map(([, c]) => activeSegmentMatches(c.dir, c.entry)));
    chunk.forEach(([key, c], j) => {
      if (ok[j]) out.set(key, c.entry);
    });
  }
  return out;
}

/**
 * After a crash: the entries of the checkpoint on disk that `dirOf` accepts (it gives the replica's
 * directory when the replica is assigned here under that topic id and its directory exists) and
 * whose active segment matches; none when `checkpointing` is off. The file is rewritten durably
 * with those alone (or removed) before anything can change a log, so from then on it vouches only
 * for replicas this process hosts from it: never one it opens, recovers or deletes.
 */
export async function takeRecoveryCheckpoint(
  dataDir: string,
  checkpointing: boolean,
  dirOf: (key: string, topicId: string) => string | undefined,
): Promise<Map<string, StoredSummary>> {
  const stored = await readRecoveryCheckpoint(dataDir);
  const candidates = new Map<string, { dir: string; entry: StoredSummary }>();
  for (const [key, entry] of stored) {
    const dir = dirOf(key, entry.topicId);
    if (dir !== undefined) candidates.set(key, { dir, entry });
  }
  const verified = checkpointing ? await verifiedEntries(candidates) : new Map<string, StoredSummary>();
  if (verified.size > 0) await writeRecoveryCheckpoint(dataDir, verified);
  else if (stored.size > 0) await removeRecoveryCheckpoint(dataDir);
  return verified;
}

export interface RecoveryCheckpointOptions {
  dataDir: string;
  /** The replicas to vouch for now (durable, with their active segment's size), by partition directory name. */
  entries: () => Map<string, StoredSummary>;
  /** How often the file is brought up to date (when it changed). */
  intervalMs: number;
  logger: Logger;
  /** The keys of the file on disk now. */
  onDisk: Iterable<string>;
}

export class RecoveryCheckpoint {
  /** Keys of the file on disk (after a failed write: of either file, as either may be there). */
  private durableKeys: Set<string>;
  /** Keys of the file being written, if any. */
  private writingKeys: Set<string> | undefined;
  private lastText: string | undefined;
  private readonly writes = new SerialQueue();
  /** The next write, not started yet: every caller until it starts shares it. */
  private next: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failing = false;

  constructor(private readonly options: RecoveryCheckpointOptions) {
    this.durableKeys = new Set(options.onDisk);
  }

  /** Writes now and then every intervalMs. */
  start(): void {
    this.periodic();
    this.timer = setInterval(() => this.periodic(), this.options.intervalMs);
  }

  /**
   * Resolves once no file on disk vouches for any of `keys`: at once when neither the file on disk
   * nor the one being written holds them; else after a write begun after this call (the replicas'
   * logs are mid-change or no longer hosted by then, so it leaves them out). Rejects when that
   * write fails: the change that asked must not go ahead.
   */
  forget(keys: Iterable<string>): Promise<void> {
    for (const key of keys) if (this.durableKeys.has(key) || this.writingKeys?.has(key)) return this.write();
    return Promise.resolve();
  }

  /** Brings the file up to date now (as the periodic write does; rejects when the write fails). */
  flush(): Promise<void> {
    return this.write();
  }

  /** Stops the periodic writes and waits for the one in flight (forget still writes). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.writes.idle();
  }

  private periodic(): void {
    this.write().then(
      () => {
        if (this.failing) this.options.logger.info('the recovery checkpoint is written again');
        this.failing = false;
      },
      (err: unknown) => {
        if (!this.failing)
          this.options.logger.warn(
            { err },
            'could not write the recovery checkpoint; after a crash more replicas are recovered before serving',
          );
        this.failing = true;
      },
    );
  }

  /** A write whose snapshot is taken after this call. */
  private write(): Promise<void> {
    this.next ??= this.writes.run(async () => {
      this.next = undefined;
      await this.writeNow();
    });
    return this.next;
  }

  private async writeNow(): Promise<void> {
    const entries = this.options.entries();
    const text = formatSummaries(entries);
    if (text === this.lastText) return;
    const keys = new Set(entries.keys());
    this.writingKeys = keys;
    try {
      await writeDurably(this.options.dataDir, RECOVERY_CHECKPOINT_FILE, text);
      this.durableKeys = keys;
      this.lastText = text;
    } catch (err) {
      for (const key of keys) this.durableKeys.add(key);
      this.lastText = undefined;
      throw err;
    } finally {
      this.writingKeys = undefined;
    }
  }
}
