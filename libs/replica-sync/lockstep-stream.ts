/**
 * A client bidi stream used request/response in lockstep: `exchange(req)` writes one request and
 * resolves with the next response. Replication runs this way (one request in flight per stream),
 * which gives back-pressure both ways for free. Owns the call: close() cancels it; any stream
 * error, end or timeout rejects the pending exchange and leaves the stream unusable, so the owner
 * opens a new one.
 */
import type * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../errors/index.js';
import { fromServiceError, isServiceError } from '../rpc/index.js';

interface Pending<Res> {
  resolve(res: Res): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class LockstepStream<Req, Res> {
  private pending: Pending<Res> | undefined;
  private failure: Error | undefined;

  constructor(private readonly call: grpc.ClientDuplexStream<Req, Res>) {
    call.on('data', (res: Res) => {
      const p = this.pending;
      this.pending = undefined;
      if (!p) return this.fail(new SamsaError('INTERNAL_ERROR', 'the leader sent a response nobody asked for'));
      clearTimeout(p.timer);
      p.resolve(res);
    });
    call.on('error', (err: Error) => this.fail(isServiceError(err) ? fromServiceError(err) : err));
    call.on('end', () => this.fail(new SamsaError('NOT_READY', 'the leader ended the replication stream')));
  }

  get broken(): boolean {
    return this.failure !== undefined;
  }

  exchange(request: Req, timeoutMs: number): Promise<Res> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending) return Promise.reject(new Error('LockstepStream: one exchange at a time'));
    return new Promise<Res>((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(new SamsaError('REQUEST_TIMED_OUT', `no replication response within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.pending = { resolve, reject, timer };
      this.call.write(request);
    });
  }

  close(): void {
    this.fail(new SamsaError('NOT_READY', 'replication stream closed'));
  }

  private fail(err: Error): void {
    if (!this.failure) {
      this.failure = err;
      this.call.cancel();
    }
    const p = this.pending;
    this.pending = undefined;
    if (p) {
      clearTimeout(p.timer);
      p.reject(err);
    }
  }
}
