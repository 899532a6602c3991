/**
 * A bounded pool of open file descriptors, shared by every partition log of a broker, so that the
 * number of partitions never decides how many files the process holds open.
 *
 * A {@link PooledFile} names a file and opens it only while someone uses it: `use(fn)` gives `fn`
 * an open FileHandle and holds a reference on it until `fn` settles; an unreferenced handle stays
 * open (a busy partition pays nothing per batch but a pointer move in the LRU list) until the pool
 * needs its slot for another file, then the least recently used unreferenced handle is closed.
 *
 * Contract:
 * - At most `maxOpenFiles` descriptors are open through the pool at any time, counting those being
 *   opened and being closed (a slot is freed only once close() has returned). `transient()` takes
 *   a slot too.
 * - A handle is never closed while a `use` holds it: eviction takes only unreferenced handles, and
 *   `PooledFile.close()` waits for every in-flight `use` of that file to settle.
 * - When every slot is referenced, a `use` that must open waits, first come first served, for a
 *   slot. This cannot deadlock as long as no `use`/`transient` callback waits for another file of
 *   the pool while it holds one; libs/log keeps to that (each read, write, truncate or sync holds
 *   one file at a time).
 * - A file is opened the first time with its `createFlags` (e.g. 'w+', which truncates) and every
 *   later time with its `reopenFlags` (e.g. 'r+'), so eviction never loses data.
 * - Durability is unaffected by eviction: closing an fd does not drop written pages, and an
 *   fdatasync through a later fd of the same file flushes them (they belong to the inode).
 *
 * Single-threaded JS: the bookkeeping is synchronous between awaits; no locks are needed.
 */
import { writeSync } from 'node:fs';
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { SamsaError } from '../errors/index.js';

export type OpenFlags = 'r' | 'r+' | 'w' | 'w+' | 'a' | 'a+';

export interface FilePoolStats {
  /** Most descriptors the pool may hold. */
  maxOpenFiles: number;
  /** Descriptors held now (open, opening or closing). */
  open: number;
  /** Uses waiting for a slot. */
  waiting: number;
  /** Opens since the pool was made (first opens and reopens). */
  opens: number;
  /** Handles closed to make room for another file. */
  evictions: number;
}

/** Descriptors a lone partition log gets when no broker-wide pool is passed (tests, benchmarks). */
export const DEFAULT_MAX_OPEN_FILES = 64;

export class FilePool {
  readonly maxOpenFiles: number;
  /** Slots taken: open handles plus opens and closes in progress. */
  private slots = 0;
  private opens = 0;
  private evictions = 0;
  private readonly waiters: (() => void)[] = [];
  /** Evictions under way on behalf of waiters (each ends by handing its slot to one). */
  private evictingForWaiters = 0;
  /** Most recently used end of the list of files whose handle is open. */
  private head: PooledFile | undefined;
  /** Least recently used end: eviction looks from here. */
  private tail: PooledFile | undefined;

  constructor(maxOpenFiles: number) {
    if (!Number.isInteger(maxOpenFiles) || maxOpenFiles < 1)
      throw new RangeError(`maxOpenFiles must be a positive integer, got ${maxOpenFiles}`);
    this.maxOpenFiles = maxOpenFiles;
  }

  /** A handle-less name for `path`; nothing is opened until it is used. */
  file(path: string, createFlags: OpenFlags, reopenFlags: OpenFlags): PooledFile {
    return new PooledFile(this, path, createFlags, reopenFlags);
  }

  /**
   * Lists a directory inside the budget: a readdir holds a descriptor while it runs, and many logs
   * opening at once (lazily hosted replicas all used when leadership moves back to a restarted
   * broker) listed their directories beside a full pool and ran the process out of descriptors.
   */
  async listDir(dir: string): Promise<string[]> {
    await this.takeSlot();
    try {
      return await readdir(dir);
    } finally {
      this.freeSlot();
    }
  }

  /**
   * Opens `path` for the span of `fn` only, inside the budget (e.g. a checkpoint's temp file), and
   * closes it after, whatever `fn` does.
   */
  async transient<T>(path: string, flags: OpenFlags, fn: (handle: FileHandle) => Promise<T>): Promise<T> {
    await this.takeSlot();
    let handle: FileHandle;
    try {
      handle = await open(path, flags);
      this.opens++;
    } catch (err) {
      this.freeSlot();
      throw err;
    }
    try {
      return await fn(handle);
    } finally {
      await handle.close().catch(() => undefined);
      this.freeSlot();
    }
  }

  get stats(): FilePoolStats {
    return {
      maxOpenFiles: this.maxOpenFiles,
      open: this.slots,
      waiting: this.waiters.length,
      opens: this.opens,
      evictions: this.evictions,
    };
  }

  /** Resolves once a slot is ours: a free one, one freed by evicting an idle handle, or a waited-for one. */
  private async takeSlot(): Promise<void> {
    if (this.slots < this.maxOpenFiles && this.waiters.length === 0) {
      this.slots++;
      return;
    }
    const victim = this.idleVictim();
    if (victim && this.waiters.length === 0) {
      // The victim's slot passes to us once its descriptor is really closed.
      await this.evict(victim);
      return;
    }
    const granted = new Promise<void>((resolve) => this.waiters.push(resolve));
    // Idle handles may exist while others wait (they were busy when those began waiting).
    this.pump();
    await granted;
  }

  /** Gives a slot back: to the first waiter if any (the slot changes hands), else to the pool. */
  private freeSlot(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.slots--;
  }

  /** The least recently used open handle nobody holds, or undefined. */
  private idleVictim(): PooledFile | undefined {
    for (let f = this.tail; f; f = f.newer) if (f.users === 0) return f;
    return undefined;
  }

