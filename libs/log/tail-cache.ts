/**
 * The bytes of the batches just appended to each active segment, kept in memory so that reads at
 * the tail (followers fetching what the leader just appended, consumers woken by the high
 * watermark) are answered without a file read. A file read goes through libuv's thread pool: a
 * thread wake-up and a wake-up of the event loop after it, on the path of every acks=all write and
 * of every tailing consumer, and on a loaded machine each wake-up waits for a core. It also costs a
 * fresh buffer per reader; a read served here is a view of the appended batch when one batch
 * answers it (the usual case at the tail), or one copy of the few that do.
 *
 * One TailCache per broker holds a byte budget shared by all its logs; each active segment keeps a
 * TailWindow (contiguous appended bytes ending at the segment's committed size). When the budget is
 * exceeded the oldest bytes of any window are dropped first (appends come in time order, so the
 * front of the queue is the oldest), and a read that starts below a window goes to the file as
 * before. Only bytes already committed (written to the file) are here, so a read returns the same
 * bytes from here as from the file. Not thread-safe in any sense that matters in Node.
 *
 * The budget counts the memory the cache keeps alive, not the bytes it can answer: a batch kept
 * as a view (of the produce request or replication response it arrived in) keeps that whole
 * backing ArrayBuffer alive, so each backing buffer is counted once, at its full size, for as long
 * as any chunk views it. A batch that is a small share of a buffer nothing here holds yet is
 * copied instead, into a buffer of its own.
 */

import type { ReadInto } from './read-buffers.js';

/**
 * Default budget of a broker's cache (memory kept alive): about eight produce requests of 1 KiB
 * records, which followers and tailing consumers read within milliseconds. Measured
 * (docs/benchmarks.md, eleventh session): 8 MiB answered as many follower reads as 32 MiB with
 * ~35 MiB less broker RSS; at 2 MiB windows start to run empty.
 */
export const DEFAULT_TAIL_CACHE_BYTES = 8 * 1024 * 1024;

/**
 * A batch smaller than this share of the buffer it lives in is copied before it is kept (unless
 * the cache already holds that buffer): a small batch sliced out of a large replication response
 * would otherwise spend the budget on the whole response.
 */
const MIN_VIEW_SHARE = 0.5;

interface Chunk {
  readonly window: TailWindow;
  /** File position of the chunk's first byte. */
  readonly position: number;
  readonly bytes: Buffer;
  /** Still in its window (false once evicted or dropped). */
  live: boolean;
}

export class TailCache {
  /** Chunks of every window, oldest first, from `head` on; dropped ones are skipped and compacted away. */
  private queue: (Chunk | undefined)[] = [];
  private head = 0;
  /** Bytes of the backing buffers of live chunks, each buffer counted once. */
  private held = 0;
  /** Live chunks per backing buffer. */
  private readonly backing = new Map<ArrayBufferLike, number>();
  /** Chunks in the queue that their window dropped (cut, rolled, closed). */
  private dead = 0;

  constructor(readonly budgetBytes: number = DEFAULT_TAIL_CACHE_BYTES) {
    if (!Number.isSafeInteger(budgetBytes) || budgetBytes < 0)
      throw new RangeError(`TailCache budget must be a non-negative integer, got ${budgetBytes}`);
  }

  /** Bytes of memory the cache keeps alive now: the backing buffers of what it holds (tests, metrics). */
  get bytes(): number {
    return this.held;
  }

  /** A window for one active segment, empty until its first append. */
  window(): TailWindow {
    return new TailWindow(this);
  }

  /**
   * @internal What to keep of `bytes`: the view itself when its backing buffer is already held or
   * mostly this batch (and fits the budget), else a copy in a buffer of its own.
   */
  keepable(bytes: Buffer): Buffer {
    const buffer = bytes.buffer;
    if (this.backing.has(buffer)) return bytes;
    if (bytes.length >= buffer.byteLength * MIN_VIEW_SHARE && buffer.byteLength <= this.budgetBytes) return bytes;
    // Not Buffer.from: a small copy would land in Node's shared pool slab, which the cache would
    // then keep alive with whatever else lives in it.
    const copy = Buffer.allocUnsafeSlow(bytes.length);
    bytes.copy(copy);
    return copy;
  }

