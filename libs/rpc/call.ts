import type * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../errors/index.js';
import { fromServiceError } from './status.js';
import { systemClock } from '../runtime/index.js';

/** How one unary call is made: its deadline, and what the caller adds to the defaults. */
export interface UnaryCallOptions {
  /** The deadline, `timeoutMs` from when the call is made. */
  readonly timeoutMs: number;
  /** An earlier deadline than `timeoutMs` allows, e.g. a forwarded call's own (the sooner wins). */
  readonly deadline?: Date;
  /** Per-call credentials (a bearer token), on top of the channel's. */
  readonly credentials?: grpc.CallCredentials;
  /** Cancels the call when aborted; the promise then rejects with the CANCELLED status. */
  readonly signal?: AbortSignal;
  /**
   * How a failure becomes a SamsaError (default fromServiceError: the server's reason, a transport
   * failure by its gRPC code). The SDK and the gateway name an unreachable server in their own terms.
   */
  readonly toError?: (err: unknown, target: string) => SamsaError;
}

/**
 * The one way to make a unary gRPC call: the promise form of a generated method, with a deadline,
 * failures as SamsaErrors. Retrying is the caller's (libs/runtime retry). `invoke` calls the method
 * with the CallOptions and callback it is given:
 * `await callUnary(address, { timeoutMs: 10_000 }, (options, cb) => client.createTopic(req, options, cb))`.
 */
export function callUnary<Res>(
  target: string,
  options: UnaryCallOptions,
  invoke: (callOptions: grpc.CallOptions, callback: (err: grpc.ServiceError | null, res?: Res) => void) => unknown,
): Promise<Res> {
  const callOptions: grpc.CallOptions = { deadline: deadlineOf(options) };
  if (options.credentials) callOptions.credentials = options.credentials;
  const toError = options.toError ?? fromServiceError;
  const signal = options.signal;
  return new Promise<Res>((resolve, reject) => {
    let cancel: (() => void) | undefined;
    const call = invoke(callOptions, (err, res) => {
      if (cancel) signal?.removeEventListener('abort', cancel);
      if (err) reject(toError(err, target));
      else if (res === undefined) reject(new SamsaError('INTERNAL_ERROR', `empty response from ${target}`));
      else resolve(res);
    });
    if (signal && isCancellable(call)) {
      cancel = () => call.cancel();
      if (signal.aborted) cancel();
      else signal.addEventListener('abort', cancel, { once: true });
    }
  });
}

/** A deadline `ms` from now, for CallOptions (streams; unary calls go through callUnary). */
export function deadlineIn(ms: number): Date {
  return new Date(systemClock.nowMs() + ms);
}

function deadlineOf(options: UnaryCallOptions): Date {
  const own = deadlineIn(options.timeoutMs);
  return options.deadline && options.deadline.getTime() < own.getTime() ? options.deadline : own;
}

function isCancellable(call: unknown): call is { cancel(): void } {
  return typeof call === 'object' && call !== null && typeof (call as { cancel?: unknown }).cancel === 'function';
}
