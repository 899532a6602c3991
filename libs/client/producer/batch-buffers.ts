/**
 * Buffers for the producer's batches, used again once a request that carried one is answered
 * (issue 17: the client's CPU per byte). A 1 KiB produce builds a ~1 MiB batch per request; a fresh
 * buffer each time is ~1 GB of external memory per GB produced, and V8 collects for external memory
 * as for its heap, so the allocations show up as garbage collections on every thread of the client.
 *
 * Only an answered request gives its buffer back: an answer means the broker had the whole request,
 * so grpc-js had copied it into its own frame; a failed or abandoned call keeps its buffer (the
 * garbage collector takes it), since nothing says grpc-js is done with it. Buffers below POOLED_MIN
 * are not pooled (Node's allocator is cheap there); each pooled buffer is a power of two, and at most
 * MAX_FREE wait to be used again (about one per request in flight).
 */
const POOLED_MIN = 64 * 1024;
const MAX_FREE = 8;

export class BatchBuffers {
  private readonly free: ArrayBuffer[] = [];

  /** A buffer of exactly `size` bytes: a view of a pooled one when `size` is large enough to pool. */
  take(size: number): Buffer {
    if (size < POOLED_MIN) return Buffer.allocUnsafe(size);
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const length = (this.free[i] as ArrayBuffer).byteLength;
      if (length >= size && (best < 0 || length < (this.free[best] as ArrayBuffer).byteLength)) best = i;
    }
    if (best >= 0) {
      const [buffer] = this.free.splice(best, 1);
      return Buffer.from(buffer as ArrayBuffer, 0, size);
    }
    let length = POOLED_MIN;
    while (length < size) length *= 2;
    return Buffer.from(Buffer.allocUnsafeSlow(length).buffer, 0, size);
  }

  /** Gives back the buffer under `view` (one take() returned) once nothing reads it any more. */
  give(view: Buffer): void {
    const buffer = view.buffer;
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < POOLED_MIN || this.free.length >= MAX_FREE) return;
    if (!this.free.includes(buffer)) this.free.push(buffer);
  }
}
