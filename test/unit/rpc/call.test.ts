/**
 * The one unary call shape (libs/rpc/call.ts callUnary), used by the SDK, the services, the gateway
 * and the tools: the deadline it sets (timeoutMs, or an earlier one given), per-call credentials,
 * cancellation by an AbortSignal, failures through the caller's error mapping or fromServiceError,
 * an empty answer refused. A fake generated method stands in for grpc-js.
 */
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { SamsaError } from '../../../libs/errors/index.js';
import { REASON_TRAILER, callUnary } from '../../../libs/rpc/index.js';

type Callback<Res> = (err: grpc.ServiceError | null, res?: Res) => void;

/** A generated unary method's stand-in: records its options, answers when told, counts cancels. */
function fakeMethod<Res>() {
  const state: { options?: grpc.CallOptions; callback?: Callback<Res>; cancels: number } = { cancels: 0 };
  const invoke = (options: grpc.CallOptions, callback: Callback<Res>): { cancel(): void } => {
    state.options = options;
    state.callback = callback;
    return { cancel: () => state.cancels++ };
  };
  return { state, invoke };
}

function serviceError(code: grpc.status, details: string, reason?: string): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  if (reason) metadata.set(REASON_TRAILER, reason);
  return Object.assign(new Error(details), { code, details, metadata });
}

describe('callUnary', () => {
  it('resolves with the answer and sets a deadline timeoutMs ahead', async () => {
    const m = fakeMethod<{ ok: number }>();
    const before = new Date();
    const answer = callUnary('host:1', { timeoutMs: 60_000 }, m.invoke);
    const deadline = m.state.options?.deadline as Date;
    expect(deadline).toBeInstanceOf(Date);
    // Not a timing assertion: the deadline was computed from a clock read after `before`.
    expect(deadline.getTime()).toBeGreaterThanOrEqual(before.getTime() + 60_000);
    m.state.callback?.(null, { ok: 1 });
    await expect(answer).resolves.toEqual({ ok: 1 });
  });

  it('keeps a given deadline when it comes before timeoutMs, and ignores it when it comes after', () => {
    const early = fakeMethod<unknown>();
    const soon = new Date(1_000);
    void callUnary('host:1', { timeoutMs: 60_000, deadline: soon }, early.invoke).catch(() => undefined);
    expect(early.state.options?.deadline).toBe(soon);
    const late = fakeMethod<unknown>();
    const far = new Date(8.64e15);
    void callUnary('host:1', { timeoutMs: 60_000, deadline: far }, late.invoke).catch(() => undefined);
    expect((late.state.options?.deadline as Date).getTime()).toBeLessThan(far.getTime());
  });

  it('passes per-call credentials on', () => {
    const m = fakeMethod<unknown>();
    const credentials = grpc.credentials.createFromMetadataGenerator((_p, cb) => cb(null, new grpc.Metadata()));
    void callUnary('host:1', { timeoutMs: 1_000, credentials }, m.invoke).catch(() => undefined);
    expect(m.state.options?.credentials).toBe(credentials);
  });

  it("maps a failure with the server's reason by default, or with the caller's mapping", async () => {
    const m = fakeMethod<unknown>();
    const plain = callUnary('host:1', { timeoutMs: 1_000 }, m.invoke);
    m.state.callback?.(serviceError(grpc.status.NOT_FOUND, 'no such topic', 'UNKNOWN_TOPIC_OR_PARTITION'));
    await expect(plain).rejects.toMatchObject({ reason: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'no such topic' });

    const n = fakeMethod<unknown>();
    const seen: [unknown, string][] = [];
    const mapped = callUnary(
      'host:2',
      {
        timeoutMs: 1_000,
        toError: (err, target) => {
          seen.push([err, target]);
          return new SamsaError('NOT_READY', `mapped for ${target}`);
        },
      },
      n.invoke,
    );
    const err = serviceError(grpc.status.UNAVAILABLE, 'connection refused');
    n.state.callback?.(err);
    await expect(mapped).rejects.toMatchObject({ reason: 'NOT_READY', message: 'mapped for host:2' });
    expect(seen).toEqual([[err, 'host:2']]);
  });

  it('refuses an empty answer', async () => {
    const m = fakeMethod<unknown>();
    const answer = callUnary('host:1', { timeoutMs: 1_000 }, m.invoke);
    m.state.callback?.(null, undefined);
    await expect(answer).rejects.toMatchObject({ reason: 'INTERNAL_ERROR', message: 'empty response from host:1' });
  });

  it('cancels the call when its signal aborts, at once when already aborted, and not after the answer', async () => {
    const m = fakeMethod<{ ok: number }>();
    const abort = new AbortController();
    const answer = callUnary('host:1', { timeoutMs: 1_000, signal: abort.signal }, m.invoke);
    abort.abort();
    expect(m.state.cancels).toBe(1);
    m.state.callback?.(serviceError(grpc.status.CANCELLED, 'Cancelled on client'));
    await expect(answer).rejects.toBeInstanceOf(SamsaError);

    const pre = fakeMethod<unknown>();
    const aborted = AbortSignal.abort();
    void callUnary('host:1', { timeoutMs: 1_000, signal: aborted }, pre.invoke).catch(() => undefined);
    expect(pre.state.cancels).toBe(1);

    const done = fakeMethod<{ ok: number }>();
    const later = new AbortController();
    const finished = callUnary('host:1', { timeoutMs: 1_000, signal: later.signal }, done.invoke);
    done.state.callback?.(null, { ok: 2 });
    await expect(finished).resolves.toEqual({ ok: 2 });
    later.abort();
    expect(done.state.cancels).toBe(0);
  });
});
