/**
 * Producer-state snapshots (Kafka's `<offset>.snapshot`, ProducerStateManager): the idempotent
 * producers' table (libs/replica producer-state.ts) as of an offset, so a replica that opens or
 * truncates loads the newest one at or below its log end and replays the log from there, instead
 * of replaying the active segment only and forgetting producers whose last batches sit in an older
 * segment (a retry of one would be taken for a new producer's batch and written twice).
 *
 * The log layer keeps the files, not their meaning: the payload is the table's encoding, opaque
 * here. File `<20-digit offset>.snapshot`: u32 CRC-32C of the payload, then the payload; written to
 * a temp file, fsynced, renamed, directory fsynced (like the other checkpoints here). The rules:
 * - a snapshot whose offset is past the log end is deleted: on open (a crash lost an unflushed
 *   tail it describes) and by a truncation (KIP-101), before the log is cut;
 * - retention deletes the snapshots below the new log start, and only the newest KEEP are kept;
 * - a corrupt or unreadable snapshot is logged, deleted and skipped (the next older one, or the
 *   caller's replay without one).
 */
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '../record/index.js';
import { readWhole, type FilePool } from './file-pool.js';

/** Snapshots kept: a truncation rarely goes back more than a few segments. */
export const PRODUCER_SNAPSHOTS_KEPT = 4;

export interface SnapshotLogger {
  warn(obj: object, msg: string): void;
}

export function producerSnapshotPath(dir: string, offset: number): string {
  return join(dir, `${String(offset).padStart(20, '0')}.snapshot`);
}

export function parseProducerSnapshotName(name: string): number | undefined {
  const m = /^(\d{20})\.snapshot$/.exec(name);
  if (!m) return undefined;
  const offset = Number(m[1]);
  return Number.isSafeInteger(offset) ? offset : undefined;
}

export class ProducerSnapshots {
  constructor(
    private readonly dir: string,
    private readonly files: FilePool,
    private readonly logger: SnapshotLogger,
  ) {}

  /** The snapshots' offsets, oldest first. */
  async offsets(): Promise<number[]> {
    const names = await this.files.listDir(this.dir);
    const found: number[] = [];
    for (const name of names) {
      const offset = parseProducerSnapshotName(name);
      if (offset !== undefined) found.push(offset);
    }
    return found.sort((a, b) => a - b);
  }

  /** Writes the snapshot as of `offset` durably, then keeps only the newest PRODUCER_SNAPSHOTS_KEPT. */
  async write(offset: number, payload: Buffer): Promise<void> {
    const path = producerSnapshotPath(this.dir, offset);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(crc32c(payload) >>> 0, 0);
    await this.files.transient(path + '.tmp', 'w', async (fh) => {
      await fh.writeFile(Buffer.concat([header, payload]));
      await fh.sync();
    });
    await rename(path + '.tmp', path);
    const all = await this.offsets();
    for (const old of all.slice(0, Math.max(0, all.length - PRODUCER_SNAPSHOTS_KEPT))) await this.remove(old);
    await this.syncDir();
  }

  /** The newest readable snapshot at or below `maxOffset` and at or above `minOffset`; corrupt ones are deleted. */
  async latest(maxOffset: number, minOffset: number): Promise<{ offset: number; payload: Buffer } | undefined> {
    const candidates = (await this.offsets()).filter((o) => o <= maxOffset && o >= minOffset).reverse();
    for (const offset of candidates) {
      const path = producerSnapshotPath(this.dir, offset);
      try {
        const bytes = await this.files.transient(path, 'r', readWhole);
        const payload = bytes.subarray(4);
        if (bytes.length >= 4 && crc32c(payload) >>> 0 === bytes.readUInt32BE(0)) return { offset, payload };
        this.logger.warn({ dir: this.dir, offset }, 'producer snapshot is corrupt (CRC mismatch); deleted, not used');
      } catch (err) {
        this.logger.warn({ dir: this.dir, offset, err }, 'producer snapshot unreadable; deleted, not used');
      }
      await this.remove(offset);
    }
    return undefined;
  }

  /** Deletes the snapshots above `offset` (they describe batches the log no longer holds). */
  async deleteAbove(offset: number): Promise<void> {
    let removed = false;
    for (const o of await this.offsets()) {
      if (o <= offset) continue;
      await this.remove(o);
      removed = true;
    }
    if (removed) await this.syncDir();
  }

  /** Deletes the snapshots below `offset` (their segments were deleted). */
  async deleteBelow(offset: number): Promise<void> {
    let removed = false;
    for (const o of await this.offsets()) {
      if (o >= offset) continue;
      await this.remove(o);
      removed = true;
    }
    if (removed) await this.syncDir();
  }

  private remove(offset: number): Promise<void> {
    return rm(producerSnapshotPath(this.dir, offset), { force: true });
  }

  private async syncDir(): Promise<void> {
    await this.files.transient(this.dir, 'r', (h) => h.sync());
  }
}
