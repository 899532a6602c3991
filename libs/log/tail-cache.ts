/**
 * The bytes of the batches just appended to each active segment, kept in memory so that reads at
 * the tail (followers fetching what the leader just appended, consumers woken by the high
 * watermark) are answered without a file read. A file read goes through libuv's thread pool: a
 * thread wake-up and a wake-up of the event loop after it, on the path of every acks=all write and
 * of every tailing consumer, and on a loaded machine each wake-up waits for a core.
 *
 * One TailCache per broker holds one ring buffer of `budgetBytes`, shared by all its logs; each
 * active segment keeps a TailWindow (contiguous appended bytes ending at the segment's committed
 * size). An append is copied into the ring at its write position, over the oldest bytes of any
 * window (appends come in time order, so the ring's order is age), and a read that starts below a
 * window goes to the file as before. Only bytes already committed (written to the file) are here,
 * so a read returns the same bytes from here as from the file. Not thread-safe in any sense that
 * matters in Node.
 *
 * Why a ring the cache owns, not views of the buffers the batches arrived in (ADR 0062): a view
 * keeps its produce request or replication response alive for as long as the batch is cached,
 * long enough to outlive the young generation, so every appended byte became old-generation
 * garbage freed only by a full GC, tens of MiB of broker RSS between two. Copied, those buffers
 * die young and the cache's memory is one buffer reused for the process's life. The price is one
 * copy per appended byte and one per byte read from here: a read is always a copy (into a buffer
 * from `into` when given), never a view of the ring, since the ring is overwritten while the
 * reader's bytes may still wait in a transport.
 */

import type { ReadInto } from './read-buffers.js';

/**
 * Default budget of a broker's cache (the ring's size; SAMSA_TAIL_CACHE_BYTES), ~60 ms of appends
 * at 70 MB/s, which followers and tailing consumers read within milliseconds. Measured
 * (docs/benchmarks.md, seventeenth session): 4 MiB sent as few reads to the file as 8 MiB (2 MiB
 * sent more) in the bench's RF=3 and end-to-end runs, and the ring is resident once the broker
 * has appended 4 MiB, so its size is RSS.
 */
export const DEFAULT_TAIL_CACHE_BYTES = 4 * 1024 * 1024;

interface Chunk {
  readonly window: TailWindow;
  /** File position of the chunk's first byte. */
  readonly position: number;
  /** Where its bytes are in the ring. */
  readonly at: number;
  readonly length: number;
  /** Still in its window (false once evicted or dropped). */
  live: boolean;
}

export class TailCache {
  /** Made on the first append, so a broker that never appends holds none of it. */
  private ring: Buffer | undefined;
  /** Where the next chunk goes in the ring. */
  private writeAt = 0;
  /**
   * Chunks in ring order from `head` on: those of the previous lap (at >= writeAt), ascending,
   * then those of this lap (at < writeAt), ascending; dropped ones stay until passed over.
   */
  private queue: (Chunk | undefined)[] = [];
  private head = 0;
  /** Bytes of live chunks. */
  private held = 0;
  /** Chunks in the queue that their window dropped (cut, rolled, closed). */
  private dead = 0;
  /** Reads of an active segment answered from the ring, and those that went to the file (metrics, tests). */
  hits = 0;
  misses = 0;

  constructor(readonly budgetBytes: number = DEFAULT_TAIL_CACHE_BYTES) {
    if (!Number.isSafeInteger(budgetBytes) || budgetBytes < 0)
      throw new RangeError(`TailCache budget must be a non-negative integer, got ${budgetBytes}`);
  }

  /** Bytes the windows hold now (tests, metrics); the ring itself is `budgetBytes` once made. */
  get bytes(): number {
    return this.held;
  }

  /** A window for one active segment, empty until its first append. */
  window(): TailWindow {
    return new TailWindow(this);
  }

  /** @internal The ring, for a window to copy from (made by `place` before any chunk exists). */
  get buffer(): Buffer {
    return this.ring as Buffer;
  }

