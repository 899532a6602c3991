import { describe, it, expect } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { SamsaError, ERROR_REASONS } from '../../../libs/errors/index.js';
import { toGrpcStatus, fromServiceError, grpcCodeFor, REASON_TRAILER } from '../../../libs/rpc/index.js';

function asServiceError(status: ReturnType<typeof toGrpcStatus>): grpc.ServiceError {
  return Object.assign(new Error(status.details), {
    code: status.code,
    details: status.details,
    metadata: status.metadata as grpc.Metadata,
  });
}

describe('error <-> gRPC status mapping', () => {
  it('maps every reason to a status and back, keeping reason, retriable and details', () => {
    for (const reason of ERROR_REASONS) {
      const original = new SamsaError(reason, `because ${reason}`, { details: { 'leader-address': '127.0.0.1:9093' } });
      const status = toGrpcStatus(original);
      expect(status.code).toBe(grpcCodeFor(reason));
      expect(status.metadata?.get(REASON_TRAILER)).toEqual([reason]);
      const back = fromServiceError(asServiceError(status));
      expect(back.reason).toBe(reason);
      expect(back.retriable).toBe(original.retriable);
      expect(back.message).toBe(`because ${reason}`);
      expect(back.details['leader-address']).toBe('127.0.0.1:9093');
    }
  });

  it('turns unexpected exceptions into INTERNAL without losing the message', () => {
    const status = toGrpcStatus(new TypeError('boom'));
    expect(status.code).toBe(grpc.status.INTERNAL);
    expect(status.details).toBe('boom');
  });

  it('explains an unreachable server in words a person can act on', () => {
    const err = Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
      code: grpc.status.UNAVAILABLE,
      details: 'No connection established',
      metadata: new grpc.Metadata(),
    });
    const e = fromServiceError(err, '127.0.0.1:9092');
    expect(e.reason).toBe('NOT_READY');
    expect(e.retriable).toBe(true);
    expect(e.message).toContain('cannot reach 127.0.0.1:9092');
    expect(e.message).toContain('npm start');
  });

  it('classifies retriable reasons', () => {
    expect(new SamsaError('NOT_LEADER_OR_FOLLOWER', 'x').retriable).toBe(true);
    expect(new SamsaError('CORRUPT_MESSAGE', 'x').retriable).toBe(false);
  });
});
