import type * as grpc from '@grpc/grpc-js';
import type { SamsaError } from '../errors/index.js';
import { fromServiceError } from './status.js';
import { systemClock } from '../runtime/index.js';

/**
 * Promise form of a generated unary method; failures become SamsaErrors with the server's reason.
 * Example: `await callUnary((cb) => client.createTopic(req, { deadline }, cb), address)`.
 */
export function callUnary<Res>(
  invoke: (callback: (err: grpc.ServiceError | null, res?: Res) => void) => unknown,
  target?: string,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    invoke((err, res) => {
      if (err) reject(fromServiceError(err, target) satisfies SamsaError);
      else if (res === undefined) reject(fromServiceError(new Error('empty response'), target));
      else resolve(res);
    });
  });
}

/** A deadline `ms` from now, for CallOptions. */
export function deadlineIn(ms: number): Date {
  return new Date(systemClock.nowMs() + ms);
}
