/**
 * Strict requests at the gRPC edge: every Samsa request is checked by request-validator.ts before
 * it is decoded, and one that fails is answered INVALID_ARGUMENT with the validator's reason and
 * message, without reaching the handler.
 *
 * Two pieces, because grpc-js answers a deserializer that throws with INTERNAL and a fixed text:
 * - strictDeserializers(definition) replaces each method's requestDeserialize (proto.ts calls it
 *   once at load) with one that validates first and, on failure, returns an InvalidRequest
 *   instead of throwing;
 * - rejectInvalidRequests, a server interceptor every Samsa server carries (options.ts), ends the
 *   call with the InvalidRequest's status when one arrives, hands the handler nothing more, and
 *   tells the handler's call it was cancelled (so a bidi handler waiting for its next message
 *   stops, as when a client goes away).
 */
import * as grpc from '@grpc/grpc-js';
import type * as protoLoader from '@grpc/proto-loader';
import { SamsaError, toSamsaError } from '../errors/index.js';
import { RequestValidator } from './request-validator.js';
import { toGrpcStatus } from './status.js';

/** What a strict deserializer hands grpc-js for a request that is not valid. */
export class InvalidRequest {
  constructor(readonly error: SamsaError) {}
}

/** Wraps requestDeserialize of every method of every service in `definition`, in place. */
export function strictDeserializers(definition: protoLoader.PackageDefinition): void {
  const validator = new RequestValidator(definition);
  for (const entry of Object.values(definition)) {
    if ('format' in entry) continue; // a message or enum, not a service
    for (const method of Object.values(entry)) {
      const typeName = requestTypeName(definition, method);
      validator.plan(typeName); // fail at start, not on the first request
      const decode = method.requestDeserialize;
      method.requestDeserialize = (bytes: Buffer): object => {
        try {
          validator.validate(typeName, bytes);
          return decode(bytes);
        } catch (err) {
          return new InvalidRequest(
            err instanceof SamsaError ? err : new SamsaError('INVALID_REQUEST', `cannot decode ${typeName}: ${toSamsaError(err).message}`),
          );
        }
      };
    }
  }
}

/**
 * The full name of a method's request type. proto-loader gives the method a copy of the message's
 * descriptor, not its name: Samsa's requests live in their service's package (checked here at start).
 */
function requestTypeName(definition: protoLoader.PackageDefinition, method: protoLoader.MethodDefinition<object, object>): string {
  const service = method.path.split('/')[1] ?? '';
  const name = `${service.slice(0, service.lastIndexOf('.'))}.${(method.requestType.type as { name: string }).name}`;
  if (!definition[name]) throw new Error(`strict-requests: the request type of ${method.path} is not ${name}`);
  return name;
}

type InterceptingListener = Parameters<grpc.ServerInterceptingCallInterface['start']>[0];

/** Ends a call whose request failed validation; see the module comment. */
class StrictCall extends grpc.ServerInterceptingCall {
  private downstream: InterceptingListener | undefined;
  private rejected = false;

  constructor(call: grpc.ServerInterceptingCallInterface) {
    super(call, {
      start: (next) =>
        next({
          onReceiveMessage: (message: unknown, pass) => {
            if (this.rejected) return;
            if (!(message instanceof InvalidRequest)) return pass(message);
            this.rejected = true;
            this.sendStatus(toGrpcStatus(message.error));
            this.downstream?.onCancel();
          },
          onReceiveHalfClose: (pass) => {
            if (!this.rejected) pass();
          },
        }),
    });
  }

  override start(listener: InterceptingListener): void {
    this.downstream = listener;
    super.start(listener);
  }
}

export const rejectInvalidRequests: grpc.ServerInterceptor = (_method, call) => new StrictCall(call);
