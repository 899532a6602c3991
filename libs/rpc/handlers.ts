/**
 * Adapters from async functions to grpc-js handlers. They answer every call exactly once: a thrown
 * error is mapped through toGrpcStatus and nothing can fall through to a second answer. A handler
 * typed async that throws before returning its promise (a plain function that returns one) is
 * treated the same: otherwise grpc-js answers it UNKNOWN "Unknown error" and its reason is lost.
 */
import type * as grpc from '@grpc/grpc-js';
import { toGrpcStatus } from './status.js';

/** The handler's promise, or a rejected one when it threw before returning it. */
function settle<T>(run: () => Promise<T>): Promise<T> {
  try {
    return run();
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

export type UnaryHandler<Req, Res> = (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>;

export function unary<Req, Res>(handler: UnaryHandler<Req, Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    settle(() => handler(call.request, call)).then(
      (response) => callback(null, response),
      (err: unknown) => callback(toGrpcStatus(err)),
    );
  };
}

export type ServerStreamHandler<Req, Res> = (request: Req, call: grpc.ServerWritableStream<Req, Res>) => Promise<void>;

/**
 * A server-streaming handler. The handler writes with `call.write` (respecting back-pressure) and
 * returns when done; the stream is then ended. A thrown error ends it with that status, unless the
 * client already went away.
 */
export function serverStream<Req, Res>(handler: ServerStreamHandler<Req, Res>): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => {
    settle(() => handler(call.request, call)).then(
      () => {
        if (!call.cancelled && !call.writableEnded) call.end();
      },
      (err: unknown) => {
        if (call.cancelled || call.writableEnded) return;
        call.emit('error', toGrpcStatus(err));
      },
    );
  };
}

export type BidiHandler<Req, Res> = (call: grpc.ServerDuplexStream<Req, Res>) => Promise<void>;

export function bidiStream<Req, Res>(handler: BidiHandler<Req, Res>): grpc.handleBidiStreamingCall<Req, Res> {
  return (call) => {
    settle(() => handler(call)).then(
      () => {
        if (!call.cancelled && !call.writableEnded) call.end();
      },
      (err: unknown) => {
        if (call.cancelled || call.writableEnded) return;
        call.emit('error', toGrpcStatus(err));
      },
    );
  };
}

/**
 * Writes one message to a server stream and waits until the transport will take more. This is how
 * the Consume stream obeys flow control: when the client stops reading, HTTP/2 windows fill,
 * write() returns false, and we wait for 'drain' instead of buffering without bound.
 * Resolves false if the call was cancelled or closed while waiting.
 *
 * `written` runs once grpc-js is done with the message: serialized (copied into its frame) and
 * handed to HTTP/2, or dropped with an error. Not before: a Writable may hold a message and
 * serialize it later, after this resolved. It may never run (grpc-js drops a write on a call
 * already cancelled without calling back), so it must only give back what the collector can
 * take anyway. Not called when the call had already ended here.
 */
export function writeWithBackpressure<Res>(
  call: grpc.ServerWritableStream<unknown, Res> | grpc.ServerDuplexStream<unknown, Res>,
  message: Res,
  written?: () => void,
): Promise<boolean> {
  if (call.cancelled || call.writableEnded) return Promise.resolve(false);
  if (written ? call.write(message, () => written()) : call.write(message)) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean): void => {
      call.off('drain', onDrain);
      call.off('cancelled', onGone);
      call.off('close', onGone);
      call.off('error', onGone);
      resolve(ok);
    };
    const onDrain = (): void => done(true);
    const onGone = (): void => done(false);
    call.on('drain', onDrain);
    call.on('cancelled', onGone);
    call.on('close', onGone);
    call.on('error', onGone);
  });
}
