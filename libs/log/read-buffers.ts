/**
 * Reused buffers for reads whose bytes live only until they are sent (issue 17).
 *
 * A Consume stream reads up to a MiB from a segment file per message, hands it to gRPC, and
 * never looks at it again. A fresh buffer per read is a 1 MiB external allocation that is garbage
 * microseconds later, and on a broker serving consumers such allocations start most of its
 * garbage collections (docs/benchmarks.md, ninth session). Here a reader takes a ReadLease, passes
 * its `into` to the read (PartitionLog.read), and releases the lease once the bytes are no longer
 * needed; the buffers then serve the next read.
 *
 * Ownership: the lease owns its buffers from `into` until `release`; the pool owns them after. A
 * lease that is never released (a read that failed, a write grpc-js dropped) just lets its
 * buffers go to the garbage collector: forgetting costs an allocation, never a wrong byte.
 * Releasing while the bytes are still to be sent is the one mistake that corrupts data, so the
 * holder releases from the transport's write callback (see services/broker/handlers/consume.ts).
 */

/** The smallest buffer the pool makes: smaller reads would each hold most of one for nothing. */
const MIN_BUFFER_BYTES = 64 * 1024;
/** Free bytes a pool keeps by default; a buffer released beyond that is left to the collector. */
export const DEFAULT_READ_POOL_BYTES = 32 * 1024 * 1024;

/** Where a read puts what it reads from a file: a buffer of exactly `length` bytes for it to fill. */
export type ReadInto = (length: number) => Buffer;

export class ReadBufferPool {
  /** Free buffers by length (powers of two from MIN_BUFFER_BYTES). */
  private readonly free = new Map<number, Buffer[]>();
  private freeBytes = 0;
  /** Buffers made and buffers handed out again (tests, measurements). */
  readonly stats = { made: 0, reused: 0 };

  constructor(readonly maxFreeBytes: number = DEFAULT_READ_POOL_BYTES) {
    if (!Number.isSafeInteger(maxFreeBytes) || maxFreeBytes < 0)
      throw new RangeError(`ReadBufferPool size must be a non-negative integer, got ${maxFreeBytes}`);
  }

  /** A lease to read into; release it when its bytes are no longer needed. */
  lease(): ReadLease {
    return new ReadLease(this);
  }

  /** Bytes of free buffers kept now. */
  get keptBytes(): number {
    return this.freeBytes;
  }

  /** @internal A whole buffer of at least `length` bytes. */
  take(length: number): Buffer {
    let size = MIN_BUFFER_BYTES;
    while (size < length) size *= 2;
    const buf = this.free.get(size)?.pop();
    if (buf) {
      this.freeBytes -= buf.length;
      this.stats.reused++;
      return buf;
    }
    this.stats.made++;
    return Buffer.allocUnsafeSlow(size);
  }

  /** @internal A buffer `take` made, back for reuse. */
  give(buf: Buffer): void {
    if (this.freeBytes + buf.length > this.maxFreeBytes) return;
    const list = this.free.get(buf.length);
    if (list) list.push(buf);
    else this.free.set(buf.length, [buf]);
    this.freeBytes += buf.length;
  }
}

export class ReadLease {
  /** Whole buffers taken for this lease, not yet given back. */
  private held: Buffer[] = [];

  constructor(private readonly pool: ReadBufferPool) {}

  /** A buffer of exactly `length` bytes for a read to fill; owned by this lease until release. */
  readonly into = (length: number): Buffer => {
    const buf = this.pool.take(length);
    this.held.push(buf);
    return buf.subarray(0, length);
  };

  /** The buffers go back to the pool; every view of them is invalid from now on. Idempotent. */
  release(): void {
    const held = this.held;
    this.held = [];
    for (const buf of held) this.pool.give(buf);
  }
}
