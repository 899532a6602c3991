/**
 * Leader epoch -> start offset: the first offset written under each epoch (KIP-101). A replica
 * that becomes a follower asks the leader for the end offset of its latest epoch and truncates to
 * it, so two replicas never hold different records at one offset.
 *
 * File `leader-epoch-checkpoint`, text, replaced atomically (write temp, fsync, rename):
 *   line 1: version (0)    line 2: entry count    then one "<epoch> <startOffset>" per line
 *
 * The temp file is opened through the log's FilePool (a transient slot), so thousands of
 * partitions taking a new epoch at once wait for descriptors instead of failing with EMFILE.
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { EPOCH_CHECKPOINT_FILE } from './file-names.js';
import { readWhole, type FilePool } from './file-pool.js';

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

/**
 * KIP-101 over a list of entries (oldest first) and the log end offset: the largest epoch <=
 * `epoch` and its end offset; {-1, -1} when `epoch` is below every entry. Also answers for a
 * replica whose log is not open (libs/replica lazy-log.ts), from the entries it was summarized with.
 */
export function epochEndOffset(list: readonly EpochEntry[], epoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
  for (let i = list.length - 1; i >= 0; i--) {
    const entry = list[i] as EpochEntry;
    if (entry.epoch <= epoch) {
      const next = list[i + 1];
      return { epoch: entry.epoch, endOffset: next ? next.startOffset : logEndOffset };
    }
  }
  return { epoch: -1, endOffset: -1 };
}

export class LeaderEpochCache {
  private list: EpochEntry[] = [];

  private constructor(
    private readonly dir: string,
    private readonly logEndOffset: () => number,
    private readonly files: FilePool,
  ) {}

  static async load(dir: string, logEndOffset: () => number, files: FilePool): Promise<LeaderEpochCache> {
    const cache = new LeaderEpochCache(dir, logEndOffset, files);
    try {
      const text = (await files.transient(join(dir, EPOCH_CHECKPOINT_FILE), 'r', readWhole)).toString('utf8');
      const lines = text.split('\n').filter((l) => l.length > 0);
      const count = Number(lines[1]);
      for (let i = 0; i < count; i++) {
        const [e, o] = (lines[i + 2] ?? '').split(' ').map(Number);
        if (Number.isInteger(e) && Number.isSafeInteger(o)) cache.list.push({ epoch: e as number, startOffset: o as number });
      }
    } catch {
      // Missing or unreadable: start empty; appends re-learn epochs from batch headers.
    }
    return cache;
  }

  entries(): readonly EpochEntry[] {
    return this.list;
  }

  /** The latest epoch, or -1 when none is known. */
  latestEpoch(): number {
    return this.list.length > 0 ? (this.list[this.list.length - 1] as EpochEntry).epoch : -1;
  }

  /** Records that `epoch` starts at `startOffset`; ignored unless it is newer than the latest. */
  async assign(epoch: number, startOffset: number): Promise<void> {
    const last = this.list[this.list.length - 1];
    if (last && epoch <= last.epoch) return;
    // An epoch can start where the previous one started if the previous wrote nothing.
    while (this.list.length > 0 && (this.list[this.list.length - 1] as EpochEntry).startOffset >= startOffset) this.list.pop();
    this.list.push({ epoch, startOffset });
    await this.persist();
  }

  /**
   * KIP-101: for `epoch`, the largest known epoch <= it and that epoch's end offset (the start
   * offset of the next higher epoch, or the log end offset when it is the latest).
   * {epoch: -1, endOffset: -1} when `epoch` is below every known epoch.
   */
  endOffsetFor(epoch: number): { epoch: number; endOffset: number } {
    return epochEndOffset(this.list, epoch, this.logEndOffset());
  }

  /** Forgets epochs that start at or after `offset` (the log was truncated to `offset`). */
  async truncateFromEnd(offset: number): Promise<void> {
    const before = this.list.length;
    this.list = this.list.filter((e) => e.startOffset < offset);
    if (this.list.length !== before) await this.persist();
  }

  /** Retention moved the log start to `offset`: the entry covering it now starts there. */
  async truncateFromStart(offset: number): Promise<void> {
    let i = 0;
    while (i + 1 < this.list.length && (this.list[i + 1] as EpochEntry).startOffset <= offset) i++;
    if (i === 0 && (this.list[0]?.startOffset ?? offset) >= offset) return;
    this.list = this.list.slice(i);
    const first = this.list[0];
    if (first) first.startOffset = Math.max(first.startOffset, offset);
    await this.persist();
  }

  private async persist(): Promise<void> {
    const text = ['0', String(this.list.length), ...this.list.map((e) => `${e.epoch} ${e.startOffset}`)].join('\n') + '\n';
    const path = join(this.dir, EPOCH_CHECKPOINT_FILE);
    const tmp = path + '.tmp';
    await this.files.transient(tmp, 'w', async (fh) => {
      await fh.writeFile(text);
      await fh.sync();
    });
    await rename(tmp, path);
  }
}