  /** Closes an idle handle to reuse its slot; the slot stays counted until the close returns. */
  private async evict(victim: PooledFile): Promise<void> {
    const handle = victim.detach();
    this.evictions++;
    await handle.close().catch(() => undefined);
  }

  /** @internal A use released its last reference: its handle may now go to a waiter. */
  released(): void {
    this.pump();
  }

  /** Evicts idle handles for waiters, one per waiter not already being served; never throws. */
  private pump(): void {
    while (this.waiters.length > this.evictingForWaiters) {
      const victim = this.idleVictim();
      if (!victim) return;
      this.evictingForWaiters++;
      void this.evict(victim).then(() => {
        this.evictingForWaiters--;
        this.freeSlot();
      });
    }
  }

  /** @internal Opens `file` in a slot of its own. */
  async openFor(file: PooledFile, flags: OpenFlags): Promise<FileHandle> {
    await this.takeSlot();
    try {
      const handle = await open(file.path, flags);
      this.opens++;
      return handle;
    } catch (err) {
      this.freeSlot();
      throw err;
    }
  }

  /** @internal The owner closed `file`'s handle (already detached): its slot is free. */
  closedBy(): void {
    this.freeSlot();
  }

  /** @internal Puts `file` at the most recently used end (it has an open handle). */
  touch(file: PooledFile): void {
    if (this.head === file) return;
    this.unlink(file);
    file.older = this.head;
    file.newer = undefined;
    if (this.head) this.head.newer = file;
    this.head = file;
    this.tail ??= file;
  }

  /** @internal Takes `file` out of the list (its handle is being closed). */
  unlink(file: PooledFile): void {
    if (file.newer) file.newer.older = file.older;
    else if (this.head === file) this.head = file.older;
    if (file.older) file.older.newer = file.newer;
    else if (this.tail === file) this.tail = file.newer;
    file.newer = undefined;
    file.older = undefined;
  }
}

/**
 * One file of the pool. `use` runs concurrently with other uses of the same file (positional I/O
 * needs no exclusion); the owner serializes writes as it did with a plain FileHandle. After
 * `close()` every `use` fails with NOT_READY.
 */
export class PooledFile {
  /** @internal LRU links, owned by the pool. */
  newer: PooledFile | undefined;
  /** @internal */
  older: PooledFile | undefined;
  /** @internal Uses in flight (holding or waiting for the handle). */
  users = 0;
  private handle: FileHandle | undefined;
  private opening: Promise<FileHandle> | undefined;
  private everOpened = false;
  private closing: Promise<void> | undefined;
  /** Resolves `close()` once the last use in flight settles. */
  private drained: (() => void) | undefined;

  constructor(
    private readonly pool: FilePool,
    readonly path: string,
    private readonly createFlags: OpenFlags,
    private readonly reopenFlags: OpenFlags,
  ) {}

  /** True while a descriptor is open for this file. */
  get isOpen(): boolean {
    return this.handle !== undefined;
  }

  /** Runs `fn` with the file open, opening (or reopening) it first when needed. */
  async use<T>(fn: (handle: FileHandle) => Promise<T>): Promise<T> {
    if (this.closing) throw new SamsaError('NOT_READY', `file ${this.path} is closed`);
    this.users++;
    try {
      let handle = this.handle;
      if (handle) this.pool.touch(this);
      else handle = await this.openHandle();
      return await fn(handle);
    } finally {
      this.users--;
      if (this.users === 0) {
        if (this.drained) this.drained();
        else this.pool.released();
      }
    }
  }

  /**
   * Writes all of `buf` at `position` with a blocking write(2) on the event loop, not through
   * libuv's thread pool (ADR 0056): a page-cache write of a batch or an index entry takes
   * microseconds, the pool's round trip two thread wake-ups, each waiting for a core on a busy
   * machine. Async only for the open a use may need.
   */
  writeAll(buf: Buffer, position: number): Promise<void> {
    return this.use(async (h) => {
      let written = 0;
      while (written < buf.length) written += writeSync(h.fd, buf, written, buf.length - written, position + written);
    });
  }

  /** Opens the file now (creating it with the create flags) if it has never been opened. */
  async ensureCreated(): Promise<void> {
    if (!this.everOpened) await this.use(async () => undefined);
  }

  private openHandle(): Promise<FileHandle> {
    // Concurrent first uses share one open.
    this.opening ??= this.pool.openFor(this, this.everOpened ? this.reopenFlags : this.createFlags).then(
      (handle) => {
        this.opening = undefined;
        this.everOpened = true;
        this.handle = handle;
        this.pool.touch(this);
        return handle;
      },
      (err: unknown) => {
        this.opening = undefined;
        throw err;
      },
    );
    return this.opening;
  }

  /** @internal The pool evicts this idle file: returns the handle for the pool to close. */
  detach(): FileHandle {
    const handle = this.handle as FileHandle;
    this.handle = undefined;
    this.pool.unlink(this);
    return handle;
  }

  /**
   * Refuses new uses, waits for the ones in flight, then closes the descriptor and frees its slot.
   * Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.users > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      if (!this.handle) return;
      const handle = this.detach();
      await handle.close().catch(() => undefined);
      this.pool.closedBy();
    })();
    return this.closing;
  }
}

/** The whole file through an open handle (a positional read from 0, whatever the handle's position). */
export async function readWhole(handle: FileHandle): Promise<Buffer> {
  const { size } = await handle.stat();
  const buf = Buffer.allocUnsafe(size);
  let got = 0;
  while (got < size) {
    const { bytesRead } = await handle.read(buf, got, size - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === size ? buf : buf.subarray(0, got);
}
