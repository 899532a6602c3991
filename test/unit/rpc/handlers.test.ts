import { describe, expect, it } from 'vitest';
import type * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../../../libs/errors/index.js';
import { REASON_TRAILER, unary } from '../../../libs/rpc/index.js';

type Answer = { err: Partial<grpc.StatusObject> | null; res: string | undefined };

function call(handler: grpc.handleUnaryCall<string, string>): Promise<Answer> {
  return new Promise((resolve) => {
    const fakeCall = { request: 'req' } as unknown as grpc.ServerUnaryCall<string, string>;
    handler(fakeCall, (err, res) => resolve({ err: err, res: res ?? undefined }));
  });
}

describe('unary: every call answered once, with its reason', () => {
  it('answers with the value of an async handler', async () => {
    expect(await call(unary(async (req: string) => `${req}-ok`))).toEqual({ err: null, res: 'req-ok' });
  });

  it('answers a rejection with its reason', async () => {
    const { err } = await call(
      unary(async () => {
        throw new SamsaError('NOT_CONTROLLER', 'not me');
      }),
    );
    expect(err?.metadata?.get(REASON_TRAILER)).toEqual(['NOT_CONTROLLER']);
  });

  it('answers a handler that throws before returning its promise with its reason too (not UNKNOWN)', async () => {
    const throwsFirst = (): Promise<string> => {
      throw new SamsaError('NOT_CONTROLLER', 'no active controller right now');
    };
    const { err } = await call(unary(throwsFirst));
    expect(err?.metadata?.get(REASON_TRAILER)).toEqual(['NOT_CONTROLLER']);
    expect(err?.details).toBe('no active controller right now');
  });
});
