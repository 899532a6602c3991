/** The SDK's one unary call shape; the channels themselves come from the Cluster's ClientPool (libs/rpc). */
import type * as grpc from '@grpc/grpc-js';
import { deadlineIn } from '../../rpc/index.js';
import { callError } from '../errors.js';

/**
 * Promise form of one unary call to `address` with a deadline; failures become SamsaErrors
 * (BrokerUnreachableError when nothing answered).
 */
export function unary<Res>(
  address: string,
  timeoutMs: number,
  invoke: (options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, res?: Res) => void) => unknown,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    invoke({ deadline: deadlineIn(timeoutMs) }, (err, res) => {
      if (err) reject(callError(err, address));
      else if (res === undefined) reject(callError(new Error(`empty response from ${address}`), address));
      else resolve(res);
    });
  });
}
