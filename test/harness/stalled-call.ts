/**
 * A server stream as grpc-js hands it to a handler (an object-mode Writable with its default
 * high-water mark of 16 messages) whose writes complete only when the test says so: "the client
 * took a message" is a step of the test (`send`), never a timing. For tests of how a handler or
 * writer bounds what it holds for a client that stops reading.
 */
import { Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';

export class StalledCall<Req, Res> extends Writable {
  cancelled = false;
  readonly metadata = new grpc.Metadata();
  /** Every message written, in order, whether sent yet or not. */
  readonly taken: Res[] = [];
  private readonly callbacks: (() => void)[] = [];

  constructor() {
    super({ objectMode: true });
  }

  override _write(chunk: Res, _encoding: BufferEncoding, callback: () => void): void {
    this.taken.push(chunk);
    this.callbacks.push(callback);
  }

  /** The oldest message not yet sent reaches the client: grpc-js calls its write back. */
  send(): void {
    this.callbacks.shift()?.();
  }

  /** As grpc-js does on a client's RST_STREAM: the flag, 'cancelled', then destroy. */
  cancel(): void {
    this.cancelled = true;
    this.emit('cancelled', 'cancelled');
    this.destroy();
  }

  asCall(): grpc.ServerWritableStream<Req, Res> {
    return this as unknown as grpc.ServerWritableStream<Req, Res>;
  }
}