  /** @internal A window took `chunk`: account for it and evict the oldest chunks over budget. */
  added(chunk: Chunk): void {
    const buffer = chunk.bytes.buffer;
    const views = this.backing.get(buffer) ?? 0;
    if (views === 0) this.held += buffer.byteLength;
    this.backing.set(buffer, views + 1);
    this.queue.push(chunk);
    // Ends: the newest chunk's buffer alone fits the budget (keepable), and evicting a chunk whose
    // buffer other chunks still view frees nothing yet but moves on to them.
    while (this.held > this.budgetBytes && this.head < this.queue.length) {
      const oldest = this.queue[this.head];
      this.queue[this.head++] = undefined;
      if (!oldest) continue;
      if (oldest.live) oldest.window.evict(oldest);
      else this.dead--;
    }
    // Drop what the queue no longer needs, so neither the queue nor the bytes of dropped chunks
    // it still points at grow without bound.
    const length = this.queue.length - this.head;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.dead > 1024 && this.dead * 2 > length) {
      this.queue = this.queue.slice(this.head).filter((c) => c?.live === true);
      this.head = 0;
      this.dead = 0;
    }
  }

  /** @internal A window let `chunk` go: evicted (`dropped` false) or dropped by the window itself. */
  released(chunk: Chunk, dropped: boolean): void {
    chunk.live = false;
    const buffer = chunk.bytes.buffer;
    const views = (this.backing.get(buffer) ?? 0) - 1;
    if (views > 0) this.backing.set(buffer, views);
    else {
      this.backing.delete(buffer);
      this.held -= buffer.byteLength;
    }
    if (dropped) this.dead++;
  }
}

/** The appended bytes at the end of one segment: chunks contiguous in file positions, oldest first. */
export class TailWindow {
  private chunks: Chunk[] = [];

  constructor(private readonly cache: TailCache) {}

  /** File position of the first byte held (undefined when empty). */
  get start(): number | undefined {
    return this.chunks[0]?.position;
  }

  /**
   * `bytes` were just committed at `position`. An append that does not continue the window
   * starts it over, so the window always ends at the segment's committed size.
   */
  push(position: number, bytes: Buffer): void {
    if (this.cache.budgetBytes === 0 || bytes.length > this.cache.budgetBytes) return this.clear();
    const last = this.chunks[this.chunks.length - 1];
    if (last && last.position + last.bytes.length !== position) this.clear();
    const chunk: Chunk = { window: this, position, bytes: this.cache.keepable(bytes), live: true };
    this.chunks.push(chunk);
    this.cache.added(chunk);
  }

  /**
   * Bytes [position, position + length) when the window holds all of them, else undefined (the
   * caller reads the file). A view of one chunk when the range lies in one, else one copy (into a
   * buffer from `into` when given).
   */
  read(position: number, length: number, into?: ReadInto): Buffer | undefined {
    const first = this.chunks[0];
    if (!first || position < first.position) return undefined;
    const last = this.chunks[this.chunks.length - 1] as Chunk;
    const end = position + length;
    if (end > last.position + last.bytes.length) return undefined;
    if (length === 0) return Buffer.alloc(0);
    // Tail reads ask for the newest chunks: search from the end.
    let i = this.chunks.length - 1;
    while ((this.chunks[i] as Chunk).position > position) i--;
    const c = this.chunks[i] as Chunk;
    if (end <= c.position + c.bytes.length) return c.bytes.subarray(position - c.position, end - c.position);
    const out = into ? into(length) : Buffer.allocUnsafe(length);
    let at = 0;
    for (; at < length; i++) {
      const chunk = this.chunks[i] as Chunk;
      const from = position + at - chunk.position;
      at += chunk.bytes.copy(out, at, from, Math.min(chunk.bytes.length, from + length - at));
    }
    return out;
  }

  /** Drops everything (the segment was cut, rolled or closed). */
  clear(): void {
    for (const c of this.chunks) this.cache.released(c, true);
    this.chunks = [];
  }

  /** @internal The cache evicts `chunk`, this window's oldest (the queue is in append order). */
  evict(chunk: Chunk): void {
    if (this.chunks[0] !== chunk) throw new Error('TailWindow: evicting a chunk that is not the oldest');
    this.chunks.shift();
    this.cache.released(chunk, false);
  }
}
