/**
 * A bound in bytes on what a server stream has handed to grpc-js and not yet had back (issue 13,
 * broker RSS).
 *
 * grpc-js's server stream is an object-mode Writable with a high-water mark of 16 messages: write()
 * asks the writer to wait only once 16 messages are queued behind the one HTTP/2 is sending,
 * whatever their size. A Consume message is a read of up to a MiB, held until its write calls back,
 * so a consumer that stops reading kept about 17 MiB per stream alive on the broker
 * (docs/benchmarks.md, twelfth session). A WriteBudget counts each message's bytes from write()
 * until grpc-js calls it back (serialized, and taken by HTTP/2, which takes it only as the client's
 * flow-control window allows), and makes the writer wait while the count is at or above `maxBytes`.
 * So at most `maxBytes` plus one message is out per stream. It also waits for 'drain' when grpc-js's
 * own queue is full (many small messages).
 *
 * A cancelled call: grpc-js never serializes a message once the call is cancelled (it sets the flag
 * before it emits 'cancelled') and never calls back a write it dropped. So on 'cancelled' the budget
 * runs the `written` callback of every write still out itself, once each: a read lease goes back to
 * its pool at once instead of to the garbage collector, and a writer waiting here wakes.
 *
 * Not for concurrent writers: one loop writes and awaits each write before the next.
 */
import type * as grpc from '@grpc/grpc-js';

type ServerStream<Res> = grpc.ServerWritableStream<unknown, Res> | grpc.ServerDuplexStream<unknown, Res>;

/** A write not yet called back: its bytes and what to run when grpc-js is done with it. */
interface Outstanding {
  bytes: number;
  written: (() => void) | undefined;
}

export class WriteBudget<Res> {
  private readonly out = new Set<Outstanding>();
  private outBytes = 0;
  private gone = false;
  /** The writer's wake-up while it waits in write(); undefined when nobody waits. */
  private wake: (() => void) | undefined;

  /**
   * @param maxBytes the writer waits while this many bytes (or more) are out; at least 1.
   * @param signal ends a wait early (write resolves true: the writer sees the signal itself), e.g. shutdown.
   */
  constructor(
    private readonly call: ServerStream<Res>,
    readonly maxBytes: number,
    private readonly signal?: AbortSignal,
  ) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError(`WriteBudget needs a positive byte count, got ${maxBytes}`);
    // For the call's whole life (it is this budget's only user): a cancel may come while nobody waits.
    call.once('cancelled', this.onCancelled);
  }

  /** Bytes handed to grpc-js whose write has not called back yet (tests, measurements). */
  get unsentBytes(): number {
    return this.outBytes;
  }

  /**
   * Writes `message`, counted as `bytes`, then waits until fewer than maxBytes are out and grpc-js
   * takes more. Resolves false when the call is cancelled or closed, true otherwise, including when
   * `signal` aborts. `written` runs exactly once: when grpc-js is done with the message, when the
   * call is cancelled before that, or at once when the call was already gone (nothing written).
   */
  async write(message: Res, bytes: number, written?: () => void): Promise<boolean> {
    if (this.gone || this.call.cancelled || this.call.writableEnded) {
      written?.();
      return false;
    }
    const entry: Outstanding = { bytes, written };
    this.out.add(entry);
    this.outBytes += bytes;
    // Added before write(): a Writable may call back before write() returns.
    this.call.write(message, () => this.settle(entry));
    if (this.ready()) return true;
    return this.waitReady();
  }

  private ready(): boolean {
    return this.outBytes < this.maxBytes && !this.call.writableNeedDrain;
  }

  private waitReady(): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const call = this.call;
      const signal = this.signal;
      const check = (): void => {
        if (this.gone || call.destroyed) done(false);
        else if (this.ready() || signal?.aborted) done(true);
      };
      const onGone = (): void => done(false);
      const done = (ok: boolean): void => {
        this.wake = undefined;
        call.off('drain', check);
        call.off('close', onGone);
        call.off('error', onGone);
        signal?.removeEventListener('abort', check);
        resolve(ok);
      };
      this.wake = check;
      call.on('drain', check);
      call.on('close', onGone);
      call.on('error', onGone);
      signal?.addEventListener('abort', check, { once: true });
      check();
    });
  }

  /** One write is done with (called back, or dropped by a cancel): its bytes are no longer out. */
  private settle(entry: Outstanding): void {
    if (!this.out.delete(entry)) return;
    this.outBytes -= entry.bytes;
    entry.written?.();
    this.wake?.();
  }

  private readonly onCancelled = (): void => {
    this.gone = true;
    for (const entry of [...this.out]) this.settle(entry);
    this.wake?.();
  };
}
