/**
 * Runs the leader's batch validation (batch-validator.ts) where it costs the event loop nothing
 * to wait for: batches that need no record read (uncompressed, topic neither compacted nor
 * recompressing) come back at once; uncompressed batches of compacted topics are walked here
 * (cheap: no decompression); everything that must be decompressed or recompressed goes to one
 * worker thread (batch-validator-worker.ts), in order. A worker that dies is replaced on the next
 * call and its pending calls fail with INTERNAL_ERROR. Owned by the broker: close() ends the worker.
 */
import { Worker } from 'node:worker_threads';
import { SamsaError, isErrorReason } from '../errors/index.js';
import { COMPRESSION_MASK, OFF_ATTRIBUTES } from '../record/index.js';
import { withConfigDefaults, type TopicConfigValues } from '../cluster/index.js';
import { targetCodec, validateForAppend } from './batch-validator.js';

interface Pending {
  resolve: (batch: Buffer) => void;
  reject: (err: Error) => void;
}

interface Reply {
  id: number;
  batch?: Uint8Array;
  reason?: string;
  message?: string;
}

export class BatchValidatorPool {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;
  /** Batches sent to the worker (metrics, tests). */
  offloaded = 0;

  /** See validateForAppend; `what` names the batch in error messages. */
  async validate(batch: Buffer, topic: { name: string; config: TopicConfigValues }, what: string): Promise<Buffer> {
    const config = withConfigDefaults(topic.config);
    const compressed = (batch.readInt16BE(OFF_ATTRIBUTES) & COMPRESSION_MASK) !== 0;
    const target = targetCodec(config);
    const recompress = target !== undefined && target !== (compressed ? undefined : 'none');
    if (!compressed && !recompress) return validateForAppend(batch, topic, what);
    if (this.closed) throw new SamsaError('NOT_READY', 'the broker is shutting down');
    const worker = this.ensureWorker();
    const id = this.nextId++;
    this.offloaded++;
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, batch, topic: { name: topic.name, config }, what });
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./batch-validator-worker.js', import.meta.url));
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.batch) p.resolve(Buffer.from(reply.batch.buffer, reply.batch.byteOffset, reply.batch.byteLength));
      else
        p.reject(
          new SamsaError(
            reply.reason && isErrorReason(reply.reason) ? reply.reason : 'INTERNAL_ERROR',
            reply.message ?? 'batch validation failed',
          ),
        );
    });
    const fail = (why: string): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(new SamsaError('INTERNAL_ERROR', `batch validation worker ${why}; retry`));
      this.pending.clear();
    };
    worker.on('error', (err) => fail(`failed: ${err.message}`));
    worker.on('exit', (code) => fail(`exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  /** Ends the worker; calls in flight fail. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