  /**
   * @internal Copies `bytes` into the ring as a new chunk of `window` at file position
   * `position`, evicting the oldest chunks whose ring bytes it overwrites. `bytes.length` is
   * between 1 and the budget.
   */
  place(window: TailWindow, position: number, bytes: Buffer): Chunk {
    const ring = (this.ring ??= Buffer.allocUnsafeSlow(this.budgetBytes));
    if (this.writeAt + bytes.length > ring.length) {
      // The rest of the ring is skipped this lap: what lies there is the oldest, and goes first.
      this.evictFrom(this.writeAt, ring.length);
      this.writeAt = 0;
    }
    const at = this.writeAt;
    this.evictFrom(at, at + bytes.length);
    this.compact();
    bytes.copy(ring, at);
    this.writeAt = at + bytes.length;
    const chunk: Chunk = { window, position, at, length: bytes.length, live: true };
    this.queue.push(chunk);
    this.held += chunk.length;
    return chunk;
  }

  /** Evicts, oldest first, the previous lap's chunks that start in [from, to). */
  private evictFrom(from: number, to: number): void {
    while (this.head < this.queue.length) {
      const oldest = this.queue[this.head];
      if (oldest) {
        // This lap's chunks (below `from`) are newer than anything in [from, to): stop there.
        if (oldest.at < from || oldest.at >= to) break;
        if (oldest.live) oldest.window.evict(oldest);
        else this.dead--;
      }
      this.queue[this.head++] = undefined;
    }
  }

  /** Drops what the queue no longer needs, so it does not grow without bound. */
  private compact(): void {
    const length = this.queue.length - this.head;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.dead > 1024 && this.dead * 2 > length) {
      // Dropped chunks need no eviction; the live ones keep their ring order.
      this.queue = this.queue.slice(this.head).filter((c) => c?.live === true);
      this.head = 0;
      this.dead = 0;
    }
  }

  /** @internal A window let `chunk` go: evicted (`dropped` false) or dropped by the window itself. */
  released(chunk: Chunk, dropped: boolean): void {
    chunk.live = false;
    this.held -= chunk.length;
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
   * `bytes` were just committed at `position`; they are copied, so the caller may reuse or drop
   * them at once. An append that does not continue the window starts it over, so the window
   * always ends at the segment's committed size.
   */
  push(position: number, bytes: Buffer): void {
    if (this.cache.budgetBytes === 0 || bytes.length > this.cache.budgetBytes) return this.clear();
    const last = this.chunks[this.chunks.length - 1];
    if (last && last.position + last.length !== position) this.clear();
    if (bytes.length === 0) return;
    this.chunks.push(this.cache.place(this, position, bytes));
  }

  /**
   * Bytes [position, position + length) when the window holds all of them, else undefined (the
   * caller reads the file): a copy, into a buffer from `into` when given.
   */
  read(position: number, length: number, into?: ReadInto): Buffer | undefined {
    const first = this.chunks[0];
    const last = this.chunks[this.chunks.length - 1];
    if (!first || !last || position < first.position || position + length > last.position + last.length) {
      this.cache.misses++;
      return undefined;
    }
    this.cache.hits++;
    if (length === 0) return Buffer.alloc(0);
    // Tail reads ask for the newest chunks: search from the end.
    let i = this.chunks.length - 1;
    while ((this.chunks[i] as Chunk).position > position) i--;
    const ring = this.cache.buffer;
    const out = into ? into(length) : Buffer.allocUnsafe(length);
    let done = 0;
    for (; done < length; i++) {
      const chunk = this.chunks[i] as Chunk;
      const from = position + done - chunk.position;
      const n = Math.min(chunk.length - from, length - done);
      done += ring.copy(out, done, chunk.at + from, chunk.at + from + n);
    }
    return out;
  }

  /** Drops everything (the segment was cut, rolled or closed). */
  clear(): void {
    for (const c of this.chunks) this.cache.released(c, true);
    this.chunks = [];
  }

  /** @internal The cache evicts `chunk`, this window's oldest (the ring is in append order). */
  evict(chunk: Chunk): void {
    if (this.chunks[0] !== chunk) throw new Error('TailWindow: evicting a chunk that is not the oldest');
    this.chunks.shift();
    this.cache.released(chunk, false);
  }
}
